"""The chapter "Bedarfsplanung": per facility type the Versorgungsquote and the Platzsaldo
today and in the projected horizon, maps of today's and the projected gap on the type's
planning level, and next to every projected figure the error the same projection method
made in the back-test (table `prognose_guete`).

Only published tables: `bedarfsplanung` and `prognose_guete`. A withheld value shows its
symbol (`*`, `.`), never a number.
"""

from __future__ import annotations

from collections import defaultdict

from pipelines.projection import ZIELGRUPPEN

from .chapters import opening_or_missing
from .context import Context, level_title, note
from .formatting import esc, fmt_number, fmt_signed
from .maps import PALETTES, choropleth, diverging_classes
from .reader import Row
from .sections import Chapter

ART_TITLES = {
    "kita_u3": "Kindertagesbetreuung unter 3 Jahren",
    "kita_ue3": "Kindertagesbetreuung ab 3 Jahren bis zum Schuleintritt",
    "grundschule": "Grundschulplätze",
    "jugendfreizeit": "Jugendfreizeiteinrichtungen",
    "seniorentreff": "Seniorentreffs",
    "beratung": "Beratungsstellen",
}
VARIANT_TITLES = {"ist": "Ist", "unten": "untere Variante", "mitte": "mittlere Variante",
                  "oben": "obere Variante"}  # fmt: skip
VARIANT_ORDER = {"ist": 0, "unten": 1, "mitte": 2, "oben": 3}
OPEN_AGE = 100  # the Bedarfseckwerte's "100 = 100 and older"
METHOD = "prognose"  # the projection's own rows of prognose_guete (not the baselines)


def target_group(alter_von: int, alter_bis: int) -> str:
    """The narrowest age group of the back-test that covers a type's band (0-5 for the
    Kitas, 6-9 for the Grundschule), else the total."""
    covering = [
        (hi - lo, label)
        for label, (lo, hi) in ZIELGRUPPEN.items()
        if hi is not None and lo <= alter_von and alter_bis <= hi
    ]
    return min(covering)[1] if covering else "gesamt"


def group_text(gruppe: str) -> str:
    lo, hi = ZIELGRUPPEN.get(gruppe, (0, None))
    return "alle Alter" if hi is None else f"Alter {lo} bis {hi}"


def backtest_error(
    guete: list[Row], ebene: str, gruppe: str, horizon: int
) -> tuple[float, int] | None:
    """Mean MAPE (%) of the projection method over the back-test base dates at this level,
    age group and horizon, and the horizon used (the longest tested one up to `horizon`)."""
    rows = [
        r
        for r in guete
        if r.get("methode") == METHOD
        and r.get("ebene") == ebene
        and r.get("zielgruppe") == gruppe
        and str(r.get("groessenklasse")) == "alle"
        and r.get("mape") is not None
    ]
    horizons = sorted(
        {int(r["horizont_jahre"]) for r in rows if int(r["horizont_jahre"]) <= horizon}
    )
    if not horizons:
        return None
    used = horizons[-1]
    values = [float(r["mape"]) for r in rows if int(r["horizont_jahre"]) == used]
    return sum(values) / len(values), used


def band_text(alter_von: int, alter_bis: int) -> str:
    if alter_bis >= OPEN_AGE:
        return f"ab {alter_von} Jahren" if alter_von else "aller Altersgruppen"
    return f"im Alter von {alter_von} bis {alter_bis} Jahren"


def error_text(err: tuple[float, int] | None, horizon: int, gruppe: str) -> str:
    if err is None:
        return "Prognosefehler der Methode im Rückblick: nicht geprüft"
    mape, used = err
    extra = "" if used == horizon else f", geprüft nur bis {used} Jahre"
    return (
        f"Prognosefehler der Methode im Rückblick: {fmt_number(mape, 1)} %{extra} "
        f"({group_text(gruppe)})"
    )


def _cell(row: Row, column: str, decimals: int, signed: bool = False) -> str:
    value = row.get(column)
    if value is None:
        return esc(row.get("symbol")) if row.get("symbol") else ""
    return fmt_signed(float(value), decimals) if signed else fmt_number(float(value), decimals)


def _year(row: Row) -> int:
    return int(row["jahr"])


