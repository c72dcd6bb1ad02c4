"""Indikatorenblätter: one sheet per catalogue entry (as the Berlin MSS publishes them):
definition, formula, source, reference dates, time-series breaks and how to read the value.

Everything comes from the published catalogue (`indikatorkatalog`) and the published periods;
the texts below only spell out the catalogue's codes in German.
"""

from __future__ import annotations

from collections import defaultdict

from .context import Context, note
from .formatting import esc, fmt_date, fmt_number
from .reader import Row
from .sections import Chapter

SOURCES = {
    "einwohner": "Einwohnermelderegister (Bestand am Stichtag)",
    "bewegungen": "Einwohnermelderegister (Zu- und Fortzüge, Geburten, Sterbefälle)",
    "sgb2": "Bundesagentur für Arbeit, Statistik der Grundsicherung für Arbeitsuchende (SGB II)",
    "sgb12": "Sozialamt, Fachverfahren SGB XII (Sozialhilfe, Grundsicherung)",
    "sgb8": "Jugendamt, Fachverfahren SGB VIII (Kinder- und Jugendhilfe)",
    "finanzen": "Haushalt, doppische Ergebnisrechnung (Plan und Ist)",
}
DATE_RULES = {
    "gleicher_stichtag": "Zähler und Nenner zum selben Stichtag.",
    "vorjahresende": "Bewegungen des Jahres, bezogen auf die Bevölkerung am 31.12. des Vorjahres.",
    "gleiche_lieferung": "Zähler und Nenner aus derselben Lieferung (gleicher Stichtag).",
    "haushaltsjahr": "Haushaltsjahr: Plan und Ist des Jahres, Fallzahlen zum 31.12.",
}
POLARITY = {
    "negativ": "Ein höherer Wert zeigt eine stärkere soziale Belastung an.",
    "positiv": "Ein höherer Wert ist günstig.",
    "neutral": "Beschreibt die Struktur eines Gebiets; ein hoher Wert ist an sich weder günstig "
    "noch ungünstig.",
}
# Catalogue columns shown in their own rows of a sheet (the rest follows under "Weitere Angaben").
SHOWN = {
    "indikator_id",
    "reihenfolge",
    "bezeichnung",
    "bereich",
    "definition",
    "berechnung",
    "zaehler_merkmal",
    "nenner_merkmal",
    "zaehler_definition",
    "nenner_definition",
    "faktor",
    "einheit",
    "stichtag_regel",
    "quelle",
    "zeitreihenbrueche",
    "reihenbruch",
    "polaritaet",
    "dynamik",
    "interpretation",
    "hinweise",
}


def source_text(quelle: object) -> str:
    """'finanzen+sgb2' -> both sources in German; unknown codes as delivered."""
    parts = [p.strip() for p in str(quelle or "").split("+") if p.strip()]
    return "; ".join(f"{SOURCES[p]} ({p})" if p in SOURCES else p for p in parts)


def formula_text(row: Row) -> str:
    num = row.get("zaehler_definition") or row.get("zaehler_merkmal")
    den = row.get("nenner_definition") or row.get("nenner_merkmal")
    factor = row.get("faktor")
    if num and den:
        times = f" × {fmt_number(float(factor), 0)}" if factor not in (None, 1, 1.0) else ""
        return f"Zähler ÷ Nenner{times}. Zähler: {num}. Nenner: {den}."
    if num:
        return f"Summe von: {num}."
    berechnung = row.get("berechnung")
    return f"Berechnung: {berechnung}." if berechnung else ""


