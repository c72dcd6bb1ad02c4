"""The published tables, declared once.

Everything that knows a published table reads it from here: the publish assets (their
names and the marts they depend on), the writer (order of tables, German comments in
publish.duckdb, Parquet field descriptions, the Excel headers and "Erläuterungen" sheet,
the complete period grid of a series), the report (which tables exist and their titles) and
`explain` (the grain of a table). A table missing here is not published; a published
column without a German comment stops the publish with a German message.

Column comments come from the marts in warehouse.duckdb (dbt `persist_docs` writes the
descriptions of the models' YAML), so a column's meaning is written once, in dbt. The
declaration only says what differs in the publish zone (the meaning of `symbol` after
disclosure control, columns the publish step adds) and, for columns that follow a pattern
(`z_<indicator>` in the social index), how their comment is derived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The symbols of official statistics that stand in the publish zone instead of a number.
SYMBOLS: dict[str, str] = {
    "-": "nichts vorhanden (genau null)",
    "*": "gesperrt: Fallzahl unter der Mindestfallzahl oder daraus rückrechenbar",
    ".": "nicht veröffentlicht: Gebiet mit zu wenigen Einwohnerinnen und Einwohnern, "
    "oder Wert unbekannt (nicht geliefert)",
    "x": "nicht berechenbar: Bezugsgröße ist null",
    "/": "nur eingegrenzt bekannt: der Wert liegt zwischen Untergrenze und Obergrenze",
}
SYMBOL_COMMENT = "Zeichen statt einer Zahl (leer bei einer Zahl): " + "; ".join(
    f"`{s}` {text}" for s, text in SYMBOLS.items()
)
# the symbol of a period row the publish step adds where a series has no value
MISSING_SYMBOL = "."


@dataclass(frozen=True)
class Column:
    name: str
    header: str  # German column heading (Excel)
    comment: str | None = None  # None: the mart's comment (dbt persist_docs)
    excel: bool = True  # False: not in the Excel workbook (e.g. geometries)


@dataclass(frozen=True)
class Series:
    """A table whose rows form time series: every period exists for every key."""

    period: str  # the time column
    keys: tuple[str, ...]  # one series per combination (besides the area)
    area: str | None  # the area column: series exist for every area of the table's levels
    symbol: str | None  # where the symbol of an added row goes (None: values stay empty)
    constant: tuple[str, ...] = ()  # columns with one value per series (carried to added rows)
    # True: periods missing in the series' rhythm are added (series.regular_periods);
    # False: only the areas are completed for the periods the table has
    regular: bool = True


@dataclass(frozen=True)
class PublishedTable:
    name: str
    title: str  # German title (report, Excel)
    description: str  # German table comment
    disclosure: str  # German: which disclosure rules hold in this table
    mart: str  # the mart it is published from (and whose column comments it reuses)
    reads: tuple[str, ...]  # marts the publish step reads for it (asset dependencies)
    grain: tuple[str, ...]  # one row per combination of these columns
    columns: tuple[Column, ...]  # fixed columns, in this order
    # further columns that follow the data (one per indicator, per recipe indicator)
    open_columns: bool = False
    # comments of open columns are looked up in these marts too
    comment_marts: tuple[str, ...] = ()
    series: Series | None = None
    excel_year_end_only: bool = False  # Excel holds one million rows: only the 31.12.

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def header(self, name: str) -> str:
        col = self.column(name)
        return col.header if col else HEADERS.get(name, name)

    @property
    def comment(self) -> str:
        return f"{self.description} Geheimhaltung: {self.disclosure}"


def _c(name: str, comment: str | None = None, excel: bool = True) -> Column:
    return Column(name, HEADERS[name], comment, excel)


# German headings of columns that occur in several tables.
HEADERS = {
    "indikator_id": "Indikator", "gebiet_id": "Gebiet", "ebene": "Ebene", "ebene_rang": "Ebenenrang",
    "periode": "Stichtag", "zaehler": "Zähler", "nenner": "Nenner", "wert": "Wert", "symbol": "Zeichen",
    "einheit": "Einheit", "nenner_stichtag": "Stichtag Nenner", "gebietsstand": "Gebietsstand",
    "umgerechnet": "umgerechnet", "unsicher": "unsicher", "untergrenze": "Untergrenze",
    "obergrenze": "Obergrenze", "dynamik": "Veränderung (Prozentpunkte)",
    "dynamik_vergleichsperiode": "Vergleichsstichtag", "name": "Name", "parent_id": "übergeordnet",
    "pfad": "Pfad", "gueltig_ab": "gültig ab", "gueltig_bis": "gültig bis",
    "ist_aktuell": "aktuell", "ist_feinste_ebene": "feinste Ebene",
    "geometrie_geojson": "Geometrie (GeoJSON)", "bezeichnung": "Bezeichnung", "bereich": "Bereich",
    "definition": "Definition", "quelle": "Quelle", "haushaltsjahr": "Haushaltsjahr",
    "kennzahl": "Kennzahl", "schluessel": "Schlüssel", "schluessel_art": "Art", "jahr": "Jahr",
    "istwert": "Istwert", "zielwert": "Zielwert", "abstand": "Abstand", "richtung": "Richtung",
    "erreicht": "erreicht", "beschluss": "Beschluss", "einwohner": "Einwohner",
    "status_index": "Status-Index", "dynamik_index": "Dynamik-Index", "status_klasse": "Statusklasse",
    "dynamik_klasse": "Dynamikklasse", "gesamtindex": "Gesamtindex", "gruppe": "Gruppe",
    "ausschluss_grund": "Ausschlussgrund", "statussumme": "Statussumme", "dynamiksumme": "Dynamiksumme",
    "hinweis": "Hinweis", "reihenfolge": "Reihenfolge", "berechnung": "Berechnung",
    "zaehler_merkmal": "Zählgröße Zähler", "nenner_merkmal": "Zählgröße Nenner", "faktor": "Faktor",
    "stichtag_regel": "Stichtagsregel", "polaritaet": "Polarität",
    "interpretation": "Interpretationshinweis", "zeitreihenbrueche": "Zeitreihenbrüche", "zaehler_definition": "Definition Zähler",
    "nenner_definition": "Definition Nenner", "intervall": "Intervall",
    "ausschluss_grund_status": "Ausschlussgrund Status",
    "ausschluss_grund_dynamik": "Ausschlussgrund Dynamik",
    "gliederung": "Gliederung", "bereich_bezeichnung": "Bereich (Name)", "plan": "Plan (EUR)",
    "ist": "Ist (EUR)", "abweichung": "Abweichung (EUR)", "ausfuehrungsquote": "Ausführungsquote (%)",
    "planjahr": "Planjahr", "fall_merkmal": "Fallzählgröße", "fall_bezeichnung": "Art der Fälle",
    "ist_vorjahr": "Ist Vorjahr (EUR)", "veraenderung": "Veränderung (EUR)",
    "faelle_vorjahr": "Fälle Vorjahr", "faelle": "Fälle",
    "kosten_je_fall_vorjahr": "Kosten je Fall Vorjahr (EUR)", "kosten_je_fall": "Kosten je Fall (EUR)",
    "mengeneffekt": "Mengeneffekt (EUR)", "preiseffekt": "Preiseffekt (EUR)",
    "restglied": "Restglied (EUR)", "stichtage_vorjahr": "Stichtage Vorjahr", "stichtage": "Stichtage",
    "produkt": "Produkt", "faelle_je_1000_ew": "Fälle je 1.000 Einwohner",
    "faelle_veraenderung_prozent": "Veränderung Fälle (%)",
    "kosten_je_fall_veraenderung_prozent": "Veränderung Kosten je Fall (%)",
    "massnahme_id": "Maßnahme", "titel": "Titel", "traeger": "Träger", "gebiete": "Zielgebiete",
    "zielerreichung": "Zielerreichung (%)", "plan_eur": "Plan (EUR)",
    "ist_eur": "Ist (EUR)", "abweichung_eur": "Abweichung (EUR)",
    "kosten_je_einheit": "Kosten je Einheit (EUR)", "status": "Status",
    "status_grund": "Begründung", "personenzahl": "Personenzahl",
    "beginn": "Beginn", "vorher_periode": "Stichtag vorher", "nachher_periode": "Stichtag nachher",
    "zielgebiete": "alle Zielgebiete", "vergleichsgebiete": "Vergleichsgebiete",
    "anzahl_gebiete": "Zielgebiete (Anzahl)", "anzahl_vergleichsgebiete": "Vergleichsgebiete (Anzahl)",
    "vorher_massnahme": "Zielgebiete vorher", "nachher_massnahme": "Zielgebiete nachher",
    "veraenderung_massnahme": "Veränderung Zielgebiete", "vorher_vergleich": "Vergleich vorher",
    "nachher_vergleich": "Vergleich nachher", "veraenderung_vergleich": "Veränderung Vergleich",
    "differenz_in_differenzen": "Differenz der Differenzen", "p_wert": "p-Wert",
    "permutationen": "Permutationen", "ergebnis": "Ergebnis", "grund": "Grund",
    "ziel_art": "Art des Ziels", "reihe": "Reihe", "werte": "Werte (Anzahl)",
    "letztes_jahr": "letztes Jahr", "letzter_wert": "letzter Wert",
    "trend_je_jahr": "Trend je Jahr", "trend_zieljahr": "Trend im Zieljahr",
    "basis_stichtag": "Basisstichtag", "stichtag": "Stichtag", "variante": "Variante",
    "altersgruppe": "Altersgruppe", "alter_von": "Alter von", "alter_bis": "Alter bis",
    "horizont_jahre": "Prognosehorizont (Jahre)", "zielgruppe": "Altersgruppe",
    "groessenklasse": "Größenklasse", "methode": "Verfahren", "mape": "MAPE (%)",
    "gewichteter_fehler": "gewichteter Fehler (%)", "bias": "Verzerrung (%)",
    "ist_planungsebene": "Planungsebene", "art": "Einrichtungsart",
    "bedarfsbevoelkerung": "Bevölkerung der Altersgruppe", "plaetze": "Plätze",
    "je": "je Einwohner", "bedarf_plaetze": "benötigte Plätze",
    "versorgungsquote": "Versorgungsquote", "platzsaldo": "Platzsaldo",
    "plaetze_nachbarn": "Plätze aus Nachbargebieten",
    "platzsaldo_mit_nachbarn": "Platzsaldo mit Nachbargebieten",
}  # fmt: skip

_COUNTS = (
    "Anzahlen unter der Mindestfallzahl (offenlegung.min_fallzahl) und Werte, aus denen sie "
    "sich zurückrechnen ließen, stehen als `*`; Quoten von Gebieten unter "
    "offenlegung.min_einwohner Einwohnern als `.`; an der Quelle gesperrte Zellen der BA "
    "machen Summen zu `/` mit Unter- und Obergrenze."
)
_INDICATOR_TABLES = ("indikatoren", "basiszahlen", "gebiete")

INDIKATOREN = PublishedTable(
    name="indikatoren",
    title="Indikatoren",
    description=(
        "Alle Indikatoren im Langformat je Gebiet (jede Ebene) und Stichtag im heutigen "
        "Gebietsstand: Zähler, Nenner, Wert, Zeichen. Quoten gröberer Gebiete aus summierten "
        "Zählern und Nennern. Jeder Stichtag einer Reihe steht für jedes Gebiet, ohne Wert mit "
        "Zeichen, so dass eine Zeitreihe eine Lücke zeigt statt zu interpolieren."
    ),
    disclosure=_COUNTS,
    mart="indikatoren",
    reads=_INDICATOR_TABLES,
    grain=("indikator_id", "gebiet_id", "periode"),
    columns=(
        _c("indikator_id"),
        _c("gebiet_id"),
        _c("ebene"),
        _c("ebene_rang"),
        _c("periode"),
        _c("zaehler"),
        _c("nenner"),
        _c("wert"),
        _c("symbol", SYMBOL_COMMENT),
        _c("einheit"),
        _c("nenner_stichtag"),
        _c("gebietsstand"),
        _c("umgerechnet"),
        _c("unsicher"),
        _c("untergrenze"),
        _c("obergrenze"),
        _c("dynamik_vergleichsperiode"),
        _c("dynamik"),
    ),
    series=Series(
        period="periode",
        keys=("indikator_id",),
        area="gebiet_id",
        symbol="symbol",
        constant=("einheit", "gebietsstand"),
    ),
    excel_year_end_only=True,
)

INDIKATOREN_BREIT = PublishedTable(
    name="indikatoren_breit",
    title="Indikatoren (breit)",
    description=(
        "Die Werte der Tabelle indikatoren breit: eine Zeile je Gebiet und Stichtag, eine "
        "Spalte je Indikator. Zeichen und Grenzen stehen nur in der Tabelle indikatoren."
    ),
    disclosure="wie indikatoren; ein gesperrter Wert ist hier leer.",
    mart="indikatoren_breit",
    reads=_INDICATOR_TABLES,
    grain=("gebiet_id", "periode"),
    columns=(_c("gebiet_id"), _c("ebene"), _c("ebene_rang"), _c("periode")),
    open_columns=True,
    series=Series(period="periode", keys=(), area="gebiet_id", symbol=None, regular=False),
    excel_year_end_only=True,
)

SOZIALINDEX = PublishedTable(
    name="sozialindex",
    title="Sozialindex",
    description=(
        "Sozialindex (Standard: Berliner Monitoring Soziale Stadtentwicklung) je feinstem "
        "Gebiet und Stichtag: Anteile, Veränderungen, z-Werte, Indizes, Klassen, Gruppe und "
        "Ausschlussgrund."
    ),
    disclosure=(
        "Anteile, Veränderungen und z-Werte eines Gebiets stehen nur, wo der Indikator in der "
        "Tabelle indikatoren veröffentlicht ist; sonst leer."
    ),
    mart="sozialindex",
    reads=(*_INDICATOR_TABLES, "sozialindex"),
    grain=("periode", "gebiet_id"),
    columns=(_c("periode"), _c("gebiet_id"), _c("einwohner")),
    open_columns=True,
    comment_marts=("indikatoren_breit",),
    series=Series(period="periode", keys=(), area="gebiet_id", symbol=None, regular=False),
)

CONTROLLING = PublishedTable(
    name="controlling",
    title="Controlling",
    description=(
        "Finanzcontrolling je Haushaltsjahr, Kennzahl und Schlüssel (Produkt, Bereich, Stadt, "
        "Gebiet): Budgetausschöpfung und -abweichung, Kosten je Fall bzw. Empfänger."
    ),
    disclosure=(
        "Beträge sind öffentlich; Kosten je Fall über weniger Fälle als die Mindestfallzahl "
        "stehen als `*`."
    ),
    mart="controlling",
    reads=("controlling",),
    grain=("haushaltsjahr", "kennzahl", "schluessel_art", "schluessel"),
    columns=(
        _c("haushaltsjahr"),
        _c("kennzahl"),
        _c("schluessel_art"),
        _c("schluessel"),
        _c("bezeichnung"),
        _c("ebene"),
        _c("zaehler"),
        _c("nenner"),
        _c("wert"),
        _c("einheit"),
        _c("symbol", SYMBOL_COMMENT),
        _c("unsicher"),
        _c("hinweis"),
    ),
)

_CASE_DISCLOSURE = (
    "Beträge des Haushalts sind öffentlich. Fallzahlen sind Personenzahlen der Gesamtstadt "
    "aus dem einen Geheimhaltungssystem: ist ein Stichtag des Jahres dort gesperrt, stehen "
    "Fälle und alles daraus Abgeleitete (Kosten je Fall, Dichte, Effekte, Veränderungen) "
    "als `*`, da sie mit dem öffentlichen Ist die Fallzahl zurückgäben; nur eingegrenzt "
    "bekannte Fallzahlen als `/`."
)

CONTROLLING_HAUSHALT = PublishedTable(
    name="controlling_haushalt",
    title="Controlling: Plan und Ist",
    description=(
        "Plan und Ist der Aufwandskonten nebeneinander für jedes gelieferte Haushaltsjahr, "
        "mit Abweichung und Ausführungsquote, getrennt nach Gliederung (je Bereich, je "
        "Produkt, Gesamthaushalt; die Gliederungen nie zusammenzählen). Im Planjahr steht "
        "nur der Plan."
    ),
    disclosure="keine Fallzahlen; Haushaltsbeträge sind öffentlich und unverändert veröffentlicht.",
    mart="controlling_haushalt",
    reads=("controlling_haushalt",),
    grain=("haushaltsjahr", "gliederung", "schluessel"),
    columns=tuple(
        _c(n)
        for n in (
            "haushaltsjahr",
            "gliederung",
            "schluessel",
            "bezeichnung",
            "bereich",
            "bereich_bezeichnung",
            "plan",
            "ist",
            "abweichung",
            "ausfuehrungsquote",
            "planjahr",
            "hinweis",
            "reihenfolge",
        )
    ),
)

CONTROLLING_ZERLEGUNG = PublishedTable(
    name="controlling_zerlegung",
    title="Controlling: Zerlegung der Kostenveränderung",
    description=(
        "Veränderung des Ist eines Bereichs mit Fallzahl gegenüber dem Vorjahr, zerlegt in "
        "Mengeneffekt ((Fälle − Fälle Vorjahr) × Kosten je Fall Vorjahr), Preiseffekt "
        "((Kosten je Fall − Kosten je Fall Vorjahr) × Fälle Vorjahr) und Restglied (Produkt "
        "der beiden Differenzen); die drei ergeben zusammen die Veränderung."
    ),
    disclosure=_CASE_DISCLOSURE,
    mart="controlling_zerlegung",
    reads=("controlling_zerlegung", *_INDICATOR_TABLES),
    grain=("haushaltsjahr", "bereich"),
    columns=tuple(
        _c(n, SYMBOL_COMMENT if n == "symbol" else None)
        for n in (
            "haushaltsjahr",
            "bereich",
            "bereich_bezeichnung",
            "fall_merkmal",
            "fall_bezeichnung",
            "ist_vorjahr",
            "ist",
            "veraenderung",
            "faelle_vorjahr",
            "faelle",
            "kosten_je_fall_vorjahr",
            "kosten_je_fall",
            "mengeneffekt",
            "preiseffekt",
            "restglied",
            "symbol",
            "stichtage_vorjahr",
            "stichtage",
            "unsicher",
            "hinweis",
            "reihenfolge",
        )
    ),
)

CONTROLLING_KENNZAHLEN = PublishedTable(
    name="controlling_kennzahlen",
    title="Controlling: Kennzahlenbericht",
    description=(
        "Kennzahlenbericht je Haushaltsjahr und Produkt eines Bereichs mit Fallzahl: Fälle, "
        "Ist, Kosten je Fall, Fälle je 1.000 Einwohner und die Veränderung von Fällen und "
        "Kosten je Fall gegenüber dem Vorjahr."
    ),
    disclosure=_CASE_DISCLOSURE,
    mart="controlling_kennzahlen",
    reads=("controlling_kennzahlen", *_INDICATOR_TABLES),
    grain=("haushaltsjahr", "produkt"),
    columns=tuple(
        _c(n, SYMBOL_COMMENT if n == "symbol" else None)
        for n in (
            "haushaltsjahr",
            "produkt",
            "bezeichnung",
            "bereich",
            "bereich_bezeichnung",
            "fall_merkmal",
            "fall_bezeichnung",
            "faelle",
            "ist",
            "kosten_je_fall",
            "einwohner",
            "faelle_je_1000_ew",
            "faelle_vorjahr",
            "kosten_je_fall_vorjahr",
            "faelle_veraenderung_prozent",
            "kosten_je_fall_veraenderung_prozent",
            "symbol",
            "stichtage",
            "unsicher",
            "hinweis",
            "reihenfolge",
        )
    ),
)

_KONTRAKTE_COMMENTS = {
    "symbol": SYMBOL_COMMENT + " Gilt für Ist, Zielerreichung und Kosten je Einheit.",
    "personenzahl": (
        "Wahr, wenn die Leistung Personen zählt (jede außer beratungsstunden und plaetze): "
        "dann gilt die Mindestfallzahl."
    ),
    "status": (
        "erfuellt, verfehlt, offen oder ohne_leistungsziel (Regel in der Tabellenbeschreibung "
        "des Marts kontrakte); gesperrt, wo der Status mit dem Soll eine gesperrte Anzahl "
        "zurückgäbe."
    ),
}

# `ist` and `soll` are the output here (persons, hours, places), not money
_KONTRAKTE_HEADERS = {"ist": "Ist (Leistung)", "soll": "Soll (Leistung)"}

KONTRAKTE = PublishedTable(
    name="kontrakte",
    title="Kontrakte: Soll und Ist der Maßnahmen",
    description=(
        "Kontraktmanagement je Maßnahme eines freien Trägers, Jahr und Leistungsziel: Soll "
        "und Ist der Leistung, Budget Plan und Ist, Ausführungsquote, Kosten je "
        "Leistungseinheit und Status gegen den Kontrakt (offen, erfuellt, verfehlt, "
        "ohne_leistungsziel) mit Begründung. Die Budgetspalten gelten für Maßnahme und Jahr "
        "und wiederholen sich auf jeder Kennzahlzeile: nicht über Kennzahlen summieren."
    ),
    disclosure=(
        "Beträge (EUR) und Soll sind öffentlich. Eine Leistung, die Personen zählt (jede "
        "außer beratungsstunden und plaetze), unter der Mindestfallzahl "
        "(offenlegung.min_fallzahl) steht als `*`, ebenso Zielerreichung und Kosten je "
        "Einheit, die sie mit dem öffentlichen Ist in EUR und dem Soll zurückgäben; der "
        "Status steht als `gesperrt`, wo er mit dem Soll die Anzahl verriete."
    ),
    mart="kontrakte",
    reads=("kontrakte",),
    grain=("massnahme_id", "jahr", "kennzahl"),
    columns=tuple(
        Column(n, _KONTRAKTE_HEADERS.get(n) or HEADERS[n], _KONTRAKTE_COMMENTS.get(n))
        for n in (
            "massnahme_id",
            "titel",
            "traeger",
            "produkt",
            "gebiete",
            "jahr",
            "kennzahl",
            "personenzahl",
            "richtung",
            "soll",
            "ist",
            "zielerreichung",
            "plan_eur",
            "ist_eur",
            "abweichung_eur",
            "ausfuehrungsquote",
            "kosten_je_einheit",
            "symbol",
            "status",
            "status_grund",
        )
    ),
)

WIRKUNGSANALYSE = PublishedTable(
    name="wirkungsanalyse",
    title="Wirkungsanalyse der Maßnahmen",
    description=(
        "Je Maßnahme mit Wirkungsziel und Indikator: der Indikator in den Zielgebieten vor "
        "Beginn und zuletzt, dasselbe in Vergleichsgebieten derselben Statusklasse des "
        "Sozialindex mit dem nächsten Ausgangswert (in keiner Maßnahme), die Differenz der "
        "Differenzen in der Einheit des Indikators mit 95-%-Intervall aus einem "
        "Permutationstest über die Gebiete, die Zahl der Gebiete und der Hinweis, dass dies "
        "ein Zusammenhang und kein Beweis ist."
    ),
    disclosure=(
        "Berechnet nur aus veröffentlichten Werten der Tabellen indikatoren und sozialindex: "
        "ein Gebiet, dessen Wert dort gesperrt oder nur eingegrenzt ist, nimmt nicht teil."
    ),
    mart="wirkungsanalyse",
    reads=(*_INDICATOR_TABLES, "sozialindex", "kontrakte", "wirkungsanalyse"),
    grain=("massnahme_id", "indikator_id"),
    columns=tuple(
        _c(n)
        for n in (
            "massnahme_id",
            "titel",
            "indikator_id",
            "einheit",
            "beginn",
            "vorher_periode",
            "nachher_periode",
            "zielgebiete",
            "gebiete",
            "vergleichsgebiete",
            "anzahl_gebiete",
            "anzahl_vergleichsgebiete",
            "vorher_massnahme",
            "nachher_massnahme",
            "veraenderung_massnahme",
            "vorher_vergleich",
            "nachher_vergleich",
            "veraenderung_vergleich",
            "differenz_in_differenzen",
            "untergrenze",
            "obergrenze",
            "p_wert",
            "permutationen",
            "ergebnis",
            "grund",
            "hinweis",
        )
    ),
)

ZIELUEBERPRUEFUNG = PublishedTable(
    name="zielueberpruefung",
    title="Zielüberprüfung",
    description=(
        "Jedes Ziel (die beschlossenen Ziele der Stadt, die Wirkungs- und Leistungsziele der "
        "Maßnahmen) mit seiner Reihe und dem Status erreicht, verfehlt, auf_kurs, "
        "nicht_auf_kurs (Trendgerade bis zum Zieljahr) oder nicht_entscheidbar, mit "
        "Begründung: die Rückmeldung für die nächste Zielrunde."
    ),
    disclosure=(
        "Reihen nur aus veröffentlichten Werten der Tabellen indikatoren und kontrakte: ein "
        "gesperrter Wert ist kein Punkt der Reihe (das Ziel kann dann nicht entscheidbar sein)."
    ),
    mart="zielueberpruefung",
    reads=(*_INDICATOR_TABLES, "zielerreichung", "kontrakte", "zielueberpruefung"),
    grain=("ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr"),
    columns=tuple(
        _c(n)
        for n in (
            "ziel_art",
            "massnahme_id",
            "kennzahl",
            "gebiet_id",
            "jahr",
            "zielwert",
            "richtung",
            "beschluss",
            "einheit",
            "reihe",
            "werte",
            "letztes_jahr",
            "letzter_wert",
            "trend_je_jahr",
            "trend_zieljahr",
            "status",
            "grund",
        )
    ),
)

ZIELERREICHUNG = PublishedTable(
    name="zielerreichung",
    title="Zielerreichung",
    description=(
        "Jedes beschlossene Ziel (reference/ziele.csv) mit Istwert im Zieljahr, Zielwert, "
        "Abstand und ob es erreicht ist."
    ),
    disclosure=(
        "Istwert und Abstand stehen nur, soweit der Indikator in der Tabelle indikatoren "
        "veröffentlicht ist (sonst dessen Zeichen); erreicht ist wahr/falsch, sobald der "
        "veröffentlichte Wert oder beide Grenzen auf einer Seite des Zielwerts liegen."
    ),
    mart="zielerreichung",
    reads=(*_INDICATOR_TABLES, "zielerreichung"),
    grain=("indikator_id", "gebiet_id", "jahr"),
    columns=(
        _c("indikator_id"),
        _c("gebiet_id"),
        _c("ebene"),
        _c("jahr"),
        _c("periode"),
        _c("istwert"),
        _c("zielwert"),
        _c("abstand"),
        _c("richtung"),
        _c("erreicht"),
        _c("beschluss"),
        _c("symbol", SYMBOL_COMMENT),
        _c("unsicher"),
        _c("einheit"),
        _c("gebietsstand"),
        _c(
            "untergrenze",
            "Untergrenze des Istwerts, wo er nur eingegrenzt bekannt ist (sonst leer); "
            "`erreicht` ist entschieden, sobald beide Grenzen auf einer Seite des Zielwerts "
            "liegen.",
        ),
        _c("obergrenze", "Obergrenze des Istwerts, wo er nur eingegrenzt bekannt ist."),
    ),
)

GEBIETE = PublishedTable(
    name="gebiete",
    title="Gebiete und Geometrien",
    description=(
        "Gebietsdimension: jedes Gebiet jedes Gebietsstands mit Ebene, übergeordnetem Gebiet, "
        "Gültigkeit und GeoJSON-Geometrie (WGS84) der feinsten Gebiete."
    ),
    disclosure="keine Fallzahlen; unverändert veröffentlicht.",
    mart="gebiete",
    reads=("gebiete",),
    grain=("gebiet_id", "gueltig_ab"),
    columns=(
        _c("gebiet_id"),
        _c("name"),
        _c("ebene"),
        _c("ebene_rang"),
        _c("parent_id"),
        _c("pfad"),
        _c("gueltig_ab"),
        _c("gueltig_bis"),
        _c("ist_aktuell"),
        _c("ist_feinste_ebene"),
        _c("geometrie_geojson", excel=False),
    ),
)

INDIKATORKATALOG = PublishedTable(
    name="indikatorkatalog",
    title="Indikatorkatalog",
    description=(
        "Der Indikatorenkatalog: Bezeichnung, Bereich, Formel aus Zähl- und Nennergröße, "
        "Einheit, Quelle, Definition und Zeitreihenbrüche mit den geltenden Parametern der Stadt."
    ),
    disclosure="keine Fallzahlen; unverändert veröffentlicht.",
    mart="indikatorkatalog",
    reads=("indikatorkatalog",),
    grain=("indikator_id",),
    columns=(
        _c("indikator_id"),
        _c("reihenfolge"),
        _c("bezeichnung"),
        _c("bereich"),
        _c("berechnung"),
        _c("zaehler_merkmal"),
        _c("nenner_merkmal"),
        _c("faktor"),
        _c("einheit"),
        _c("stichtag_regel"),
        _c("dynamik"),
        _c("polaritaet"),
        _c("quelle"),
        _c("definition"),
        _c("interpretation"),
        _c("zeitreihenbrueche"),
        _c("zaehler_definition"),
        _c("nenner_definition"),
    ),
)

_PROGNOSE_DISCLOSURE = (
    "Schätzwerte, keine Zählungen; auf ganze Personen gerundet. Ein Wert steht nur, wo er "
    "die Mindestfallzahl (offenlegung.min_fallzahl) erreicht und die prognostizierte "
    "Einwohnerzahl des Gebiets offenlegung.min_einwohner erreicht; sonst `.`."
)

BEVOELKERUNGSPROGNOSE = PublishedTable(
    name="bevoelkerungsprognose",
    title="Bevölkerungsprognose",
    description=(
        "Kleinräumige Bevölkerungsprognose (Komponentenmethode aus Geburten, Sterbefällen "
        "und Wanderungen nach Alter, wo die Bewegungsdaten Altersangaben tragen, sonst "
        "Kohortenveränderungsraten nach Hamilton–Perry; das Verfahren nennt explain) "
        "je Gebiet, Basisstichtag, Prognosejahr und Variante in Altersgruppen (den Grenzen "
        "der Bedarfseckwerte) und insgesamt, beide Geschlechter zusammen. Vom letzten 31.12. "
        "aus in den Varianten unten, mitte und oben; von jedem früheren 31.12. mit fünf "
        "tatsächlichen Folgejahren die Rückrechnung (Variante mitte), deren Güte in der "
        "Tabelle prognose_guete steht."
    ),
    disclosure=_PROGNOSE_DISCLOSURE,
    mart="bevoelkerungsprognose",
    reads=("bevoelkerungsprognose",),
    grain=("gebiet_id", "basis_stichtag", "stichtag", "variante", "altersgruppe"),
    columns=(
        _c("gebiet_id"),
        _c("ebene"),
        _c("basis_stichtag"),
        _c("stichtag"),
        _c("variante"),
        _c(
            "altersgruppe",
            "Altersgruppe in vollendeten Jahren (z. B. 0-2, 65+), insgesamt = alle Alter.",
        ),
        _c("alter_von", "Untere Altersgrenze der Gruppe (vollendete Jahre, eingeschlossen)."),
        _c("alter_bis", "Obere Altersgrenze der Gruppe (eingeschlossen; 100 = 100 und älter)."),
        _c(
            "einwohner",
            "Prognostizierte Einwohnerzahl der Altersgruppe, auf ganze Personen gerundet "
            "(Schätzwert, keine Zählung); leer mit Zeichen `.`, wo zu klein.",
        ),
        _c("symbol", SYMBOL_COMMENT),
    ),
)

PROGNOSE_GUETE = PublishedTable(
    name="prognose_guete",
    title="Güte der Bevölkerungsprognose (Rückrechnung)",
    description=(
        "Wie falsch dieselbe Prognose in der Vergangenheit gewesen wäre: für jeden "
        "Basisstichtag der Rückrechnung die Abweichung vom später gezählten Bestand je "
        "Prognosehorizont, Ebene, Altersgruppe und Größenklasse, neben zwei einfachen "
        "Vergleichsverfahren (Bestand konstant; Gerade durch die letzten fünf Jahre)."
    ),
    disclosure="keine Fallzahlen (Fehlermaße über viele Gebiete); unverändert veröffentlicht.",
    mart="prognose_guete",
    reads=("prognose_guete",),
    grain=("basis_stichtag", "horizont_jahre", "ebene", "zielgruppe", "groessenklasse", "methode"),
    columns=(
        _c("basis_stichtag"),
        _c("stichtag"),
        _c("horizont_jahre"),
        _c("ebene"),
        _c("zielgruppe"),
        _c("groessenklasse"),
        _c("methode"),
        Column("gebiete", "Gebiete (Anzahl)"),
        _c("mape"),
        _c("gewichteter_fehler"),
        _c("bias"),
    ),
)

BEDARFSPLANUNG = PublishedTable(
    name="bedarfsplanung",
    title="Bedarfsplanung",
    description=(
        "Bedarfsplanung der sozialen Infrastruktur je Gebiet, Einrichtungsart und Jahr: "
        "Bevölkerung der Altersgruppe, Plätze, Versorgungsquote, Bedarfseckwert und fehlende "
        "(negativ) oder überzählige Plätze; heute (Variante ist) und in den Prognosejahren "
        "je Variante. Auf der Planungsebene der Art und jeder gröberen Ebene (Summen)."
    ),
    disclosure=(
        "Plätze, Zielwert und Bezugsgröße sind öffentlich. Die Bevölkerung der Altersgruppe "
        "einer Zeile der Variante ist ist eine Zählung: unter der Mindestfallzahl "
        "(offenlegung.min_fallzahl) und wo sie sich aus übergeordnetem Gebiet und "
        "Nachbargebieten zurückrechnen ließe `*`, in Gebieten unter offenlegung.min_einwohner "
        "Einwohnern `.`; benötigte Plätze, Platzsaldo und Versorgungsquote gäben sie mit "
        "den Plätzen zurück und stehen dann ebenfalls leer. Plätze aus Nachbargebieten stehen "
        "nur, wo der Platzsaldo des Gebiets und aller Gebiete bis drei Grenzen weiter "
        "veröffentlicht ist (sie werden aus den veröffentlichten Salden berechnet). "
        "Prognosejahre: " + _PROGNOSE_DISCLOSURE
    ),
    mart="bedarfsplanung",
    reads=("bedarfsplanung", "bevoelkerungsprognose", *_INDICATOR_TABLES),
    grain=("gebiet_id", "art", "jahr", "variante"),
    columns=(
        *(
            _c(n)
            for n in (
                "gebiet_id",
                "ebene",
                "ist_planungsebene",
                "art",
                "jahr",
                "stichtag",
                "variante",
                "basis_stichtag",
                "alter_von",
                "alter_bis",
            )
        ),
        _c(
            "bedarfsbevoelkerung",
            "Einwohner der Altersgruppe (Zählung für ist, gerundeter Schätzwert für "
            "Prognosejahre); leer, wo das Zeichen es sagt.",
        ),
        *(
            _c(n)
            for n in (
                "plaetze",
                "zielwert",
                "je",
                "bedarf_plaetze",
                "versorgungsquote",
                "platzsaldo",
                "plaetze_nachbarn",
                "platzsaldo_mit_nachbarn",
            )
        ),
        _c(
            "symbol",
            SYMBOL_COMMENT + " Gilt für Bevölkerung, benötigte Plätze, Versorgungsquote und "
            "Platzsaldo (auch mit Nachbargebieten).",
        ),
    ),
)

# in publish order; the report lists them in this order too
TABLES: dict[str, PublishedTable] = {
    t.name: t
    for t in (
        INDIKATOREN, INDIKATOREN_BREIT, SOZIALINDEX, CONTROLLING, CONTROLLING_HAUSHALT,
        CONTROLLING_ZERLEGUNG, CONTROLLING_KENNZAHLEN, KONTRAKTE, WIRKUNGSANALYSE, ZIELUEBERPRUEFUNG,
        ZIELERREICHUNG, BEVOELKERUNGSPROGNOSE, PROGNOSE_GUETE, BEDARFSPLANUNG,
        GEBIETE,
        INDIKATORKATALOG,
    )
}  # fmt: skip


class DeclarationError(ValueError):
    """A published table does not match its declaration (a defect of the code, not the data)."""


@dataclass
class TableDocs:
    """The German comments of one published table as written."""

    table: str
    comment: str
    columns: dict[str, str] = field(default_factory=dict)


def check_columns(table: PublishedTable, columns: list[str]) -> None:
    """The frame to publish has the declared columns, in order, and no others (unless open)."""
    fixed = [c for c in columns if c in table.column_names]
    missing = [c for c in table.column_names if c not in columns]
    if missing:
        raise DeclarationError(
            f"Veröffentlichung: der Tabelle {table.name} fehlen die deklarierten Spalten "
            f"{', '.join(missing)} (pipelines/publish/tables.py)"
        )
    if fixed != list(table.column_names) or columns[: len(fixed)] != fixed:
        raise DeclarationError(
            f"Veröffentlichung: die Spalten der Tabelle {table.name} stehen nicht in der "
            f"deklarierten Reihenfolge ({', '.join(table.column_names)})"
        )
    extra = columns[len(fixed) :]
    if extra and not table.open_columns:
        raise DeclarationError(
            f"Veröffentlichung: die Tabelle {table.name} hat nicht deklarierte Spalten "
            f"{', '.join(extra)} (pipelines/publish/tables.py)"
        )


def resolve_docs(
    table: PublishedTable, columns: list[str], mart_comments: dict[str, dict[str, str]]
) -> TableDocs:
    """German comment of every column: declared, else the mart's, else by pattern.

    `mart_comments`: mart name -> column -> comment (from warehouse.duckdb). A column that
    gets no comment is a DeclarationError naming it.
    """
    sources = [mart_comments.get(m, {}) for m in (table.mart, *table.comment_marts)]

    def lookup(name: str) -> str | None:
        col = table.column(name)
        if col is not None and col.comment:
            return col.comment
        for source in sources:
            if source.get(name):
                return source[name]
        if name.startswith("z_") and (base := lookup(name[2:])):
            return f"z-Wert (standardisiert über die einbezogenen Gebiete) von: {base}"
        return None

    docs = TableDocs(table.name, table.comment)
    missing = []
    for name in columns:
        text = lookup(name)
        if text is None:
            missing.append(name)
        else:
            docs.columns[name] = text
    if missing:
        raise DeclarationError(
            f"Veröffentlichung: Spalte(n) {', '.join(missing)} der Tabelle {table.name} ohne "
            "deutsche Erläuterung: Beschreibung im dbt-Modell marts."
            f"{table.mart} ergänzen oder in pipelines/publish/tables.py deklarieren"
        )
    return docs
