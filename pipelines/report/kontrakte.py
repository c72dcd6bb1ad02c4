"""The chapter "Kontrakte und Wirkung": each measure of a freie Träger with its target
areas on a map, Soll and Ist of its outputs and budget over the years, the comparison of
its target indicator with matched areas (difference-in-differences with its interval and
the caveat that it is an association), and the review of every target.

Only published tables: `kontrakte`, `wirkungsanalyse`, `zielueberpruefung`.
"""

from __future__ import annotations

from collections import defaultdict

from .chapters import opening_or_missing, table_status_note
from .context import Context, note
from .formatting import esc, fmt_date, fmt_number, fmt_signed
from .maps import HIGHLIGHT_FILL, legend_html, render_map
from .reader import Row
from .sections import Chapter

COMPARISON_FILL = "#8fb3d6"
OTHER_FILL = "#e4e8ec"
STATUS_TEXT = {
    "erfuellt": "erfüllt",
    "verfehlt": "verfehlt",
    "offen": "offen",
    "ohne_leistungsziel": "ohne Leistungsziel",
    "gesperrt": "gesperrt",
}
REVIEW_TEXT = {
    "erreicht": "erreicht",
    "verfehlt": "verfehlt",
    "auf_kurs": "auf Kurs",
    "nicht_auf_kurs": "nicht auf Kurs",
    "nicht_entscheidbar": "nicht entscheidbar",
}
ORDER = {"stadtziel": 0, "wirkung": 1, "leistung": 2}
# outputs of a Leistungsbericht (the city names them itself): German labels of the usual
# ones; any other code is shown with spaces for underscores and a capital first letter
OUTPUT_LABELS = {
    "teilnehmende": "Teilnehmende",
    "beratungsstunden": "Beratungsstunden",
    "plaetze": "Plätze",
    "familien": "Familien",
    "kinder": "Kinder",
    "jugendliche": "Jugendliche",
    "beratungen": "Beratungen",
    "faelle": "Fälle",
    "haushalte": "Haushalte",
    "personen": "Personen",
    "veranstaltungen": "Veranstaltungen",
    "kurse": "Kurse",
    "stunden": "Stunden",
}


def output_label(code: object) -> str:
    """The German label of an output code (`teilnehmende` -> `Teilnehmende`)."""
    text = str(code or "").strip()
    if not text:
        return "–"
    if text in OUTPUT_LABELS:
        return OUTPUT_LABELS[text]
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


KIND_TEXT = {"stadtziel": "Ziel der Stadt", "wirkung": "Wirkungsziel", "leistung": "Leistungsziel"}


def _num(value: object, decimals: int = 0, symbol: object = None) -> str:
    if value is None:
        return esc(symbol) if symbol else ""
    return fmt_number(float(value), decimals)


def _areas(text: object) -> list[str]:
    return [a.strip() for a in str(text or "").split(",") if a.strip()]


def _map(ctx: Context, targets: list[str], comparison: list[str], title: str) -> str:
    base = ctx.map_base
    if base is None or not ctx.data.levels:
        return ""
    level = ctx.data.levels[-1]
    fills: dict[str, tuple[str, str]] = {}
    for gid in base.areas(level):
        if gid in targets:
            fills[gid] = (HIGHLIGHT_FILL, f"Zielgebiet: {ctx.name(gid)}")
        elif gid in comparison:
            fills[gid] = (COMPARISON_FILL, f"Vergleichsgebiet: {ctx.name(gid)}")
        else:
            fills[gid] = (OTHER_FILL, ctx.name(gid))
    svg = render_map(base, level, fills, title, numbered=False, css="map locator")
    items = [(HIGHLIGHT_FILL, "Zielgebiete")]
    if comparison:
        items.append((COMPARISON_FILL, "Vergleichsgebiete (Wirkungsanalyse)"))
    legend = legend_html(items)
    names = ", ".join(f"{esc(ctx.name(g))} ({esc(g)})" for g in targets)
    return (
        f'<div class="map-wrap">{svg}<div class="map-side">{legend}'
        f"<p>Zielgebiete: {names}</p></div></div>"
    )