def _summary_table(ctx: Context, rows: list[Row], guete: list[Row], today: int | None) -> str:
    body = []
    for r in sorted(rows, key=lambda r: (_year(r), VARIANT_ORDER.get(str(r["variante"]), 9))):
        projected = r["variante"] != "ist"
        horizon = _year(r) - today if projected and today is not None else 0
        if projected:
            group = target_group(int(r["alter_von"]), int(r["alter_bis"]))
            err = error_text(backtest_error(guete, str(r["ebene"]), group, horizon), horizon, group)
        else:
            err = "gezählt"
        body.append(
            f"<tr><td>{esc(r['jahr'])}</td>"
            f"<td>{esc(VARIANT_TITLES.get(str(r['variante']), r['variante']))}</td>"
            f"<td class='num'>{_cell(r, 'bedarfsbevoelkerung', 0)}</td>"
            f"<td class='num'>{_cell(r, 'plaetze', 0)}</td>"
            f"<td class='num'>{_cell(r, 'bedarf_plaetze', 0)}</td>"
            f"<td class='num'>{_cell(r, 'versorgungsquote', 1)}</td>"
            f"<td class='num'>{_cell(r, 'platzsaldo', 0, signed=True)}</td>"
            f"<td class='backtest'>{esc(err)}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{esc(c)}</th>'
        for c in (
            "Jahr", "Variante", "Bevölkerung der Altersgruppe", "Plätze", "benötigte Plätze",
            "Versorgungsquote", "Platzsaldo", "Güte der Prognose",
        )
    )  # fmt: skip
    return (
        f'<div class="table-scroll"><table class="data bedarf"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _gap_map(ctx: Context, rows: list[Row], level: str, label: str, classes: tuple) -> str:
    base = ctx.map_base
    if base is None or level not in base.levels:
        return ""
    cells = {
        str(r["gebiet_id"]): (
            None if r.get("platzsaldo") is None else float(r["platzsaldo"]),
            r.get("symbol"),
        )
        for r in rows
    }
    names = {g: ctx.name(g) for g in base.areas(level)}
    # a balance diverges at zero: deficits red, surpluses blue, zero neutral
    breaks, colours = classes
    return choropleth(
        base,
        level,
        cells,
        names,
        unit="Plätze",
        decimals=1,
        palette=PALETTES["neutral"],
        label=label,
        breaks=breaks,
        colours=colours,
        legend_title="Klassen (rot: fehlende Plätze, blau: Überhang)",
    )


def _gap_figure(
    ctx: Context,
    rows: list[Row],
    level: str,
    label: str,
    caption: str,
    classes: tuple,
) -> str:
    svg = _gap_map(ctx, rows, level, label, classes)
    if not svg:
        return ""
    return (
        f'<figure class="map-figure">{svg}<figcaption>{esc(caption)} Negativ = fehlende '
        "Plätze. Schraffiert oder grau: geheimgehalten oder nicht veröffentlicht."
        "</figcaption></figure>"
    )


def _area_table(ctx: Context, now: list[Row], later: list[Row], later_year: int) -> str:
    by_area = {str(r["gebiet_id"]): r for r in later}
    body = []
    for r in sorted(now, key=lambda r: str(r["gebiet_id"])):
        gid = str(r["gebiet_id"])
        p = by_area.get(gid, {})
        body.append(
            f"<tr><td>{esc(ctx.name(gid))} ({esc(gid)})</td>"
            f"<td class='num'>{_cell(r, 'versorgungsquote', 1)}</td>"
            f"<td class='num'>{_cell(r, 'platzsaldo', 0, signed=True)}</td>"
            f"<td class='num'>{_cell(p, 'versorgungsquote', 1) if p else ''}</td>"
            f"<td class='num'>{_cell(p, 'platzsaldo', 0, signed=True) if p else ''}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{esc(c)}</th>'
        for c in (
            "Gebiet", "Versorgungsquote heute", "Platzsaldo heute",
            f"Versorgungsquote {later_year}", f"Platzsaldo {later_year}",
        )
    )  # fmt: skip
    return (
        f'<div class="table-scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _art_section(
    ctx: Context, number: str, anchor: str, art: str, rows: list[Row], guete: list[Row]
) -> tuple[str, str, str]:
    title = f"{number} {ART_TITLES.get(art, art)}"
    sub_anchor = f"{anchor}-{art.replace('_', '-')}"
    first = rows[0]
    ranks = {a.ebene: a.rank for a in ctx.data.areas.values()}
    levels = sorted({str(r["ebene"]) for r in rows}, key=lambda lv: ranks.get(lv, 99))
    planning = [str(r["ebene"]) for r in rows if r.get("ist_planungsebene")]
    plan_level = planning[0] if planning else levels[-1]
    top = levels[0]
    ist_years = sorted(
        {_year(r) for r in rows if r["variante"] == "ist" and _year(r) <= ctx.data.periode.year}
    )
    today = ist_years[-1] if ist_years else None
    projected = sorted({_year(r) for r in rows if r["variante"] != "ist"})
    horizon_year = projected[-1] if projected else None
    # today, the longest back-tested horizon (where the error is measured) and the last year
    tested = max(
        (int(g["horizont_jahre"]) for g in guete if g.get("methode") == METHOD), default=None
    )
    middle = today + tested if today is not None and tested is not None else None
    shown_years = {
        y for y in (today, middle if middle in projected else None, horizon_year) if y is not None
    }
    top_rows = [r for r in rows if r["ebene"] == top and _year(r) in shown_years]
    parts = [
        f'<h3 id="{sub_anchor}">{esc(title)}</h3>',
        f"<p>Bedarfseckwert: {fmt_number(float(first['zielwert']), 1)} Plätze je "
        f"{fmt_number(float(first['je']), 0)} Einwohnerinnen und Einwohner "
        f"{esc(band_text(int(first['alter_von']), int(first['alter_bis'])))}; geplant auf der "
        f"Ebene {esc(level_title(plan_level))}. Platzsaldo negativ = fehlende Plätze. "
        "Prognosewerte sind Schätzungen (mittlere Variante mit Spannweite unten/oben), auf "
        "ganze Personen gerundet.</p>",
        f"<p>{esc(ctx.name(top_rows[0]['gebiet_id']) if top_rows else level_title(top))}:</p>",
        _summary_table(ctx, top_rows, guete, today),
    ]
    plan_now = [
        r for r in rows if r["ebene"] == plan_level and r["variante"] == "ist" and _year(r) == today
    ]
    plan_later = [
        r for r in rows
        if r["ebene"] == plan_level and r["variante"] == "mitte" and _year(r) == horizon_year
    ]  # fmt: skip
    art_title = ART_TITLES.get(art, art)
    # one set of classes for both maps, so a colour means the same balance today and later
    breaks = diverging_classes(
        [float(r["platzsaldo"]) for r in plan_now + plan_later if r.get("platzsaldo") is not None]
    )
    figures: list[str] = []
    if plan_now:
        figures.append(
            _gap_figure(
                ctx,
                plan_now,
                plan_level,
                f"Platzsaldo {art_title} {today}",
                f"Platzsaldo je {level_title(plan_level)} {today} (Ist).",
                breaks,
            )
        )
    if plan_later and horizon_year is not None:
        horizon = horizon_year - today if today is not None else 0
        group = target_group(int(first["alter_von"]), int(first["alter_bis"]))
        err = error_text(backtest_error(guete, plan_level, group, horizon), horizon, group)
        figures.append(
            _gap_figure(
                ctx,
                plan_later,
                plan_level,
                f"Platzsaldo {art_title} {horizon_year}, mittlere Variante",
                f"Platzsaldo je {level_title(plan_level)} {horizon_year} (Prognose, mittlere "
                f"Variante). {err} (Ebene {level_title(plan_level)}).",
                breaks,
            )
        )
    if any(figures):
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    if plan_now:
        parts.append(_area_table(ctx, plan_now, plan_later, horizon_year or 0))
        if plan_later:
            parts.append(
                f'<p class="backtest">Werte {horizon_year}: mittlere Variante der Prognose. '
                f"{esc(err)} (Ebene {esc(level_title(plan_level))}).</p>"
            )
    return sub_anchor, title, "".join(parts)


def bedarfsplanung_chapter(ctx: Context, number: str) -> Chapter:
    anchor = "bedarfsplanung"
    title = f"{number} Bedarfsplanung"
    parts, missing = opening_or_missing(ctx, anchor, title, "bedarfsplanung", "Bedarfsplanung")
    if missing:
        return missing
    subs: list[tuple[str, str]] = []
    parts.append(
        "<p>Plätze der sozialen Infrastruktur gegen die Bedarfseckwerte der Stadt: die "
        "Versorgungsquote (Plätze je Bezugsgröße der Altersgruppe) und der Platzsaldo "
        "(Plätze minus benötigte Plätze) heute und im letzten Jahr der Bevölkerungsprognose. "
        "Neben jedem Prognosewert steht, wie weit dasselbe Verfahren in der Rückrechnung "
        "früherer Jahre im Mittel danebenlag (MAPE über die Gebiete der Ebene). Anzahlen "
        "unter der Mindestfallzahl stehen als *, zu kleine Gebiete als .; dann stehen auch "
        "benötigte Plätze, Versorgungsquote und Platzsaldo leer.</p>"
    )
    if "prognose_guete" not in ctx.data.present:
        parts.append(note("Die Tabelle „prognose_guete“ fehlt: die Güte der Prognose entfällt."))
    elif not ctx.data.prognose_guete:
        parts.append(
            note(
                "Die Rückrechnung der Prognose hat noch keine Werte (kein früherer 31.12. mit "
                "tatsächlichen Folgejahren): die Güte der Prognose steht als „nicht geprüft“."
            )
        )
    by_art: dict[str, list[Row]] = defaultdict(list)
    for r in ctx.data.bedarfsplanung:
        by_art[str(r["art"])].append(r)
    order = {a: i for i, a in enumerate(ART_TITLES)}
    for k, art in enumerate(sorted(by_art, key=lambda a: (order.get(a, 99), a)), start=1):
        sub_anchor, sub_title, html = _art_section(
            ctx, f"{number}.{k}", anchor, art, by_art[art], ctx.data.prognose_guete
        )
        subs.append((sub_anchor, sub_title))
        parts.append(html)
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), subs)
