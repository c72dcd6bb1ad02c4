"""The controlling chapter: Plan and Ist over the budget years by Bereich and by product
(kept apart), why the costs of the case-carrying Bereiche changed (more cases or a higher
cost per case, as a chart), the Kennzahlenbericht, the cost per HzE case by area and the
reconciliation of case costs with the budget.

Names, not codes: Bereiche by their names, products by name with the product key beside
it (the key is what the Kämmerei files under).
"""

from __future__ import annotations

from collections import defaultdict

from .chapters import _area_kennzahl, _controlling_table, _kennzahl_label, table_status_note
from .charts import effects_chart
from .context import Context, note
from .formatting import esc, fmt_number, fmt_signed
from .reader import Row
from .sections import Chapter

MAX_YEARS = 5  # closed budget years shown (the latest), plus the plan years after them


def _money(value: object) -> str:
    return "" if value is None else fmt_number(float(value), 0)


def _cell(value: object, symbol: object = None, decimals: int = 0, signed: bool = False) -> str:
    if value is None:
        text = esc(symbol) if symbol else ""
        return f'<td class="num sym">{text}</td>' if text else '<td class="num"></td>'
    shown = fmt_signed(float(value), decimals) if signed else fmt_number(float(value), decimals)
    return f'<td class="num">{shown}</td>'


def _years(rows: list[Row], report_year: int) -> list[int]:
    closed = sorted(
        {int(r["haushaltsjahr"]) for r in rows if not r.get("planjahr")} - {None}, reverse=True
    )
    closed = sorted(y for y in closed if y <= report_year)[-MAX_YEARS:]
    plans = sorted(
        {int(r["haushaltsjahr"]) for r in rows if r.get("planjahr")}
        | {int(r["haushaltsjahr"]) for r in rows if int(r["haushaltsjahr"]) > report_year}
    )
    start = closed[0] if closed else report_year
    return sorted({*closed, *(y for y in plans if y >= start)})


def _head(*cols: str) -> str:
    ths = "".join(
        f'<th scope="col"{"" if i == 0 else " class=num"}>{esc(c)}</th>' for i, c in enumerate(cols)
    )
    return f"<thead><tr>{ths}</tr></thead>"