def _contract_table(rows: list[Row]) -> str:
    body = []
    for r in sorted(rows, key=lambda r: (int(r["jahr"]), str(r.get("kennzahl") or ""))):
        sym = r.get("symbol")
        quote = r.get("ausfuehrungsquote")
        body.append(
            f"<tr><td>{esc(r['jahr'])}</td><td>{esc(output_label(r.get('kennzahl')))}</td>"
            f'<td class="num">{_num(r.get("soll"))}</td>'
            f'<td class="num">{_num(r.get("ist"), symbol=sym)}</td>'
            f'<td class="num">{_num(r.get("plan_eur"))}</td>'
            f'<td class="num">{_num(r.get("ist_eur"))}</td>'
            f'<td class="num">{"" if quote is None else fmt_number(float(quote), 1) + " %"}</td>'
            f'<td class="num">{_num(r.get("kosten_je_einheit"), 2, sym if sym == "*" else None)}'
            f"</td><td>{esc(STATUS_TEXT.get(str(r.get('status')), r.get('status')))}</td></tr>"
        )
    head = "".join(
        f'<th scope="col"{" class=num" if 1 < i < 7 else ""}>{esc(c)}</th>'
        for i, c in enumerate(
            ("Jahr", "Leistung", "Soll", "Ist", "Plan (EUR)", "Ist (EUR)", "Ausführung",
             "Kosten je Einheit (EUR)", "Status")
        )
    )  # fmt: skip
    return (
        f'<div class="table-scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _effect(ctx: Context, w: Row) -> str:
    label = ctx.label(str(w["indikator_id"]))
    unit = w.get("einheit") or ""
    if w.get("differenz_in_differenzen") is None:
        return (
            f"<p>Wirkungsziel {esc(label)}: keine Wirkungsanalyse möglich "
            f"({esc(w.get('grund'))}).</p>"
        )
    did = float(w["differenz_in_differenzen"])
    unit_text = " Prozentpunkte" if unit == "%" else f" {unit}" if unit else ""
    if w.get("untergrenze") is None or w.get("obergrenze") is None:
        interval = f"kein 95-%-Intervall: {w.get('grund')}"
        verdict = "Ob sich die Zielgebiete anders entwickelt haben, ist nicht zu entscheiden."
    else:
        lo, hi = float(w["untergrenze"]), float(w["obergrenze"])
        interval = (
            f"95-%-Intervall {fmt_signed(lo, 1)} bis {fmt_signed(hi, 1)}; Permutationstest über "
            f"{w['permutationen']} Aufteilungen der Gebiete"
        )
        verdict = (
            "Das Intervall schließt null aus: die Zielgebiete haben sich anders entwickelt als "
            "vergleichbare Gebiete."
            if w.get("ergebnis") == "unterschied"
            else "Das Intervall schließt null ein: ein Unterschied zu vergleichbaren Gebieten "
            "ist nicht zu erkennen."
        )
    return (
        f"<p><strong>Wirkung auf {esc(label)}</strong> "
        f"({fmt_date(w['vorher_periode'])} bis {fmt_date(w['nachher_periode'])}): "
        f"in den {esc(w['anzahl_gebiete'])} Zielgebieten von "
        f"{fmt_number(float(w['vorher_massnahme']), 1)} auf "
        f"{fmt_number(float(w['nachher_massnahme']), 1)} {esc(unit)}, in "
        f"{esc(w['anzahl_vergleichsgebiete'])} Vergleichsgebieten derselben Statusklasse von "
        f"{fmt_number(float(w['vorher_vergleich']), 1)} auf "
        f"{fmt_number(float(w['nachher_vergleich']), 1)} {esc(unit)}. "
        f"Differenz der Differenzen: <strong>{fmt_signed(did, 1)}{esc(unit_text)}</strong> "
        f"({esc(interval)}). {esc(verdict)}</p>"
        f'<p class="note">{esc(w.get("hinweis"))}</p>'
    )


def _review_table(ctx: Context, rows: list[Row]) -> str:
    body = []
    for r in rows:
        kz = str(r.get("kennzahl") or "")
        what = ctx.label(kz) if r.get("ziel_art") != "leistung" else output_label(kz)
        where = (
            ctx.name(r["gebiet_id"])
            if r.get("ziel_art") == "stadtziel"
            else (r.get("massnahme_id") or "")
        )
        rule = "höchstens" if r.get("richtung") == "hoechstens" else "mindestens"
        body.append(
            f"<tr><td>{esc(KIND_TEXT.get(str(r.get('ziel_art')), r.get('ziel_art')))}</td>"
            f"<td>{esc(what)}</td><td>{esc(where)}</td><td>{esc(r['jahr'])}</td>"
            f"<td>{esc(rule)} {_num(r.get('zielwert'), 1)}</td>"
            f"<td>{esc(r.get('reihe') or '–')}</td>"
            f"<td><strong>{esc(REVIEW_TEXT.get(str(r.get('status')), r.get('status')))}"
            f"</strong><br>{esc(r.get('grund'))}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{esc(c)}</th>'
        for c in ("Art", "Ziel", "Gebiet / Maßnahme", "Zieljahr", "Zielwert", "Reihe", "Status")
    )
    return (
        f'<div class="table-scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def kontrakte_chapter(ctx: Context, number: str) -> Chapter:
    anchor = "kontrakte"
    title = f"{number} Kontrakte und Wirkung"
    parts, missing = opening_or_missing(ctx, anchor, title, "kontrakte", "Kontrakte")
    if missing:
        return missing
    subs: list[tuple[str, str]] = []
    parts.append(
        "<p>Die Maßnahmen freier Träger mit ihren Zielgebieten, Soll und Ist der vereinbarten "
        "Leistungen und des Budgets je Jahr und, wo ein Wirkungsziel vereinbart ist, der "
        "Vergleich des Zielindikators mit vergleichbaren Gebieten ohne Maßnahme. Anzahlen "
        "von Personen unter der Mindestfallzahl stehen als *.</p>"
    )
    by_measure: dict[str, list[Row]] = defaultdict(list)
    for r in ctx.data.kontrakte:
        by_measure[str(r["massnahme_id"])].append(r)
    effects: dict[str, list[Row]] = defaultdict(list)
    for w in ctx.data.wirkung:
        effects[str(w["massnahme_id"])].append(w)
    for k, (mid, rows) in enumerate(sorted(by_measure.items()), start=1):
        first = rows[0]
        targets = _areas(first.get("gebiete"))
        comparison = sorted(
            {g for w in effects.get(mid, []) for g in _areas(w.get("vergleichsgebiete"))}
        )
        sub_anchor = f"{anchor}-{mid.lower()}"
        sub_title = f"{number}.{k} {first.get('titel')} ({mid})"
        subs.append((sub_anchor, sub_title))
        parts.append(
            f'<h3 id="{sub_anchor}">{esc(sub_title)}</h3>'
            f"<p>Träger: {esc(first.get('traeger'))}; Produkt {esc(first.get('produkt'))}.</p>"
            + _map(ctx, targets, comparison, f"Zielgebiete von {first.get('titel')}")
            + _contract_table(rows)
            + "".join(_effect(ctx, w) for w in effects.get(mid, []))
        )
    review_anchor = f"{anchor}-zielueberpruefung"
    review_title = f"{number}.{len(by_measure) + 1} Zielüberprüfung"
    subs.append((review_anchor, review_title))
    missing = table_status_note(ctx, "zielueberpruefung", "Zielüberprüfung")
    parts.append(
        f'<h3 id="{review_anchor}">{esc(review_title)}</h3>'
        + (
            missing
            or "<p>Jedes Ziel mit seiner Reihe: erreicht oder verfehlt im Zieljahr, für "
            "spätere Zieljahre auf Kurs oder nicht nach der Trendgeraden der letzten Werte.</p>"
            + _review_table(
                ctx,
                sorted(
                    ctx.data.zielueberpruefung,
                    key=lambda r: (
                        ORDER.get(str(r.get("ziel_art")), 9),
                        str(r.get("massnahme_id") or ""),
                        str(r.get("kennzahl")),
                        int(r["jahr"]),
                    ),
                ),
            )
        )
    )
    if not ctx.data.wirkung:
        parts.append(note("Keine Maßnahme mit Wirkungsziel."))
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), subs)
