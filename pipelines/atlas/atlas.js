// Sozialatlas: plain SVG + vanilla JS over the bundle embedded in this page. No server, no
// network, no library: the page is one file a planner can mail or open from a share.
(function () {
  "use strict";

  const D = JSON.parse(document.getElementById("atlas-daten").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const IND = new Map(D.indikatoren.map((i) => [i.id, i]));
  const LEVELS = new Map(D.ebenen.map((l) => [l.id, l]));
  const COLUMN = new Map(D.ebenen.map((l) => [l.id, new Map(l.gebiete.map((g, i) => [g, i]))]));
  const MAP_LEVELS = D.karte ? Object.keys(D.karte.ebenen) : [];
  const DISTRICT_LEVEL = D.ebenen.map((l) => l.id).find((l) => MAP_LEVELS.includes(l)) || null;
  const COMPARE_MAX = 3;
  const SERIES_COLOURS = ["#d95f02", "#7570b3", "#1b9e77"];
  const FILL = {
    "*": "url(#f-geheim)",
    "/": "url(#f-grenzen)",
    ".": "#c8c8c8",
    x: "#8c8c8c",
    none: "url(#f-keine)",
    base: "#eef0f2",
  };
  const WITHOUT_VALUE = [
    ["*", "* geheimgehalten"],
    ["/", "/ nur innerhalb von Grenzen bekannt"],
    [".", ". nicht veröffentlicht (zu wenige Einwohner)"],
    ["x", "x nicht berechenbar"],
    ["none", "keine Daten"],
  ];

  const state = { ind: null, period: null, level: null, area: null, compare: [] };

  // --- formatting (German, independent of the browser's locale) ----------------------------
  function fmt(value, decimals) {
    if (value === null || value === undefined || !isFinite(value)) return "";
    let text = Math.abs(value).toFixed(decimals);
    if (Number(text) === 0) value = 0;
    let [whole, frac] = text.split(".");
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 ? "-" : "") + whole + (frac ? "," + frac : "");
  }
  function fmtPlain(value, decimals) {
    // for CSV: decimal comma, no thousands separator (Excel reads it as a number)
    if (value === null || value === undefined || !isFinite(value)) return "";
    return Number(value).toFixed(decimals).replace(".", ",");
  }
  function fmtDate(iso) {
    return iso ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : "";
  }
  function unitSuffix(ind) {
    return ind.einheit && ind.einheit.toLowerCase() !== "anzahl" ? " " + ind.einheit : "";
  }

  // --- cells ----------------------------------------------------------------------------------
  function cellAt(ind, level, periodIndex, areaId) {
    const matrix = (ind.werte[level] || [])[periodIndex];
    const col = COLUMN.get(level) && COLUMN.get(level).get(areaId);
    if (!matrix || col === undefined) return null;
    const c = matrix[col];
    return c === undefined ? null : c;
  }
  function symbolOf(c) {
    if (c === null) return "none";
    if (typeof c === "number") return null;
    if (c === "-") return "-";
    return Array.isArray(c) ? "/" : c;
  }
  function plotValue(c) {
    if (typeof c === "number") return c;
    if (c === "-") return 0;
    if (Array.isArray(c) && c[1] !== null && c[2] !== null) {
      // bounds that agree at one decimal pin the value (the report's rule)
      return Math.round(c[1] * 10) === Math.round(c[2] * 10) ? (c[1] + c[2]) / 2 : null;
    }
    return null;
  }
  function cellText(ind, c) {
    const d = ind.dezimalen, u = unitSuffix(ind);
    if (c === null) return "keine Daten";
    if (typeof c === "number") return fmt(c, d) + u;
    if (c === "-") return "- (genau null)";
    if (Array.isArray(c)) {
      const a = fmt(c[1], d), b = fmt(c[2], d);
      return a === b ? a + u : `${a}–${b}${u} (/ nur in Grenzen bekannt)`;
    }
    return { "*": "* geheimgehalten", ".": ". nicht veröffentlicht", x: "x nicht berechenbar", "/": "/ nur in Grenzen bekannt" }[c] || c;
  }
  // the short form for tables: the number, the interval, or the bare symbol (explained on hover)
  function cellShort(ind, c) {
    const d = ind.dezimalen, u = unitSuffix(ind);
    if (c === null) return "";
    if (typeof c === "number") return fmt(c, d) + u;
    if (Array.isArray(c)) {
      const a = fmt(c[1], d), b = fmt(c[2], d);
      return a === b ? a + u : `${a}–${b}${u}`;
    }
    return c;
  }
  function valueCell(ind, c) {
    const td = html("td", { class: "zahl" }, cellShort(ind, c));
    if (c !== null && typeof c !== "number") td.title = cellText(ind, c);
    return td;
  }
  function periodIndexAtOrBefore(ind, period) {
    let found = -1;
    ind.perioden.forEach((p, i) => { if (p <= period) found = i; });
    return found;
  }

  // --- classes (quantiles, as the report's maps) ------------------------------------------------
  function quantile(sorted, q) {
    const pos = q * (sorted.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
  function classBreaks(values, k) {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length <= k) return distinct.map((v) => [v, v]);
    const ordered = [...values].sort((a, b) => a - b);
    const edges = [ordered[0]];
    for (let i = 1; i < k; i++) {
      const cut = quantile(ordered, i / k);
      if (cut > edges[edges.length - 1]) edges.push(cut);
    }
    if (ordered[ordered.length - 1] > edges[edges.length - 1]) edges.push(ordered[ordered.length - 1]);
    const out = [];
    for (let i = 0; i + 1 < edges.length; i++) out.push([edges[i], edges[i + 1]]);
    return out;
  }
  function classIndex(value, breaks) {
    for (let i = 0; i < breaks.length; i++) if (value <= breaks[i][1]) return i;
    return breaks.length - 1;
  }
  function classColours(palette, n) {
    if (n <= 0) return [];
    if (n === 1) return [palette[Math.floor(palette.length / 2)]];
    return Array.from({ length: n }, (_, i) => palette[Math.round((i * (palette.length - 1)) / (n - 1))]);
  }

  // --- svg helpers ------------------------------------------------------------------------------
  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function areaName(id) {
    return (D.gebiete[id] && D.gebiete[id].name) || id;
  }
  function areaLevel(id) {
    return D.gebiete[id] ? D.gebiete[id].ebene : null;
  }

  // --- controls ---------------------------------------------------------------------------------
  function fillIndicators() {
    const select = $("indikator");
    select.replaceChildren();
    let group = null, current = null;
    for (const ind of D.indikatoren) {
      if (ind.bereich !== current) {
        current = ind.bereich;
        group = html("optgroup", { label: BEREICHE[ind.bereich] || ind.bereich || "Weitere" });
        select.appendChild(group);
      }
      group.appendChild(html("option", { value: ind.id }, ind.name + (ind.einheit ? ` (${ind.einheit})` : "")));
    }
    select.value = state.ind;
  }
  const BEREICHE = {
    demografie: "Demografie", sgb2: "Grundsicherung SGB II", sgb12: "Sozialhilfe SGB XII",
    transfer: "Transferbezug", sgb8: "Kinder- und Jugendhilfe SGB VIII", controlling: "Controlling",
  };
  function fillPeriods() {
    const ind = IND.get(state.ind), select = $("periode");
    select.replaceChildren(...ind.perioden.slice().reverse().map((p) => html("option", { value: p }, fmtDate(p))));
    select.value = state.period;
  }
  function levelsOf(ind) {
    const withValues = D.ebenen.map((l) => l.id).filter((l) => ind.werte[l]);
    const mapped = withValues.filter((l) => MAP_LEVELS.includes(l));
    return mapped.length ? mapped : withValues.filter((l) => LEVELS.get(l).gebiete.length > 1);
  }
  function fillLevels() {
    const select = $("ebene");
    select.replaceChildren(...levelsOf(IND.get(state.ind)).map((l) => html("option", { value: l }, LEVELS.get(l).name)));
    select.value = state.level;
  }
  function fillAreas() {
    const select = $("gebiet");
    const level = LEVELS.get(state.level);
    const options = [html("option", { value: "" }, "– Gebiet wählen –")];
    if (D.stadt_id) options.push(html("option", { value: D.stadt_id }, `${areaName(D.stadt_id)} (Gesamtstadt)`));
    for (const id of level ? level.gebiete : []) options.push(html("option", { value: id }, `${areaName(id)} (${id})`));
    select.replaceChildren(...options);
    select.value = state.area && [...select.options].some((o) => o.value === state.area) ? state.area : "";
  }
  function settle() {
    // keep the period and level valid for the indicator
    const ind = IND.get(state.ind);
    if (!ind.perioden.includes(state.period)) {
      const i = periodIndexAtOrBefore(ind, state.period || "9999");
      state.period = ind.perioden[i >= 0 ? i : ind.perioden.length - 1];
    }
    const levels = levelsOf(ind);
    if (!levels.includes(state.level)) state.level = levels[levels.length - 1] || null;
  }

  // --- the map ----------------------------------------------------------------------------------
  function currentView() {
    const ind = IND.get(state.ind);
    const pi = ind.perioden.indexOf(state.period);
    const level = LEVELS.get(state.level);
    const rows = (level ? level.gebiete : []).map((id) => ({ id, c: cellAt(ind, state.level, pi, id) }));
    return { ind, pi, rows };
  }
  function renderMap() {
    const { ind, rows } = currentView();
    const svg = $("karte");
    svg.replaceChildren();
    $("karte-titel").textContent = `${ind.name} – ${LEVELS.get(state.level) ? LEVELS.get(state.level).name : ""}, ${fmtDate(state.period)}`;
    const geo = D.karte && D.karte.ebenen[state.level];
    if (!geo) {
      svg.style.display = "none";
      $("karte-hinweis").textContent = "Für diese Ebene liegt keine Kartengeometrie vor; die Werte stehen in der Tabelle unter der Karte.";
      renderLegend(ind, null, new Set());
      return;
    }
    svg.style.display = "";
    $("karte-hinweis").textContent = "";
    svg.setAttribute("viewBox", `0 0 ${D.karte.breite} ${D.karte.hoehe}`);
    svg.setAttribute("aria-label", `Karte: ${ind.name}, ${LEVELS.get(state.level).name}, Stichtag ${fmtDate(state.period)}. Gebiete mit Tabulator erreichen, mit Eingabe oder Leertaste auswählen.`);
    svg.appendChild(PATTERNS.cloneNode(true));
    const values = rows.map((r) => plotValue(r.c)).filter((v) => v !== null);
    const breaks = ind.absolut ? [] : classBreaks(values, 5);
    const colours = classColours(ind.farben, breaks.length);
    const used = new Set();
    const areas = el("g", { class: "gebiete" }, svg);
    for (const { id, c } of rows) {
      const d = geo.pfade[id];
      if (!d) continue;
      const v = plotValue(c);
      let fill;
      if (v !== null) fill = ind.absolut ? FILL.base : colours[classIndex(v, breaks)];
      else { const s = symbolOf(c); fill = FILL[s] || FILL.none; used.add(s in FILL ? s : "none"); }
      const text = `${areaName(id)}: ${cellText(ind, c)}`;
      const path = el("path", {
        d, id: "gebiet-" + id, class: "gebiet", fill, "data-gebiet": id, "data-wert": v === null ? "" : String(v),
        tabindex: "0", role: "button", "aria-label": text, "aria-pressed": String(state.area === id),
      }, areas);
      el("title", {}, path).textContent = text;
    }
    if (DISTRICT_LEVEL && DISTRICT_LEVEL !== state.level && D.karte.ebenen[DISTRICT_LEVEL]) {
      const outline = el("g", { class: "umriss", "aria-hidden": "true" }, svg);
      for (const d of Object.values(D.karte.ebenen[DISTRICT_LEVEL].pfade)) el("path", { d }, outline);
    }
    if (ind.absolut) {
      const vmax = Math.max(0, ...values);
      const n = Math.max(rows.length, 1);
      const rmax = Math.min(0.6 * Math.sqrt((D.karte.breite * D.karte.hoehe) / n / Math.PI), D.karte.breite / 10);
      const circles = el("g", { class: "kreise", "aria-hidden": "true" }, svg);
      const sized = rows.map((r) => ({ id: r.id, v: plotValue(r.c) })).filter((r) => r.v > 0 && geo.punkte[r.id]);
      sized.sort((a, b) => b.v - a.v);
      for (const { id, v } of sized) {
        const [x, y] = geo.punkte[id];
        el("circle", { cx: x, cy: y, r: (rmax * Math.sqrt(v / vmax)).toFixed(1), "data-gebiet": id }, circles);
      }
      renderLegend(ind, { vmax, rmax }, used);
    } else {
      renderLegend(ind, { breaks, colours }, used);
    }
    el("g", { class: "markierung", "aria-hidden": "true" }, svg);
    el("g", { class: "fokus-ebene", "aria-hidden": "true" }, svg);
    markSelection();
  }
  function markSelection() {
    const layer = document.querySelector("#karte .markierung");
    if (!layer) return;
    layer.replaceChildren();
    const marks = state.compare.map((id, i) => [id, SERIES_COLOURS[i], "vergleich"]);
    if (state.area) marks.push([state.area, "#111", "auswahl"]);
    for (const [id, colour, cls] of marks) {
      const node = document.getElementById("gebiet-" + id);
      if (node) el("path", { d: node.getAttribute("d"), class: cls, stroke: colour }, layer);
    }
    for (const node of document.querySelectorAll("#karte .gebiet")) {
      node.setAttribute("aria-pressed", String(node.dataset.gebiet === state.area));
    }
  }

  function swatch(fill) {
    const s = el("svg", { width: 22, height: 14, "aria-hidden": "true", class: "muster" });
    s.appendChild(PATTERNS.cloneNode(true));
    el("rect", { width: 22, height: 14, fill, stroke: "#777", "stroke-width": 0.6 }, s);
    return s;
  }
  function renderLegend(ind, scale, used) {
    const box = $("legende");
    box.replaceChildren();
    const u = unitSuffix(ind);
    if (scale && scale.breaks) {
      box.appendChild(html("p", { class: "legende-titel" }, scale.breaks.length > 1 && scale.breaks.some(([a, b]) => a !== b) ? "Klassen (Quantile)" : "Werte"));
      const list = html("ul", { class: "klassen" });
      scale.breaks.forEach(([lo, hi], i) => {
        const label = lo === hi ? fmt(lo, ind.dezimalen) : i === 0 ? `${fmt(lo, ind.dezimalen)} bis ${fmt(hi, ind.dezimalen)}` : `über ${fmt(lo, ind.dezimalen)} bis ${fmt(hi, ind.dezimalen)}`;
        const li = html("li", { "data-farbe": scale.colours[i] });
        li.append(swatch(scale.colours[i]), html("span", {}, label + u));
        list.appendChild(li);
      });
      box.appendChild(list);
    } else if (scale && scale.vmax > 0) {
      box.appendChild(html("p", { class: "legende-titel" }, "Kreisfläche proportional zur Anzahl"));
      const steps = [...new Set([nice(scale.vmax), nice(scale.vmax / 4)])].filter((s) => s > 0);
      const big = scale.rmax * Math.sqrt(steps[0] / scale.vmax);
      const s = el("svg", { width: (2 * big + 110).toFixed(0), height: (2 * big + 6).toFixed(0), class: "kreis-legende", "aria-hidden": "true" });
      for (const step of steps) {
        const r = scale.rmax * Math.sqrt(step / scale.vmax), cy = 2 * big + 3 - r;
        el("circle", { cx: big + 1, cy, r }, s);
        el("text", { x: 2 * big + 8, y: cy - r + 10 }, s).textContent = fmt(step, 0) + u;
      }
      box.appendChild(s);
      box.appendChild(html("p", { class: "sr-only" }, steps.map((x) => fmt(x, 0)).join(", ") + u));
    }
    box.appendChild(html("p", { class: "legende-titel abgesetzt" }, "Ohne Zahlenwert"));
    const list = html("ul", { class: "ohne-wert" });
    for (const [key, label] of WITHOUT_VALUE) {
      if (key !== "none" && !used.has(key)) continue;
      const li = html("li", { "data-zeichen": key });
      li.append(swatch(FILL[key]), html("span", {}, label));
      list.appendChild(li);
    }
    box.appendChild(list);
  }
  function nice(v) {
    if (v <= 0) return 0;
    const m = Math.pow(10, Math.floor(Math.log10(v)));
    return Math.max(...[1, 2, 5].map((k) => k * m).filter((x) => x <= v));
  }

  // --- the table of the current view (also the map's accessible alternative) --------------------
  function renderTable() {
    const { ind, rows } = currentView();
    const body = $("tabelle").querySelector("tbody");
    body.replaceChildren(...rows.map(({ id, c }) => {
      const tr = html("tr");
      tr.append(html("td", {}, id), html("th", { scope: "row" }, areaName(id)), valueCell(ind, c));
      return tr;
    }));
    $("tabelle").querySelector("caption").textContent = `${ind.name}, ${LEVELS.get(state.level) ? LEVELS.get(state.level).name : ""}, Stichtag ${fmtDate(state.period)}`;
  }

  // --- profile ---------------------------------------------------------------------------------
  function valueFor(ind, id, period) {
    const level = areaLevel(id);
    const pi = periodIndexAtOrBefore(ind, period);
    if (!level || pi < 0 || !ind.werte[level]) return { c: null, p: null };
    return { c: cellAt(ind, level, pi, id), p: ind.perioden[pi] };
  }
  function renderProfile() {
    const box = $("profil-inhalt");
    box.replaceChildren();
    if (!state.area) {
      box.appendChild(html("p", { class: "hinweis" }, "Ein Gebiet in der Karte anklicken (oder mit Tabulator erreichen und Eingabe drücken) oder unter „Gebiet“ wählen."));
      $("vergleichen").disabled = true;
      return;
    }
    const id = state.area, info = D.gebiete[id] || {};
    const parent = info.eltern && D.gebiete[info.eltern] ? info.eltern : null;
    box.appendChild(html("h3", { id: "profil-name" }, `${areaName(id)} (${id})`));
    const chain = [];
    for (let p = info.eltern; p && D.gebiete[p]; p = D.gebiete[p].eltern) chain.push(`${LEVELS.get(D.gebiete[p].ebene) ? LEVELS.get(D.gebiete[p].ebene).name : ""} ${areaName(p)}`);
    box.appendChild(html("p", { class: "pfad" }, `${LEVELS.get(info.ebene) ? LEVELS.get(info.ebene).name : ""}${chain.length ? " in " + chain.join(", ") : ""}; Stichtag ${fmtDate(state.period)} (je Indikator der letzte Stichtag bis dahin)`));
    const table = html("table", { class: "daten profil" });
    const head = html("tr");
    head.append(html("th", { scope: "col" }, "Indikator"), html("th", { scope: "col" }, areaName(id)));
    if (parent) head.append(html("th", { scope: "col" }, areaName(parent)));
    if (D.stadt_id && D.stadt_id !== id && D.stadt_id !== parent) head.append(html("th", { scope: "col" }, areaName(D.stadt_id)));
    table.appendChild(html("thead")).appendChild(head);
    const body = table.appendChild(html("tbody"));
    for (const ind of D.indikatoren) {
      const own = valueFor(ind, id, state.period);
      if (own.p === null) continue;
      const tr = html("tr", { "data-indikator": ind.id });
      if (ind.id === state.ind) tr.className = "aktiv";
      const th = html("th", { scope: "row" });
      const button = html("button", { type: "button", class: "link", "data-indikator": ind.id }, ind.name);
      button.addEventListener("click", () => { state.ind = ind.id; settle(); update(true); $("indikator").focus(); });
      th.appendChild(button);
      if (own.p !== state.period) th.appendChild(html("span", { class: "stand" }, ` (${fmtDate(own.p)})`));
      tr.append(th, valueCell(ind, own.c));
      if (parent) tr.appendChild(valueCell(ind, valueFor(ind, parent, state.period).c));
      if (D.stadt_id && D.stadt_id !== id && D.stadt_id !== parent) tr.appendChild(valueCell(ind, valueFor(ind, D.stadt_id, state.period).c));
      body.appendChild(tr);
    }
    box.appendChild(table);
    const full = state.compare.length >= COMPARE_MAX, inside = state.compare.includes(id);
    $("vergleichen").disabled = full || inside;
    $("vergleichen").textContent = inside ? "Im Vergleich" : full ? `Vergleich voll (${COMPARE_MAX} Gebiete)` : "Zum Vergleich hinzufügen";
  }

  // --- time series -------------------------------------------------------------------------------
  function seriesOf(ind, id) {
    const level = areaLevel(id);
    if (!level || !ind.werte[level]) return null;
    return ind.perioden.map((p, i) => plotValue(cellAt(ind, level, i, id)));
  }
  function boundsOf(ind, id) {
    // the published interval of each "/" period whose value is not pinned (else null)
    const level = areaLevel(id);
    return ind.perioden.map((p, i) => {
      const c = cellAt(ind, level, i, id);
      return Array.isArray(c) && c[1] !== null && c[2] !== null && plotValue(c) === null ? [c[1], c[2]] : null;
    });
  }
  function renderSeries() {
    const ind = IND.get(state.ind);
    const svg = $("zeitreihe");
    svg.replaceChildren();
    const legend = $("zeitreihe-legende");
    legend.replaceChildren();
    const lines = [];
    if (state.area) {
      lines.push({ id: state.area, colour: "#1f4e79", cls: "auswahl" });
      const parent = D.gebiete[state.area] && D.gebiete[state.area].eltern;
      // counts of a parent or the city are sums, not comparable: they would flatten the area
      if (!ind.absolut && parent && parent !== D.stadt_id && D.gebiete[parent]) lines.push({ id: parent, colour: "#7a7a7a", cls: "eltern", dash: "5 3" });
    }
    state.compare.forEach((id, i) => { if (id !== state.area) lines.push({ id, colour: SERIES_COLOURS[i], cls: "vergleich" }); });
    if (D.stadt_id && !lines.some((l) => l.id === D.stadt_id) && (!ind.absolut || !lines.length)) lines.push({ id: D.stadt_id, colour: "#000", cls: "stadt", dash: "2 2" });
    const data = lines.map((l) => ({ ...l, values: seriesOf(ind, l.id), bounds: boundsOf(ind, l.id) })).filter((l) => l.values);
    const all = data.flatMap((l) => [...l.values.filter((v) => v !== null), ...l.bounds.filter((b) => b).flat()]);
    const W = 560, H = 250, L = 58, R = 12, T = 12, B = 30;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const title = state.area ? `Zeitreihe ${ind.name}: ${data.map((l) => areaName(l.id)).join(", ")}` : `Zeitreihe ${ind.name}`;
    svg.setAttribute("aria-label", title);
    $("zeitreihe-titel").textContent = `${ind.name}${unitSuffix(ind) ? " (" + ind.einheit + ")" : ""}`;
    if (!all.length || ind.perioden.length < 1) {
      el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "leer" }, svg).textContent = "Keine veröffentlichten Werte für diese Auswahl.";
      return;
    }
    // zero-based for data that cannot be negative: a small change is not drawn as a big one
    let lo = Math.min(0, ...all), hi = Math.max(...all);
    if (hi === lo) hi = lo + 1;
    const time = ind.perioden.map((p) => Date.parse(p));
    const t0 = time[0], t1 = time[time.length - 1] === t0 ? t0 + 1 : time[time.length - 1];
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const axis = el("g", { class: "achse" }, svg);
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "gitter" }, axis);
      el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, axis).textContent = fmt(v, ind.dezimalen);
    }
    const years = [...new Set(ind.perioden.map((p) => p.slice(0, 4)))];
    for (const year of years) {
      // a tick at each new year, the label in the middle of the year (clipped to the data)
      const start = Date.parse(`${year}-01-01`);
      if (start > t0 && start <= t1) el("line", { x1: x(start), x2: x(start), y1: H - B, y2: H - B + 5, class: "tick" }, axis);
      const mid = Math.min(Math.max(Date.parse(`${year}-07-01`), t0), t1);
      el("text", { x: x(mid), y: H - 10, "text-anchor": "middle" }, axis).textContent = year;
    }
    const pi = ind.perioden.indexOf(state.period);
    if (pi >= 0) el("line", { x1: x(time[pi]), x2: x(time[pi]), y1: T, y2: H - B, class: "stichtag" }, svg);
    for (const line of data) {
      const g = el("g", { class: "linie " + line.cls, "data-gebiet": line.id }, svg);
      let run = [];
      const flush = () => {
        if (run.length > 1) el("polyline", { points: run.join(" "), stroke: line.colour, "stroke-dasharray": line.dash || "none" }, g);
        else if (run.length === 1) { const [cx, cy] = run[0].split(","); el("circle", { cx, cy, r: 2.5, fill: line.colour }, g); }
        run = [];
      };
      line.values.forEach((v, i) => { if (v === null) flush(); else run.push(`${x(time[i]).toFixed(1)},${y(v).toFixed(1)}`); });
      flush();
      line.bounds.forEach((b, i) => {
        if (b) el("line", { x1: x(time[i]), x2: x(time[i]), y1: y(b[0]), y2: y(b[1]), stroke: line.colour, class: "intervall" }, g);
      });
      if (pi >= 0 && line.values[pi] !== null) el("circle", { cx: x(time[pi]), cy: y(line.values[pi]), r: 3.5, fill: line.colour, class: "punkt" }, g);
      const li = html("li");
      const key = el("svg", { width: 24, height: 10, "aria-hidden": "true" });
      el("line", { x1: 0, x2: 24, y1: 5, y2: 5, stroke: line.colour, "stroke-width": 2.5, "stroke-dasharray": line.dash || "none" }, key);
      const last = pi >= 0 ? line.values[pi] : null;
      li.append(key, html("span", {}, `${areaName(line.id)}${last !== null ? ": " + fmt(last, ind.dezimalen) + unitSuffix(ind) : ""}`));
      legend.appendChild(li);
    }
  }

  // --- comparison ----------------------------------------------------------------------------------
  function renderCompare() {
    const box = $("vergleich-inhalt");
    box.replaceChildren();
    if (!state.compare.length) {
      box.appendChild(html("p", { class: "hinweis" }, `Bis zu ${COMPARE_MAX} Gebiete über „Zum Vergleich hinzufügen“ im Profil sammeln.`));
      return;
    }
    const chips = html("ul", { class: "chips" });
    state.compare.forEach((id, i) => {
      const li = html("li");
      li.style.borderColor = SERIES_COLOURS[i];
      const remove = html("button", { type: "button", "aria-label": `${areaName(id)} aus dem Vergleich entfernen` }, "×");
      remove.addEventListener("click", () => { state.compare = state.compare.filter((c) => c !== id); update(false); $("vergleichen").focus(); });
      li.append(html("span", {}, areaName(id)), remove);
      chips.appendChild(li);
    });
    box.appendChild(chips);
    const table = html("table", { class: "daten vergleich" });
    const head = html("tr");
    head.appendChild(html("th", { scope: "col" }, "Indikator"));
    for (const id of state.compare) head.appendChild(html("th", { scope: "col" }, areaName(id)));
    table.appendChild(html("thead")).appendChild(head);
    const body = table.appendChild(html("tbody"));
    for (const ind of D.indikatoren) {
      const cells = state.compare.map((id) => valueFor(ind, id, state.period));
      if (cells.every((c) => c.p === null)) continue;
      const tr = html("tr", { "data-indikator": ind.id });
      if (ind.id === state.ind) tr.className = "aktiv";
      tr.appendChild(html("th", { scope: "row" }, ind.name));
      for (const c of cells) tr.appendChild(valueCell(ind, c.p === null ? null : c.c));
      body.appendChild(tr);
    }
    box.appendChild(table);
  }

  // --- definition -----------------------------------------------------------------------------------
  function renderDefinition() {
    const ind = IND.get(state.ind);
    $("definition-titel").textContent = `Definition: ${ind.name}`;
    const dl = $("definition-liste");
    dl.replaceChildren();
    const rows = [
      ["Definition", ind.definition], ["Formel", ind.formel], ["Einheit", ind.einheit],
      ["Quelle", ind.quelle], ["Stichtage", ind.stichtage],
      ["Zeitreihenbrüche", ind.zeitreihenbrueche || "keine bekannt"],
      ["Interpretationshinweis", ind.interpretation], ["Lesart", ind.polaritaet],
    ];
    for (const [k, v] of rows) if (v) dl.append(html("dt", {}, k), html("dd", {}, v));
    const link = $("indikatorenblatt");
    if (D.bericht) {
      link.href = `${D.bericht}#def-${ind.id}`;
      link.hidden = false;
    } else link.hidden = true;
  }

  // --- CSV of the current view (German Excel: semicolon, UTF-8 with BOM, decimal comma) -------------
  function csvField(text) {
    const s = String(text);
    return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }
  function csvText() {
    const { ind, rows } = currentView();
    const level = LEVELS.get(state.level);
    const d = ind.dezimalen;
    const lines = [["Gebiet-ID", "Gebiet", "Ebene", "Indikator", "Bezeichnung", "Stichtag", "Wert", "Zeichen", "Untergrenze", "Obergrenze", "Einheit"]];
    for (const { id, c } of rows) {
      const symbol = symbolOf(c);
      const bounds = Array.isArray(c) ? c : [null, null, null];
      const value = typeof c === "number" ? c : c === "-" ? 0 : null;
      lines.push([
        id, areaName(id), level.name, ind.id, ind.name, fmtDate(state.period),
        value === null ? "" : fmtPlain(value, d),
        symbol === null ? "" : symbol === "none" ? "" : symbol,
        bounds[1] === null ? "" : fmtPlain(bounds[1], d + 2), bounds[2] === null ? "" : fmtPlain(bounds[2], d + 2),
        ind.einheit,
      ]);
    }
    return "\ufeff" + lines.map((l) => l.map(csvField).join(";")).join("\r\n") + "\r\n";
  }
  function download() {
    const blob = new Blob([csvText()], { type: "text/csv;charset=utf-8" });
    const a = html("a", { href: URL.createObjectURL(blob), download: `sozialatlas_${state.ind}_${state.level}_${state.period}.csv` });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  // --- state in the address (a view can be bookmarked and sent) --------------------------------------
  function writeHash() {
    const parts = [["indikator", state.ind], ["stichtag", state.period], ["ebene", state.level]];
    if (state.area) parts.push(["gebiet", state.area]);
    if (state.compare.length) parts.push(["vergleich", state.compare.join(",")]);
    history.replaceState(null, "", "#" + parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"));
  }
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (IND.has(params.get("indikator"))) state.ind = params.get("indikator");
    if (params.get("stichtag")) state.period = params.get("stichtag");
    if (LEVELS.has(params.get("ebene"))) state.level = params.get("ebene");
    if (D.gebiete[params.get("gebiet")]) state.area = params.get("gebiet");
    state.compare = (params.get("vergleich") || "").split(",").filter((id) => D.gebiete[id]).slice(0, COMPARE_MAX);
  }

  // --- wiring -----------------------------------------------------------------------------------------
  function select(id) {
    state.area = id || null;
    fillAreas();
    markSelection();
    renderProfile();
    renderSeries();
    writeHash();
  }
  function update(controlsToo) {
    if (controlsToo) { fillIndicators(); fillPeriods(); fillLevels(); fillAreas(); }
    renderMap();
    renderTable();
    renderProfile();
    renderSeries();
    renderCompare();
    renderDefinition();
    writeHash();
  }
  let PATTERNS = null;
  function init() {
    PATTERNS = document.getElementById("muster").querySelector("defs");
    const first = IND.get("sgb2_quote") || D.indikatoren[0];
    if (!first) {
      $("atlas").replaceChildren(html("p", { class: "hinweis" }, "In der Publikationszone liegen keine Indikatorwerte vor."));
      document.body.dataset.bereit = "1";
      return;
    }
    state.ind = first.id;
    state.period = D.standard_periode;
    readHash();
    settle();
    $("indikator").addEventListener("change", (e) => { state.ind = e.target.value; settle(); update(true); });
    $("periode").addEventListener("change", (e) => { state.period = e.target.value; update(false); });
    $("ebene").addEventListener("change", (e) => { state.level = e.target.value; fillAreas(); update(false); });
    $("gebiet").addEventListener("change", (e) => select(e.target.value));
    $("csv").addEventListener("click", download);
    $("vergleichen").addEventListener("click", () => {
      if (state.area && !state.compare.includes(state.area) && state.compare.length < COMPARE_MAX) state.compare.push(state.area);
      update(false);
    });
    $("definition-zeigen").addEventListener("click", () => {
      const panel = $("definition"), open = panel.hidden;
      panel.hidden = !open;
      $("definition-zeigen").setAttribute("aria-expanded", String(open));
      if (open) $("definition-titel").focus();
    });
    const map = $("karte");
    map.addEventListener("click", (e) => { const t = e.target.closest(".gebiet"); if (t) select(t.dataset.gebiet); });
    // the focus ring drawn above every neighbour (a path's own stroke is half covered by them)
    map.addEventListener("focusin", (e) => {
      const t = e.target.closest && e.target.closest(".gebiet");
      const layer = document.querySelector("#karte .fokus-ebene");
      if (!t || !layer) return;
      layer.replaceChildren();
      if (!t.matches(":focus-visible")) return; // a mouse click shows the selection, no ring
      el("path", { d: t.getAttribute("d"), class: "fokus-ring" }, layer);
      el("path", { d: t.getAttribute("d"), class: "fokus-kern" }, layer);
    });
    map.addEventListener("focusout", () => {
      const layer = document.querySelector("#karte .fokus-ebene");
      if (layer) layer.replaceChildren();
    });
    map.addEventListener("keydown", (e) => {
      const t = e.target.closest && e.target.closest(".gebiet");
      if (t && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); select(t.dataset.gebiet); }
    });
    update(true);
    document.body.dataset.bereit = "1";
    window.atlasLadezeit = performance.now();
  }
  init();
})();