def _budget_table(groups: list[tuple[str, list[Row]]], years: list[int]) -> str:
    """Plan, Ist, deviation and execution per group (Bereich or product) and year."""
    body = []
    for title, rows in groups:
        by_year = {int(r["haushaltsjahr"]): r for r in rows}
        shown = [y for y in years if y in by_year]
        if not shown:
            continue
        body.append(f'<tr class="group"><th scope="rowgroup" colspan="5">{esc(title)}</th></tr>')
        for y in shown:
            r = by_year[y]
            plan_year = bool(r.get("planjahr"))
            label = f"{y} (Planjahr)" if plan_year else str(y)
            quote = r.get("ausfuehrungsquote")
            body.append(
                f"<tr{' class=plan' if plan_year else ''}><td>{esc(label)}</td>"
                f"{_cell(r.get('plan'))}{_cell(r.get('ist'))}"
                f"{_cell(r.get('abweichung'), signed=True)}"
                f'<td class="num">{"" if quote is None else fmt_number(float(quote), 1) + " %"}'
                "</td></tr>"
            )
    return (
        '<div class="table-scroll"><table class="data">'
        + _head("Haushaltsjahr", "Plan (EUR)", "Ist (EUR)", "Abweichung (EUR)", "Ausführungsquote")
        + f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _order(rows: list[Row], key: str) -> list[str]:
    first: dict[str, tuple] = {}
    for r in rows:
        k = str(r[key])
        first.setdefault(k, (r.get("reihenfolge") or 99, k))
    return sorted(first, key=lambda k: first[k])


def _budget_sections(ctx: Context, number: str, report_year: int) -> list[tuple[str, str, str]]:
    rows = ctx.data.haushalt
    years = _years(rows, report_year)
    bereiche = [r for r in rows if r.get("gliederung") == "bereich"]
    produkte = [r for r in rows if r.get("gliederung") == "produkt"]
    stadt = [r for r in rows if r.get("gliederung") == "stadt"]
    by_bereich: dict[str, list[Row]] = defaultdict(list)
    for r in bereiche:
        by_bereich[str(r["schluessel"])].append(r)
    groups = [
        (str(by_bereich[k][0].get("bezeichnung") or k), by_bereich[k])
        for k in _order(bereiche, "schluessel")
    ]
    if stadt:
        groups.append(("Gesamthaushalt (alle Aufwandskonten)", stadt))
    intro = (
        "<p>Plan ist der fortgeschriebene Ansatz, soweit vorhanden, sonst der ursprüngliche "
        "Ansatz; betrachtet werden die Aufwandskonten. Die Abweichung ist Ist minus Plan "
        "(positiv: Mehraufwand), die Ausführungsquote Ist in % des Plans. Bereiche und "
        "Produkte sind zwei Sichten auf dieselben Beträge: nicht zusammenzählen.</p>"
    )
    out = [("bereiche", "Plan und Ist nach Bereichen", intro + _budget_table(groups, years))]
    by_product: dict[str, list[Row]] = defaultdict(list)
    for r in produkte:
        by_product[str(r["schluessel"])].append(r)
    pgroups = []
    for k in _order(produkte, "schluessel"):
        latest = max(by_product[k], key=lambda r: int(r["haushaltsjahr"]))
        bereich = latest.get("bereich_bezeichnung")
        title = f"{latest.get('bezeichnung') or k} (Produkt {k})"
        if bereich:
            title += f" – {bereich}"
        pgroups.append((title, by_product[k]))
    hints = sorted(
        {str(r["hinweis"]) for r in produkte if r.get("hinweis") and not r.get("planjahr")}
    )
    foot = "".join(f'<p class="table-note">{esc(h)}</p>' for h in hints)
    out.append(("produkte", "Plan und Ist nach Produkten", _budget_table(pgroups, years) + foot))
    return out


def _decomposition(ctx: Context, report_year: int) -> str:
    rows = [r for r in ctx.data.zerlegung if int(r["haushaltsjahr"]) <= report_year]
    if not rows:
        return note(
            "Für die Zerlegung braucht es zwei aufeinanderfolgende Haushaltsjahre mit Ist und "
            "Fallzahlen; sie liegen nicht vor."
        )
    latest = max(int(r["haushaltsjahr"]) for r in rows)
    ordered = sorted(rows, key=lambda r: (r.get("reihenfolge") or 99, int(r["haushaltsjahr"])))
    chart_rows = [
        (
            str(r.get("bereich_bezeichnung") or r["bereich"]),
            {k: float(r[k]) for k in ("mengeneffekt", "preiseffekt", "restglied")},
            float(r["veraenderung"]),
        )
        for r in ordered
        if int(r["haushaltsjahr"]) == latest and r.get("restglied") is not None
    ]
    text = (
        "<p>Warum sich das Ist eines Bereichs gegenüber dem Vorjahr verändert hat: mit F = "
        "Fälle und K = Ist je Fall ist die Veränderung Ist − Ist<sub>Vorjahr</sub> = "
        "<b>Mengeneffekt</b> (F − F<sub>Vorjahr</sub>) × K<sub>Vorjahr</sub> (mehr oder "
        "weniger Fälle zu den Kosten des Vorjahres) + <b>Preiseffekt</b> "
        "(K − K<sub>Vorjahr</sub>) × F<sub>Vorjahr</sub> (höhere oder niedrigere Kosten je "
        "Fall bei den Fällen des Vorjahres) + <b>Restglied</b> (F − F<sub>Vorjahr</sub>) × "
        "(K − K<sub>Vorjahr</sub>) (beides zusammen). Die drei ergeben die Veränderung "
        "genau. Fälle: Jahresmittel der Stichtage (Bedarfsgemeinschaften, Empfängerinnen und "
        "Empfänger) bzw. Fälle des Jahres (Hilfen zur Erziehung, Inobhutnahmen), jeweils für "
        "die Gesamtstadt.</p>"
    )
    html = text
    if chart_rows:
        chart = effects_chart(chart_rows, label=f"Zerlegung der Kostenveränderung {latest}")
        html += (
            f'<figure class="chart-figure">{chart}<figcaption>Veränderung des Ist {latest} '
            f"gegenüber {latest - 1} je Bereich, zerlegt in Mengeneffekt, Preiseffekt und "
            "Restglied.</figcaption></figure>"
        )
    else:
        html += note(f"Für {latest} ist keine Zerlegung veröffentlicht (siehe Tabelle).")
    body = []
    withheld = False
    for r in ordered:
        sym = r.get("symbol")
        withheld |= sym in ("*", "/")
        body.append(
            f"<tr><td>{esc(r.get('bereich_bezeichnung') or r['bereich'])}</td>"
            f"<td>{esc(r['haushaltsjahr'])}</td>"
            f"{_cell(r.get('ist_vorjahr'))}{_cell(r.get('ist'))}"
            f"{_cell(r.get('veraenderung'), signed=True)}"
            f"{_cell(r.get('mengeneffekt'), sym, signed=True)}"
            f"{_cell(r.get('preiseffekt'), sym, signed=True)}"
            f"{_cell(r.get('restglied'), sym, signed=True)}</tr>"
        )
    html += (
        '<div class="table-scroll"><table class="data">'
        + _head(
            "Bereich",
            "Jahr",
            "Ist Vorjahr (EUR)",
            "Ist (EUR)",
            "Veränderung (EUR)",
            "Mengeneffekt (EUR)",
            "Preiseffekt (EUR)",
            "Restglied (EUR)",
        )
        + f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if withheld:
        html += (
            '<p class="table-note">* gesperrt: die Fallzahl der Gesamtstadt ist geheim zu '
            "halten; mit dem öffentlichen Ist gäben Kosten je Fall und Effekte sie zurück. "
            "/ die Fallzahl ist nur eingegrenzt bekannt (an der Quelle gesperrte Zellen).</p>"
        )
    return html


def _kennzahlen(ctx: Context, report_year: int) -> str:
    rows = [r for r in ctx.data.kennzahlen if int(r["haushaltsjahr"]) <= report_year]
    if not rows:
        return note("Für den Kennzahlenbericht liegen keine Fallzahlen vor.")
    body = []
    withheld = False
    for k in _order(rows, "produkt"):
        own = sorted((r for r in rows if str(r["produkt"]) == k), key=lambda r: r["haushaltsjahr"])
        first = own[-1]
        title = f"{first.get('bezeichnung') or k} (Produkt {k})"
        if first.get("fall_bezeichnung"):
            title += f" – Fälle: {first['fall_bezeichnung']}"
        body.append(f'<tr class="group"><th scope="rowgroup" colspan="7">{esc(title)}</th></tr>')
        for r in own[-MAX_YEARS:]:
            sym = r.get("symbol") if r.get("symbol") in ("*", "/") else None
            withheld |= sym is not None
            body.append(
                f"<tr><td>{esc(r['haushaltsjahr'])}</td>"
                f"{_cell(r.get('faelle'), sym, 0)}{_cell(r.get('faelle_je_1000_ew'), sym, 2)}"
                f"{_cell(r.get('ist'))}{_cell(r.get('kosten_je_fall'), sym, 0)}"
                f"{_cell(r.get('faelle_veraenderung_prozent'), sym, 1, signed=True)}"
                f"{_cell(r.get('kosten_je_fall_veraenderung_prozent'), sym, 1, signed=True)}</tr>"
            )
    html = (
        "<p>Je Produkt eines Bereichs mit Fallzahl: Fälle der Gesamtstadt, Fälle je 1.000 "
        "Einwohnerinnen und Einwohner, Ist, Kosten je Fall und die Veränderung gegenüber dem "
        "Vorjahr in %.</p>"
        '<div class="table-scroll"><table class="data">'
        + _head(
            "Haushaltsjahr",
            "Fälle",
            "je 1.000 Einw.",
            "Ist (EUR)",
            "Kosten je Fall (EUR)",
            "Fälle ggü. Vorjahr (%)",
            "Kosten je Fall ggü. Vorjahr (%)",
        )
        + f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if withheld:
        html += (
            '<p class="table-note">* gesperrt bzw. / nur eingegrenzt bekannt: Fallzahl der '
            "Gesamtstadt; alles daraus Abgeleitete steht ebenfalls nicht.</p>"
        )
    return html


def _reconciliation(rows: list[Row]) -> str:
    """Case costs of the Jugendamt's software against the budget's Ist: a gap shown."""
    body = "".join(
        f"<tr>{_cell(r.get('zaehler'))}{_cell(r.get('nenner'))}"
        f"{_cell(r.get('wert'), r.get('symbol'), signed=True)}</tr>"
        for r in rows
    )
    hints = "".join(
        f'<p class="table-note">{esc(r["hinweis"])}</p>' for r in rows if r.get("hinweis")
    )
    return (
        "<p>Die Fachsoftware des Jugendamts bucht Fallkosten nach Zahlung, der Haushalt "
        "periodengerecht: die Differenz wird ausgewiesen, nicht verdeckt.</p>"
        '<div class="table-scroll"><table class="data">'
        + _head(
            "Fallkosten SGB VIII (Fachsoftware, EUR)",
            "Ist Hilfen zur Erziehung und Inobhutnahmen (Haushalt, EUR)",
            "Differenz (EUR)",
        )
        + f"<tbody>{body}</tbody></table></div>{hints}"
    )


def controlling_chapter(ctx: Context, number: str) -> Chapter:
    anchor = "controlling"
    title = f"{number} Controlling: Haushalt, Kostenentwicklung und Kennzahlen"
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>']
    subs: list[tuple[str, str]] = []
    report_year = ctx.data.periode.year
    years = _years(ctx.data.haushalt, report_year)
    closed = [y for y in years if y <= report_year]
    later = [y for y in years if y > report_year]
    if closed:
        parts.append(
            f"<p>Abgeschlossene Haushaltsjahre {esc(closed[0])} bis Haushaltsjahr "
            f"{esc(closed[-1])}"
            + (f"; Planjahr {', '.join(map(str, later))} (nur der Ansatz)" if later else "")
            + ". Alle Beträge in EUR.</p>"
        )
    sections: list[tuple[str, str, str]] = []
    missing = table_status_note(ctx, "controlling_haushalt", "Plan und Ist")
    if missing:
        sections.append(("haushalt", "Plan und Ist", missing))
    else:
        sections += _budget_sections(ctx, number, report_year)
    missing = table_status_note(ctx, "controlling_zerlegung", "Zerlegung")
    sections.append(
        (
            "zerlegung",
            "Warum sich die Kosten verändert haben: mehr Fälle oder höhere Kosten je Fall",
            missing or _decomposition(ctx, report_year),
        )
    )
    missing = table_status_note(ctx, "controlling_kennzahlen", "Kennzahlenbericht")
    sections.append(("kennzahlen", "Kennzahlenbericht", missing or _kennzahlen(ctx, report_year)))
    missing = table_status_note(ctx, "controlling", "Kosten je Fall nach Gebieten")
    if missing:
        sections.append(("kosten_je_fall", "Kosten je Fall nach Gebieten", missing))
    else:
        from .chapters import pick_budget_year

        year = pick_budget_year(ctx.data.controlling, ctx.data.periode)
        for kennzahl in ("hze_kosten_je_fall", "hze_kosten_abgleich"):
            krows = [
                # a figure by area names its area in `schluessel` (schluessel_art gebiet)
                {**r, "gebiet_id": r.get("gebiet_id") or (
                    r.get("schluessel") if r.get("schluessel_art") == "gebiet" else None
                )}
                for r in ctx.data.controlling
                if r.get("haushaltsjahr") == year and r.get("kennzahl") == kennzahl
            ]  # fmt: skip
            if not krows:
                continue
            label = _kennzahl_label(ctx, kennzahl)
            area_ids = {str(r["gebiet_id"]) for r in krows if r.get("gebiet_id")}
            if len(area_ids & set(ctx.data.areas)) > 1:
                body = _area_kennzahl(ctx, label, krows)
                ctx.table_anchors.setdefault(kennzahl, f"{anchor}-{kennzahl}")
            elif kennzahl == "hze_kosten_abgleich":
                body = _reconciliation(krows)
            else:
                body = _controlling_table(ctx, krows)
            sections.append((kennzahl, f"{label} ({year})", body))
    for k, (key, sub_title, body) in enumerate(sections, start=1):
        sub_anchor = f"{anchor}-{key}"
        full = f"{number}.{k} {sub_title}"
        subs.append((sub_anchor, full))
        parts.append(f'<h3 id="{sub_anchor}">{esc(full)}</h3>{body}')
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), subs)