def reading_text(row: Row) -> str:
    """How to read the value beyond the catalogue's Interpretationshinweis (its own row of the
    sheet): further notes, then what polarity and unit imply, then the rules every published
    value follows."""
    parts = [str(row["hinweise"])] if row.get("hinweise") else []
    polarity = POLARITY.get(str(row.get("polaritaet") or "").lower())
    if polarity:
        parts.append(polarity)
    unit = str(row.get("einheit") or "").strip()
    if unit == "%":
        parts.append("Anteil in Prozent; Veränderungen werden in Prozentpunkten angegeben.")
    elif unit.lower().startswith("je "):
        parts.append(f"Dichte {unit} der Bezugsbevölkerung.")
    elif unit.lower() == "anzahl":
        parts.append(
            "Absolute Zahl: in Karten als Kreis proportional zur Anzahl, nicht als Farbfläche."
        )
    parts.append(
        "Gröbere Gebiete werden aus summierten Zählern und Nennern berechnet, nicht als Mittel "
        "ihrer Teilgebiete. Werte kleiner Gebiete (unter der Mindesteinwohnerzahl) und kleine "
        "Fallzahlen werden nicht veröffentlicht (siehe Zeichenerklärung)."
    )
    return " ".join(parts)


def _published(ctx: Context, indikator_id: str) -> str:
    found = ctx.data.period_range.get(indikator_id)
    if not found:
        return "In der Publikationszone keine Werte."
    first, last, n = found
    current = next((i.periode for i in ctx.indicators() if i.indikator_id == indikator_id), None)
    text = f"{n} Stichtage von {fmt_date(first)} bis {fmt_date(last)}"
    if current:
        text += f"; in diesem Bericht: {fmt_date(current)}"
    return text + "."


def sheet(ctx: Context, row: Row) -> str:
    ind = str(row["indikator_id"])
    breaks = row.get("zeitreihenbrueche") or row.get("reihenbruch")
    fields = [
        ("Definition", esc(row.get("definition") or "")),
        ("Formel", esc(formula_text(row))),
        ("Einheit", esc(row.get("einheit") or "")),
        ("Quelle", esc(source_text(row.get("quelle")))),
        (
            "Stichtage",
            esc(DATE_RULES.get(str(row.get("stichtag_regel")), row.get("stichtag_regel") or ""))
            + " "
            + esc(_published(ctx, ind)),
        ),
        ("Zeitreihenbrüche", esc(breaks) if breaks else "keine bekannt"),
        ("Interpretationshinweis", esc(row.get("interpretation") or "")),
        ("Lesehilfe", esc(reading_text(row))),
    ]
    extra = [
        (k.replace("_", " ").capitalize(), esc(v))
        for k, v in row.items()
        if k not in SHOWN and v not in (None, "")
    ]
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields if value)
    items += "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in extra)
    table = ctx.table_anchors.get(ind)
    to_table = f' <a class="sheet-link" href="#{table}">zur Tabelle</a>' if table else ""
    return (
        f'<article class="definition-entry sheet" id="def-{esc(ind)}"><h4>'
        f'{esc(row.get("bezeichnung") or ind)} <span class="key">{esc(ind)}</span>{to_table}'
        f"</h4><dl>{items}</dl></article>"
    )


def sheets_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "definitionen", f"{number} Indikatorenblätter"
    parts = [f'<section class="chapter appendix" id="{anchor}"><h2>{esc(title)}</h2>']
    missing = None
    if "indikatorkatalog" not in ctx.data.present:
        missing = note(
            "Die Tabelle „indikatorkatalog“ ist in der Publikationsdatei nicht vorhanden; "
            "der Abschnitt Definitionen entfällt."
        )
    elif not ctx.data.present["indikatorkatalog"]:
        missing = note(
            "Die Tabelle „indikatorkatalog“ enthält keine Zeilen; der Abschnitt Definitionen "
            "entfällt."
        )
    if missing:
        parts.append(missing)
    else:
        parts.append(
            "<p>Ein Blatt je Indikator des Katalogs: Definition, Formel, Quelle, Stichtage, "
            "Zeitreihenbrüche und Lesehilfe.</p>"
        )
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in ctx.data.catalogue.values():
            domain = ctx.domain_title(row.get("bereich")) if row.get("bereich") else "Weitere"
            groups[domain].append(row)
        for domain, rows in groups.items():
            parts.append(f"<h3>{esc(domain)}</h3>")
            parts += [sheet(ctx, row) for row in rows]
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), appendix=True)
