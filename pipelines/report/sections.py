"""Chapters on the indicators: key figures of the city and one chapter per domain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .charts import LINE_COLOURS, Series, indexed, line_chart
from .context import (
    Context,
    Indicator,
    cell_html,
    cell_parts,
    level_title,
    note,
    slug,
    symbol_footnote,
)
from .formatting import esc, fmt_date, fmt_number, fmt_signed, row_value, unit_label
from .maps import MAX_LABELS, MapBase, choropleth, palette_for, proportional_map
from .reader import Row

# Key figures preferred on the first page (ids of the default catalogue); when a city's
# catalogue lacks them, the first indicator of each domain stands in.
KEY_FIGURES = [
    "ew",
    "anteil_u18",
    "anteil_65plus",
    "sgb2_quote",
    "sgb2_kinderarmut",
    "sgb2_alo_anteil",
    "transferbezug",
    "grusi_alter_quote",
    "hze_quote",
]
MAX_SERIES_AREAS = 12


@dataclass
class Chapter:
    anchor: str
    title: str  # with number
    html: str
    subs: list[tuple[str, str]] = field(default_factory=list)  # (anchor, title)
    appendix: bool = False


def _year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29.02.
        return d.replace(year=d.year - 1, day=28)


def is_count(einheit: str) -> bool:
    return einheit.strip().lower() in ("anzahl", "personen", "fälle", "faelle")


def print_level(base: MapBase) -> str:
    """The level a printed map shows: the finest whose numbers can still be read."""
    readable = [lv for lv in base.levels if len(base.areas(lv)) <= MAX_LABELS]
    return readable[-1] if readable else base.levels[0]


def change_text(ind: Indicator, now: float, before: float) -> str:
    """'+0,4 Pp. gegenüber Vorjahr' for shares, '+1,2 %' for counts, unit else."""
    if ind.einheit.strip() == "%":
        return f"{fmt_signed(now - before, 1)} Prozentpunkte gegenüber Vorjahr"
    if ind.einheit.strip().lower() == "anzahl" and before:
        return f"{fmt_signed((now - before) / before * 100, 1)} % gegenüber Vorjahr"
    unit = f" {ind.einheit}" if ind.einheit else ""
    return f"{fmt_signed(now - before, ind.decimals)}{unit} gegenüber Vorjahr"


def key_figures(ctx: Context, number: str) -> Chapter:
    anchor, title = "kennzahlen", f"{number} Kennzahlen der Stadt im Überblick"
    city = ctx.city_id
    indicators = {i.indikator_id: i for i in ctx.indicators()}
    chosen = [indicators[i] for i in KEY_FIGURES if i in indicators]
    if len(chosen) < 4:
        for _, inds in ctx.domains():
            if inds[0] not in chosen:
                chosen.append(inds[0])
    cards = []
    for ind in chosen[:8]:
        row = next((r for r in ind.rows if str(r["gebiet_id"]) == city), None)
        if row is None:
            continue
        value = cell_parts(row, ind.decimals)[0]
        previous = ctx.previous(ind.indikator_id, city)
        now_v = row_value(row)
        before_v = row_value(previous)
        delta = (
            change_text(ind, now_v, before_v)
            if now_v is not None and before_v is not None
            else "kein Vorjahresvergleich"
        )
        cards.append(
            f'<div class="card"><p class="card-label">{esc(ind.label)}</p>'
            f'<p class="card-value">{value} <span class="unit">{esc(unit_label(ind.einheit))}'
            f'</span></p><p class="card-delta">{esc(delta)}</p>'
            f'<p class="card-date">Stand {fmt_date(ind.periode)}</p></div>'
        )
    if not cards:
        body = note(
            "Für die Gesamtstadt liegen zum Stichtag keine veröffentlichten Kennzahlen vor."
        )
    else:
        body = f'<div class="cards">{"".join(cards)}</div>'
    intro = (
        f"<p>Die wichtigsten Kennzahlen für {esc(ctx.city_name)} zum Stichtag "
        f"{fmt_date(ctx.data.periode)} (oder zum letzten davor verfügbaren Datenstand), "
        "jeweils mit der Veränderung gegenüber demselben Stichtag des Vorjahres.</p>"
    )
    html = f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>{intro}{body}</section>'
    return Chapter(anchor, title, html)


def level_table(ctx: Context, inds: list[Indicator], level: str) -> str:
    """One table: areas of one level as rows, the domain's indicators as columns."""
    city = ctx.city_id
    cells: dict[str, dict[str, Row]] = defaultdict(dict)
    used_rows: list[Row] = []
    for ind in inds:
        for row in ind.rows:
            if row["ebene"] == level:
                cells[str(row["gebiet_id"])][ind.indikator_id] = row
                used_rows.append(row)
    if not cells:
        return note(f"Auf der Ebene {level_title(level)} liegen keine Werte vor.")
    head = "".join(
        f'<th scope="col" class="num">{esc(ind.label)}'
        f'<span class="th-unit">{esc(unit_label(ind.einheit) or "Anzahl")}'
        + (f", {fmt_date(ind.periode)}" if ind.periode != ctx.data.periode else "")
        + "</span></th>"
        for ind in inds
    )
    body = []
    city_rows = [(city, True)] if city and level != ctx.city_level else []
    for gid, is_city in [(g, False) for g in sorted(cells)] + city_rows:
        row_cells = cells.get(gid) or {
            ind.indikator_id: r for ind in inds for r in ind.rows if str(r["gebiet_id"]) == gid
        }
        used_rows += list(row_cells.values()) if is_city else []
        tds = "".join(
            cell_html(row_cells[i.indikator_id], i.decimals)
            if i.indikator_id in row_cells
            else '<td class="num"></td>'
            for i in inds
        )
        css = ' class="total"' if is_city else ""
        body.append(
            f'<tr{css}><th scope="row"><span class="key">{esc(gid)}</span> '
            f"{esc(ctx.name(gid))}</th>{tds}</tr>"
        )
    table = (
        f'<div class="table-scroll"><table class="data"><thead><tr><th scope="col">Gebiet</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return table + symbol_footnote(used_rows)


def indicator_map(ctx: Context, ind: Indicator) -> str:
    base = ctx.map_base
    if base is None:
        return note("Keine Gebietsgeometrien veröffentlicht: Karten entfallen.")
    panels, levels = [], []
    for level in base.levels:
        rows = [r for r in ind.rows if r["ebene"] == level]
        if not rows:
            continue
        cells = {str(r["gebiet_id"]): (row_value(r), r["symbol"]) for r in rows}
        label = f"Karte {ind.label}, {level_title(level)}, {fmt_date(ind.periode)}"
        names = {g: ctx.name(g) for g in base.areas(level)}
        if is_count(ind.einheit):
            svg = proportional_map(
                base, level, cells, names, unit="", decimals=ind.decimals, label=label
            )
        else:
            svg = choropleth(
                base,
                level,
                cells,
                names,
                unit=unit_label(ind.einheit),
                decimals=ind.decimals,
                palette=palette_for(ind.polaritaet),
                label=label,
            )
        panels.append((level_title(level), svg))
        levels.append(level)
    if not panels:
        return note("Für die kartierbaren Ebenen liegen keine Werte vor.")
    wanted = print_level(base)
    default = levels.index(wanted) if wanted in levels else len(panels) - 1
    tabs = ctx.tabs(panels, default=default, print_all=False)
    kind = (
        "Kreisfläche proportional zur Anzahl"
        if is_count(ind.einheit)
        else "Farbklassen nach Quantilen"
    )
    return (
        f'<figure class="map-figure">{tabs}<figcaption>{esc(ind.label)}, Stand '
        f"{fmt_date(ind.periode)}; {kind}. Dicke Linien: Grenzen der "
        f"{esc(level_title(base.district_level or ''))}e; Nummern: siehe Schlüssel. "
        "Gröbere Ebenen: Teilgebiete in der Farbe des übergeordneten Gebiets.</figcaption>"
        "</figure>"
    )


def indicator_chart(ctx: Context, ind: Indicator) -> str:
    chart_levels = ctx.data.levels[:2]
    by_area = {
        gid: rows
        for gid in ctx.series_areas(ind.indikator_id)
        if (rows := ctx.series(ind.indikator_id, gid)) and rows[0]["ebene"] in chart_levels
    }
    if not by_area:
        return note("Keine Zeitreihe verfügbar.")
    count = is_count(ind.einheit)

    def points(rows: list[Row]) -> list:
        values = [(r["periode"], row_value(r)) for r in rows]
        return indexed(values) if count else values

    series = []
    city = ctx.city_id
    others = sorted(g for g in by_area if g != city)
    if city in by_area:
        series.append(Series(ctx.name(city), points(by_area[city]), emphasis=True))
    extra = ""
    if len(others) > MAX_SERIES_AREAS:
        extra = note(f"{len(others)} Gebiete: nur die Gesamtstadt wird als Linie gezeigt.")
        others = []
    for i, gid in enumerate(others):
        series.append(
            Series(ctx.name(gid), points(by_area[gid]), colour=LINE_COLOURS[i % len(LINE_COLOURS)])
        )
    periods = {d for s in series for d, _ in s.points}
    svg = line_chart(
        series,
        unit="" if count else unit_label(ind.einheit),
        decimals=1 if count else ind.decimals,
        label=f"Zeitreihe {ind.label}",
    )
    if not svg:
        return note("Die Zeitreihe enthält nur geheimgehaltene oder fehlende Werte.")
    if len(periods) == 1:
        extra += note("Bisher liegt nur ein Zeitpunkt vor.")
    levels = " und ".join(level_title(lv) for lv in chart_levels)
    scale = (
        "Index, erster Wert jedes Gebiets = 100 (Anzahlen von Stadt und Teilgebieten auf "
        "einer Achse vergleichbar)"
        if count
        else unit_label(ind.einheit) or "Anzahl"
    )
    return (
        f'<figure class="chart-figure">{svg}<figcaption>Zeitreihe {esc(ind.label)} '
        f"({esc(scale)}), {esc(levels)}; Lücken: Wert "
        f"geheimgehalten oder nicht veröffentlicht.</figcaption>{extra}</figure>"
    )


def _definition_line(ctx: Context, ind: Indicator) -> str:
    entry = ctx.data.catalogue.get(ind.indikator_id, {})
    text = entry.get("definition")
    link = f' <a href="#def-{esc(ind.indikator_id)}">Definition im Anhang</a>'
    return f'<p class="definition">{esc(text or "")}{link}</p>'


def _city_value_line(ctx: Context, ind: Indicator) -> str:
    row = next((r for r in ind.rows if str(r["gebiet_id"]) == ctx.city_id), None)
    if row is None:
        return ""
    cell = cell_parts(row, ind.decimals)[0]
    return (
        f'<p class="city-value">{esc(ctx.city_name)}: <strong>{cell} '
        f"{esc(unit_label(ind.einheit))}</strong> (Stand {fmt_date(ind.periode)})</p>"
    )


def domain_chapter(ctx: Context, number: str, title: str, inds: list[Indicator]) -> Chapter:
    anchor = ctx.unique_anchor("bereich-" + slug(title))
    chapter_title = f"{number} {title}"
    subs: list[tuple[str, str]] = []
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(chapter_title)}</h2>']
    periods = sorted({i.periode for i in inds})
    parts.append(
        f"<p>{len(inds)} Indikator{'en' if len(inds) != 1 else ''}; Datenstand "
        f"{', '.join(fmt_date(p) for p in periods)}. Werte wie veröffentlicht "
        "(Geheimhaltung angewendet).</p>"
    )
    levels = ctx.area_levels or ctx.data.levels
    table_anchor = f"{anchor}-tabelle"
    table_title = f"{number}.1 Übersicht nach Gebieten"
    for ind in inds:
        ctx.table_anchors[ind.indikator_id] = table_anchor
    subs.append((table_anchor, table_title))
    panels = [(level_title(lv), level_table(ctx, inds, lv)) for lv in levels]
    parts.append(f'<h3 id="{table_anchor}">{esc(table_title)}</h3>{ctx.tabs(panels)}')
    for k, ind in enumerate(inds, start=2):
        sub_anchor = f"{anchor}-{k}"
        sub_title = f"{number}.{k} {ind.label}"
        subs.append((sub_anchor, sub_title))
        parts.append(
            f'<div class="indicator"><h3 id="{sub_anchor}">{esc(sub_title)}</h3>'
            f"{_city_value_line(ctx, ind)}{_definition_line(ctx, ind)}"
            f'<div class="figures">{indicator_map(ctx, ind)}{indicator_chart(ctx, ind)}</div>'
            "</div>"
        )
    parts.append("</section>")
    return Chapter(anchor, chapter_title, "".join(parts), subs)


def fmt_value_unit(value: float | None, unit: str, decimals: int) -> str:
    if value is None:
        return ""
    return f"{fmt_number(value, decimals)} {unit}".strip()
