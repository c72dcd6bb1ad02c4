"""Chapters beyond the indicator domains: reading notes, social index, controlling, goals
and the note on disclosure control."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from pipelines.publish.tables import TABLES

from .context import Context, level_title, note
from .formatting import (
    SYMBOL_LEGEND,
    bounds_text,
    decimals_for_unit,
    esc,
    fmt_date,
    fmt_number,
    fmt_signed,
    plot_value,
    unit_label,
)
from .maps import GREY_FILL, choropleth, legend_html, palette_for, render_map
from .reader import PUBLISH_TABLES, Row
from .sections import Chapter

STATUS_CLASSES = ["hoch", "mittel", "niedrig", "sehr niedrig"]
DYNAMIK_CLASSES = ["positiv", "stabil", "negativ"]
# One hue per status class (green = high status ... red = very low), lighter for a
# positive and darker for a negative dynamic: the 12 groups read as a 4 x 3 matrix.
GROUP_COLOURS = {
    "hoch": ["#d9f0d3", "#a6dba0", "#5aae61"],
    "mittel": ["#fff7bc", "#fee391", "#fec44f"],
    "niedrig": ["#fdd0a2", "#fdae6b", "#f16913"],
    "sehr niedrig": ["#fcbba1", "#ef3b2c", "#a50f15"],
}
KENNZAHL_LABELS = {
    "budget_ausschoepfung": "Budgetausschöpfung (Ist in % des Plans)",
    "budget_abweichung": "Budgetabweichung (Ist − Plan)",
    "kdu_je_bg": "Kosten der Unterkunft je Bedarfsgemeinschaft",
    "grusi_kosten_je_empfaenger": "Grundsicherungskosten je Empfängerin/Empfänger",
    "hze_kosten_je_fall": "Kosten je Fall der Hilfen zur Erziehung",
    "hze_kosten_abgleich": "Abgleich Fallkosten und Haushalt (HzE, Inobhutnahme)",
}


def opening_or_missing(
    ctx: Context, anchor: str, title: str, table: str, section: str
) -> tuple[list[str], Chapter | None]:
    """A chapter's opening parts; with its table missing or empty, the whole chapter as
    that note instead (second value)."""
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>']
    missing = table_status_note(ctx, table, section)
    if missing:
        return parts, Chapter(anchor, title, "".join([*parts, missing, "</section>"]), [])
    return parts, None


def table_status_note(ctx: Context, table: str, section: str) -> str | None:
    """German note when a table is missing or empty; None when it has rows."""
    if table not in ctx.data.present:
        return note(
            f"Die Tabelle „{table}“ ist in der Publikationsdatei nicht vorhanden; "
            f"der Abschnitt {section} entfällt."
        )
    if ctx.data.present[table] == 0:
        return note(
            f"Die Tabelle „{table}“ enthält keine Zeilen; der Abschnitt {section} entfällt."
        )
    return None


def _norm_class(value: object) -> str:
    return str(value or "").strip().lower().replace("_", " ")


# --- Lesehinweise -----------------------------------------------------------------------


def reading_notes(ctx: Context, number: str) -> Chapter:
    anchor, title = "lesehinweise", f"{number} Lesehinweise und Zeichenerklärung"
    rows = "".join(
        f"<tr><th scope='row' class='sym'>{esc(s)}</th><td>{esc(t)}</td></tr>"
        for s, t in SYMBOL_LEGEND.items()
    )
    rows += (
        "<tr><th scope='row' class='sym'>u</th><td>unsicherer Wert: enthält an der Quelle "
        "geheimgehaltene Teilwerte; Ober- und Untergrenze im Tooltip</td></tr>"
        "<tr><th scope='row' class='sym'>r</th><td>auf den aktuellen Gebietsstand "
        "umgerechnet (Gebietsreform)</td></tr>"
        "<tr><th scope='row' class='sym'>(leer)</th><td>kein Wert geliefert</td></tr>"
    )
    tables = []
    for table in PUBLISH_TABLES:
        n = ctx.data.present.get(table)
        state = "fehlt" if n is None else ("leer" if n == 0 else f"{fmt_number(n, 0)} Zeilen")
        tables.append(f"<li>{esc(TABLES[table].title)} ({esc(table)}): {state}</li>")
    levels = ", ".join(level_title(lv) for lv in ctx.data.levels) or "keine"
    html = (
        f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>'
        "<p>Alle Zahlen stammen aus der geheimhaltungsgeprüften Publikationszone des "
        "Sozialmonitors. Quoten werden aus Zählern und Nennern berechnet, gröbere Gebiete aus "
        "summierten Zählern und Nennern, nie als Mittel der Quoten ihrer Teilgebiete. "
        "Zahlen werden im deutschen Format gezeigt (Tausenderpunkt, Dezimalkomma); "
        "Zähler und Nenner erscheinen als Tooltip über jedem Wert.</p>"
        f"<p>Gebietsebenen (grob bis fein): {esc(levels)}.</p>"
        f'<h3 id="zeichen">Zeichenerklärung</h3><table class="legend-table">{rows}</table>'
        f'<h3>Datengrundlage</h3><ul class="tables">{"".join(tables)}</ul></section>'
    )
    return Chapter(anchor, title, html)


# --- Sozialindex ------------------------------------------------------------------------


def _share_columns(rows: list[Row]) -> list[str]:
    keys = list(rows[0]) if rows else []
    return [k for k in keys if f"{k}_dynamik" in keys and not k.startswith(("z_", "ausschluss"))]


def group_colour(status: str, dynamik: str) -> str:
    hues = GROUP_COLOURS.get(status)
    if hues is None or dynamik not in DYNAMIK_CLASSES:
        return GREY_FILL
    return hues[DYNAMIK_CLASSES.index(dynamik)]


def is_dark(colour: str) -> bool:
    """Whether white text reads better on this '#rrggbb' fill (relative luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45


def _index_matrix(rows: list[Row]) -> str:
    counts: Counter = Counter()
    people: Counter = Counter()
    groups: dict[tuple[str, str], object] = {}
    for row in rows:
        pair = (_norm_class(row.get("status_klasse")), _norm_class(row.get("dynamik_klasse")))
        counts[pair] += 1
        people[pair] += row.get("einwohner") or 0
        if row.get("gruppe") is not None:
            groups[pair] = row["gruppe"]
    head = "".join(f'<th scope="col">Dynamik {esc(d)}</th>' for d in DYNAMIK_CLASSES)
    body = []
    for status in STATUS_CLASSES:
        tds = []
        for dyn in DYNAMIK_CLASSES:
            pair = (status, dyn)
            group = f"Gruppe {groups[pair]}: " if pair in groups else ""
            colour = group_colour(status, dyn)
            css = " ".join(
                c for c, on in (("dark", is_dark(colour)), ("empty", counts[pair] == 0)) if on
            )
            tds.append(
                f'<td class="{css}" style="background:{colour}"><span class="grp">'
                f"{esc(group)}</span>{counts[pair]} Gebiete<br>"
                f"{fmt_number(people[pair], 0)} Einw.</td>"
            )
        body.append(f'<tr><th scope="row">Status {esc(status)}</th>{"".join(tds)}</tr>')
    return (
        f'<table class="matrix"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _index_map(ctx: Context, rows: list[Row], label: str) -> str:
    base = ctx.map_base
    if base is None:
        return note("Keine Gebietsgeometrien veröffentlicht: die Karte entfällt.")
    levels = Counter(
        ctx.data.areas[str(r["gebiet_id"])].ebene
        for r in rows
        if str(r["gebiet_id"]) in ctx.data.areas
    )
    if not levels:
        return note("Die Gebiete des Sozialindex sind im Gebietsverzeichnis nicht enthalten.")
    level = levels.most_common(1)[0][0]
    fills = {}
    for row in rows:
        gid, name = str(row["gebiet_id"]), ctx.name(row["gebiet_id"])
        status, dyn = _norm_class(row.get("status_klasse")), _norm_class(row.get("dynamik_klasse"))
        if row.get("ausschluss_grund") or not status:
            reason = row.get("ausschluss_grund") or "kein Index"
            fills[gid] = (GREY_FILL, f"{name}: nicht indexiert ({reason})")
        else:
            fills[gid] = (
                group_colour(status, dyn),
                f"{name}: Status {status}, Dynamik {dyn}, Gruppe {row.get('gruppe')}",
            )
    present: dict[tuple[str, str], object] = {}
    for row in rows:
        pair = (_norm_class(row.get("status_klasse")), _norm_class(row.get("dynamik_klasse")))
        if pair[0] and not row.get("ausschluss_grund"):
            present.setdefault(pair, row.get("gruppe"))
    order = {s: i for i, s in enumerate(STATUS_CLASSES)}
    items = [
        (group_colour(st, dy), f"Gruppe {present[(st, dy)]}: Status {st}, Dynamik {dy}")
        for st, dy in sorted(
            present,
            key=lambda p: (
                order.get(p[0], 9),
                DYNAMIK_CLASSES.index(p[1]) if p[1] in DYNAMIK_CLASSES else 9,
            ),
        )
    ]
    legend = legend_html(
        [*items, (GREY_FILL, "nicht indexiert (Ausschluss)"), ("#ffffff", "keine Daten")],
        "Gruppen (Status / Dynamik)",
    )
    return (
        f'<figure class="map-figure"><div class="map-wrap">'
        f"{render_map(base, level, fills, label)}{legend}</div>"
        f"<figcaption>{esc(label)}</figcaption></figure>"
    )


def _index_table(ctx: Context, rows: list[Row]) -> str:
    shares = _share_columns(rows)
    head = ["Gebiet", "Einwohner"]
    head += [ctx.label(s) + " (%)" for s in shares]
    head += [f"Veränderung {ctx.label(s)} (Pp.)" for s in shares]
    head += ["Status-Index", "Status", "Dynamik-Index", "Dynamik", "Gruppe", "Ausschluss"]
    body = []
    for row in sorted(rows, key=lambda r: str(r["gebiet_id"])):

        def num(key: str, dec: int = 2, signed: bool = False, r: Row = row) -> str:
            value = r.get(key)
            text = fmt_signed(value, dec) if signed else fmt_number(value, dec)
            return f'<td class="num">{text}</td>'

        cells = [num("einwohner", 0)]
        cells += [num(s, 1) for s in shares]
        cells += [num(f"{s}_dynamik", 1, True) for s in shares]
        cells += [
            num("status_index", 2, True),
            f"<td>{esc(row.get('status_klasse') or '')}</td>",
            num("dynamik_index", 2, True),
            f"<td>{esc(row.get('dynamik_klasse') or '')}</td>",
            f"<td class='num'>{esc(row.get('gruppe') or '')}</td>",
            f"<td>{esc(row.get('ausschluss_grund') or '')}</td>",
        ]
        gid = str(row["gebiet_id"])
        body.append(
            f'<tr><th scope="row"><span class="key">{esc(gid)}</span> {esc(ctx.name(gid))}</th>'
            f"{''.join(cells)}</tr>"
        )
    ths = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    return (
        f'<div class="table-scroll"><table class="data compact"><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def sozialindex_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "sozialindex", f"{number} Sozialindex"
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>']
    subs: list[tuple[str, str]] = []
    missing = table_status_note(ctx, "sozialindex", "Sozialindex")
    rows = ctx.data.sozialindex
    if missing:
        parts.append(missing)
    elif not rows:
        parts.append(
            note(
                f"Zum Stichtag {fmt_date(ctx.data.periode)} oder davor liegt kein Sozialindex vor."
            )
        )
    else:
        stand = fmt_date(ctx.data.sozialindex_periode)
        shares = ", ".join(ctx.label(s) for s in _share_columns(rows)) or "die Statusindikatoren"
        indexed = [r for r in rows if not r.get("ausschluss_grund") and r.get("status_klasse")]
        parts.append(
            f"<p>Stand {stand}. Der Index folgt dem Verfahren des Berliner Monitorings Soziale "
            f"Stadtentwicklung: Die Statusindikatoren ({esc(shares)}) und ihre Veränderung in "
            "Prozentpunkten werden über die einbezogenen Gebiete z-standardisiert (Mittelwert, "
            "Populations-Standardabweichung), zur Status- bzw. Dynamiksumme addiert und erneut "
            "standardisiert. Ein höherer Index bedeutet eine stärkere soziale Benachteiligung. "
            "Status-Klassen: hoch (Index unter −1), mittel (−1 bis 1), niedrig (über 1 bis 1,5), "
            "sehr niedrig (über 1,5); Dynamik-Klassen: positiv (höchstens −1), stabil, negativ "
            f"(mindestens 1). {len(indexed)} von {len(rows)} Gebieten sind indexiert; "
            "ausgeschlossen sind Gebiete mit zu wenigen Einwohnerinnen und Einwohnern und "
            "ausdrücklich ausgenommene Gebiete.</p>"
        )
        for k, (sub_title, html) in enumerate(
            [
                ("Gesamtindex: Status und Dynamik", _index_matrix(indexed)),
                (
                    "Karte der zwölf Gruppen",
                    _index_map(ctx, rows, f"Gesamtindex Soziale Ungleichheit, Stand {stand}"),
                ),
                ("Werte aller Gebiete", _index_table(ctx, rows)),
            ],
            start=1,
        ):
            sub_anchor, full = f"{anchor}-{k}", f"{number}.{k} {sub_title}"
            subs.append((sub_anchor, full))
            parts.append(f'<h3 id="{sub_anchor}">{esc(full)}</h3>{html}')
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), subs)


# --- Controlling ------------------------------------------------------------------------


def _kennzahl_label(ctx: Context, kennzahl: str) -> str:
    entry = ctx.data.catalogue.get(kennzahl)
    if entry and entry.get("bezeichnung"):
        return str(entry["bezeichnung"])
    return KENNZAHL_LABELS.get(kennzahl, kennzahl)


def pick_budget_year(rows: list[Row], periode: date) -> object:
    """The budget year of the reference date, else the latest earlier one, else the latest."""
    years = sorted({r.get("haushaltsjahr") for r in rows if r.get("haushaltsjahr") is not None})
    if not years:
        return None
    earlier = [y for y in years if int(y) <= periode.year]
    return earlier[-1] if earlier else years[-1]


def _money(value: object) -> str:
    return "" if value is None else fmt_number(float(value), 0)


def _controlling_table(ctx: Context, rows: list[Row]) -> str:
    has = {
        c: any(r.get(c) is not None for r in rows)
        for c in ("schluessel", "bezeichnung", "gebiet_id", "plan", "ist")
    }
    # areas by their names (the key is in the map's key list)
    head = ["Gebiet"] if has["gebiet_id"] else ["Schlüssel"] if has["schluessel"] else []
    head += ["Bezeichnung"] if has["bezeichnung"] and not has["gebiet_id"] else []
    head += ["Plan (EUR)"] if has["plan"] else []
    head += ["Ist (EUR)"] if has["ist"] else []
    head += ["Wert"]
    body = []
    for row in rows:
        unit = str(row.get("einheit") or "")
        cells = []
        if "Gebiet" in head:
            gid = row.get("gebiet_id")
            cells.append(f"<td>{esc(ctx.name(gid) if gid else row.get('bezeichnung') or '')}</td>")
        if "Schlüssel" in head:
            cells.append(f"<td>{esc(row.get('schluessel') or '')}</td>")
        if "Bezeichnung" in head:
            label = row.get("bezeichnung") or (
                ctx.name(row["gebiet_id"]) if row.get("gebiet_id") else ""
            )
            cells.append(f"<td>{esc(label)}</td>")
        if has["plan"]:
            cells.append(f'<td class="num">{_money(row.get("plan"))}</td>')
        if has["ist"]:
            cells.append(f'<td class="num">{_money(row.get("ist"))}</td>')
        if row.get("symbol"):
            value = esc(row["symbol"])
        elif row.get("wert") is None:
            value = ""
        else:
            value = f"{fmt_number(float(row['wert']), decimals_for_unit(unit))} {esc(unit)}"
        cells.append(f'<td class="num">{value}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    numeric = {"Plan (EUR)", "Ist (EUR)", "Wert"}
    ths = "".join(
        f'<th scope="col"{" class=num" if h in numeric else ""}>{esc(h)}</th>' for h in head
    )
    return (
        f'<div class="table-scroll"><table class="data"><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _area_kennzahl(ctx: Context, label: str, rows: list[Row]) -> str:
    """A per-area figure (e.g. cost per case): one table per level and a map."""
    by_level: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        area = ctx.data.areas.get(str(row.get("gebiet_id")))
        by_level[area.ebene if area else ""].append(row)
    levels = [lv for lv in ctx.data.levels if lv in by_level]
    tables = [
        (
            level_title(lv),
            _controlling_table(ctx, sorted(by_level[lv], key=lambda r: str(r["gebiet_id"]))),
        )
        for lv in levels
    ]
    html = ctx.tabs(tables)
    base = ctx.map_base
    if base is None:
        return html
    units = {str(r.get("einheit") or "") for r in rows}
    unit = units.pop() if len(units) == 1 else ""
    maps = []
    for lv in base.levels:
        if lv not in by_level:
            continue
        cells = {
            str(r["gebiet_id"]): (plot_value(r.get("wert"), r.get("symbol")), r.get("symbol"))
            for r in by_level[lv]
        }
        maps.append(
            (
                level_title(lv),
                choropleth(
                    base,
                    lv,
                    cells,
                    {g: ctx.name(g) for g in cells},
                    unit=unit,
                    decimals=decimals_for_unit(unit),
                    palette=palette_for(None),
                    label=f"Karte {label}, {level_title(lv)}",
                ),
            )
        )
    if maps:
        html += (
            f'<figure class="map-figure">{ctx.tabs(maps, default=len(maps) - 1)}'
            f"<figcaption>{esc(label)} nach Gebieten.</figcaption></figure>"
        )
    return html


# --- Zielerreichung ---------------------------------------------------------------------


def goal_status(row: Row) -> tuple[str, str]:
    """(css class, German text) of a goal row."""
    met = row.get("erreicht")
    if met is None:
        return "open", "nicht bewertbar"
    return ("met", "erreicht") if bool(met) else ("missed", "nicht erreicht")


def goals_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "ziele", f"{number} Zielerreichung"
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>']
    missing = table_status_note(ctx, "zielerreichung", "Zielerreichung")
    if missing:
        parts.append(missing)
    else:
        parts.append(
            "<p>Politisch beschlossene Zielwerte und der Istwert des Indikators zum 31.12. des "
            "Zieljahres (oder zum letzten verfügbaren Stichtag des Jahres).</p>"
        )
        body = []
        # ids by delivery order: the key statements link to them (ziel-0, ziel-1, ...)
        rows = sorted(
            enumerate(ctx.data.ziele),
            key=lambda ir: (
                -(ir[1].get("jahr") or 0),
                str(ir[1].get("indikator_id")),
                str(ir[1].get("gebiet_id") or ""),
            ),
        )
        for i, row in rows:
            ind = str(row.get("indikator_id"))
            unit = str(ctx.data.catalogue.get(ind, {}).get("einheit") or "")
            dec = decimals_for_unit(unit)
            gid = row.get("gebiet_id")
            area = ctx.name(gid) if gid else ctx.city_name + " (Gesamtstadt)"
            richtung = {"hoechstens": "höchstens", "mindestens": "mindestens"}.get(
                str(row.get("richtung")), str(row.get("richtung") or "")
            )
            ist = esc(row["symbol"]) if row.get("symbol") else fmt_number(row.get("istwert"), dec)
            if row.get("istwert") is None and bounds_text(row, dec):
                # undecided or decided by bounds: the interval of the actual value
                ist = bounds_text(row, dec)
            css, text = goal_status(row)
            body.append(
                f'<tr id="ziel-{i}"><td>{esc(ctx.label(ind))}</td><td>{esc(area)}</td>'
                f'<td class="num">{esc(row.get("jahr"))}</td>'
                f'<td class="num">{esc(richtung)} {fmt_number(row.get("zielwert"), dec)} '
                f'{esc(unit_label(unit))}</td><td class="num">{ist}</td>'
                f'<td class="num">{fmt_signed(row.get("abstand"), dec)}</td>'
                f'<td><span class="badge {css}">{text}</span></td>'
                f"<td>{esc(row.get('beschluss') or '')}</td></tr>"
            )
        head = "".join(
            f'<th scope="col">{h}</th>'
            for h in (
                "Indikator",
                "Gebiet",
                "Jahr",
                "Ziel",
                "Ist",
                "Abstand",
                "Ergebnis",
                "Beschluss",
            )
        )
        parts.append(
            f'<div class="table-scroll"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts))


# --- Anhang -----------------------------------------------------------------------------


def disclosure_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "geheimhaltung", f"{number} Statistische Geheimhaltung"
    symbols = Counter(r.get("symbol") for r in ctx.data.current if r.get("symbol"))
    uncertain = sum(1 for r in ctx.data.current if r.get("unsicher"))
    counts = (
        "".join(
            f"<li><b>{esc(s)}</b> {esc(SYMBOL_LEGEND.get(s, ''))}: {fmt_number(n, 0)} Werte</li>"
            for s, n in sorted(symbols.items())
        )
        or "<li>keine</li>"
    )
    html = (
        f'<section class="chapter appendix" id="{anchor}"><h2>{esc(title)}</h2>'
        "<p>Sozialdaten sind durch § 35 SGB I und §§ 67 ff. SGB X geschützt. Dieser Bericht "
        "wird ausschließlich aus der geheimhaltungsgeprüften Publikationszone erstellt; er "
        "enthält keine Einzeldaten. Die Regeln folgen der Praxis der Bundesagentur für "
        "Arbeit:</p><ul>"
        "<li><b>Primäre Geheimhaltung:</b> Fallzahlen von 1 oder 2 (unter der Mindestfallzahl, "
        "Standard 3) werden als <b>*</b> ohne Wert veröffentlicht, null als <b>-</b>.</li>"
        "<li><b>Quoten</b> werden geheimgehalten, wenn ihr Zähler geheimgehalten ist, und für "
        "Gebiete mit weniger als der Mindesteinwohnerzahl (Standard 300) nicht veröffentlicht "
        "(<b>.</b>).</li>"
        "<li><b>Sekundäre Geheimhaltung:</b> Kein geheimgehaltener Wert darf sich durch "
        "Addieren oder Subtrahieren veröffentlichter Werte entlang der Gebietshierarchie oder "
        "bekannter Summenbeziehungen zurückrechnen lassen; dazu werden weitere Werte "
        "geheimgehalten.</li>"
        "<li>An der Quelle geheimgehaltene Werte bleiben geheim; Summen darüber sind als "
        "unsicher (<b>u</b>) gekennzeichnet und tragen Unter- und Obergrenzen.</li></ul>"
        f"<p>In den Indikatoren dieses Berichts (Stichtag {fmt_date(ctx.data.periode)}, alle "
        f"Ebenen) betrifft das:</p><ul>{counts}"
        f"<li><b>u</b> unsichere Werte: {fmt_number(uncertain, 0)}</li></ul>"
        "<p>Jede Geheimhaltung ist im Prüfprotokoll des Data Warehouse mit Regel und Zelle "
        "dokumentiert, ohne den Wert selbst.</p></section>"
    )
    return Chapter(anchor, title, html, appendix=True)
