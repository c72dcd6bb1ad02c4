"""The Kita sheet for the Jugendhilfeausschuss: `excel/gremien/kita_bedarfsplanung.xlsx`.

One workbook the planning unit can hand on as it is: the rows of the Kita types of the
published `bedarfsplanung` (today and every projected year in the three variants), German
headers, area names, and next to every projected figure the error the projection method made
in the back-test (`prognose_guete`, as in the report chapter). A sheet "Erläuterungen" says
the Stand, the Bedarfseckwerte, the variants, what `*` and `.` mean and how the back-test
error reads.

Only published tables (`bedarfsplanung`, `prognose_guete`, `gebiete`): no figure here that
the disclosure system did not publish; a withheld value stays empty with its symbol.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from pipelines.publish.tables import SYMBOLS
from pipelines.publish.xlsx import write_sheet

FOLDER = "gremien"  # beside excel/<table>.xlsx, one workbook per published table
FILE = "kita_bedarfsplanung.xlsx"
# the published tables the workbook is made of (sheet_frame, notes_frame)
INPUTS = ("bedarfsplanung", "gebiete", "prognose_guete")
SHEET = "Kita-Bedarfsplanung"
KITA_ARTS = ("kita_u3", "kita_ue3")
VARIANTS = {
    "ist": "Ist (gemeldete Einwohner am 31.12.)",
    "unten": "Prognose, untere Variante (Raten um eine Standardabweichung niedriger)",
    "mitte": "Prognose, mittlere Variante (Raten wie geschätzt)",
    "oben": "Prognose, obere Variante (Raten um eine Standardabweichung höher)",
}
VARIANT_ORDER = {"ist": 0, "unten": 1, "mitte": 2, "oben": 3}
# column of the sheet -> header (in this order)
COLUMNS = {
    "einrichtungsart": "Einrichtungsart",
    "gebiet_id": "Gebiet",
    "gebietsname": "Gebietsname",
    "ebene": "Ebene",
    "planungsebene": "Planungsebene",
    "jahr": "Jahr",
    "variante": "Variante",
    "basis_stichtag": "Basisstichtag der Prognose",
    "altersgruppe": "Altersgruppe",
    "bedarfsbevoelkerung": "Kinder der Altersgruppe",
    "plaetze": "Plätze",
    "zielwert": "Bedarfseckwert (Plätze je Bezugsgröße)",
    "je": "Bezugsgröße (Kinder)",
    "bedarf_plaetze": "Benötigte Plätze",
    "versorgungsquote": "Versorgungsquote",
    "platzsaldo": "Platzsaldo (negativ = fehlende Plätze)",
    "plaetze_nachbarn": "Plätze aus Nachbargebieten",
    "platzsaldo_mit_nachbarn": "Platzsaldo mit Nachbargebieten",
    "symbol": "Zeichen",
    "prognosefehler": "Prognosefehler der Methode im Rückblick (MAPE, %)",
    "prognosefehler_horizont": "Prognosefehler geprüft für Horizont (Jahre)",
}


# published columns taken over as they are
SHOWN = (
    "bedarfsbevoelkerung", "plaetze", "zielwert", "je", "bedarf_plaetze", "versorgungsquote",
    "platzsaldo", "plaetze_nachbarn", "platzsaldo_mit_nachbarn", "symbol",
)  # fmt: skip


def _art_title(art: str) -> str:
    from pipelines.report.bedarfsplanung import ART_TITLES

    return ART_TITLES.get(art, art)


def sheet_frame(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The data sheet: the Kita rows of the published bedarfsplanung, with area names and
    the back-test error of every projected row (null for `ist` and where not tested)."""
    from pipelines.report.bedarfsplanung import backtest_error, target_group

    plan = tables["bedarfsplanung"].filter(pl.col("art").is_in(list(KITA_ARTS)))
    gebiete = tables["gebiete"]
    if "ist_aktuell" in gebiete.columns:
        gebiete = gebiete.filter(pl.col("ist_aktuell"))
    names = dict(gebiete.select("gebiet_id", "name").unique("gebiet_id").rows())
    ranks = dict(gebiete.select("ebene", "ebene_rang").unique("ebene").rows())
    guete = tables["prognose_guete"].to_dicts()
    # one back-test error per (level, age group, horizon), not one scan of all back-test
    # rows per plan row (berlin: 39,660 scans, half a minute of the publish step)
    errors: dict[tuple, tuple[float, int] | None] = {}
    rows = []
    for r in plan.iter_rows(named=True):
        err = None
        if r["variante"] != "ist" and r["basis_stichtag"] is not None:
            horizon = int(r["jahr"]) - r["basis_stichtag"].year
            key = (r["ebene"], target_group(r["alter_von"], r["alter_bis"]), horizon)
            if key not in errors:
                errors[key] = backtest_error(guete, *key)
            err = errors[key]
        rows.append(
            {
                "einrichtungsart": _art_title(r["art"]),
                "gebiet_id": r["gebiet_id"],
                "gebietsname": names.get(r["gebiet_id"]),
                "ebene": r["ebene"],
                "planungsebene": "ja" if r["ist_planungsebene"] else "nein",
                "jahr": int(r["jahr"]),
                "variante": VARIANTS.get(r["variante"], r["variante"]),
                "basis_stichtag": r["basis_stichtag"],
                "altersgruppe": f"{r['alter_von']} bis {r['alter_bis']} Jahre",
                **{c: r.get(c) for c in SHOWN},
                "prognosefehler": None if err is None else round(err[0], 1),
                "prognosefehler_horizont": None if err is None else err[1],
                "_art": r["art"],
                "_v": VARIANT_ORDER.get(r["variante"], 9),
                "_rang": ranks.get(r["ebene"], 99),
            }
        )
    schema = {
        "einrichtungsart": pl.String, "gebiet_id": pl.String, "gebietsname": pl.String,
        "ebene": pl.String, "planungsebene": pl.String, "jahr": pl.Int32, "variante": pl.String,
        "basis_stichtag": pl.Date, "altersgruppe": pl.String, "bedarfsbevoelkerung": pl.Float64,
        "plaetze": pl.Int64, "zielwert": pl.Float64, "je": pl.Int32, "bedarf_plaetze": pl.Float64,
        "versorgungsquote": pl.Float64, "platzsaldo": pl.Float64,
        "plaetze_nachbarn": pl.Float64, "platzsaldo_mit_nachbarn": pl.Float64,
        "symbol": pl.String, "prognosefehler": pl.Float64, "prognosefehler_horizont": pl.Int32,
        "_art": pl.String, "_v": pl.Int32, "_rang": pl.Int32,
    }  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema)
    return frame.sort("_art", "_v", "jahr", "_rang", "gebiet_id").select(list(COLUMNS))


def notes_frame(tables: dict[str, pl.DataFrame], created: date | None = None) -> pl.DataFrame:
    """The sheet "Erläuterungen": Stand, targets, variants, symbols, the back-test error."""
    plan = tables["bedarfsplanung"].filter(pl.col("art").is_in(list(KITA_ARTS)))
    ist_years = plan.filter(pl.col("variante") == "ist")["jahr"].unique().sort().to_list()
    bases = plan["basis_stichtag"].drop_nulls().unique().sort().to_list()
    projected = plan.filter(pl.col("variante") != "ist")["jahr"]
    rows = [
        ("Inhalt", "Tabelle", "Kita-Bedarfsplanung: je Gebiet, Jahr und Variante Kinder der "
         "Altersgruppe, Plätze, benötigte Plätze nach dem Bedarfseckwert, Versorgungsquote und "
         "Platzsaldo; Blatt „" + SHEET + "“."),
        ("Stand", "Ist-Jahre", ", ".join(str(y) for y in ist_years) + " (jeweils 31.12.)"
         if ist_years else "keine"),
        ("Stand", "Basisstichtag der Prognose",
         ", ".join(f"{b:%d.%m.%Y}" for b in bases) if bases else "keine Prognose"),
        ("Stand", "Prognosejahre",
         f"{projected.min()} bis {projected.max()}" if projected.len() else "keine"),
    ]  # fmt: skip
    if created is not None:
        rows.append(("Stand", "Erstellt am", f"{created:%d.%m.%Y}"))
    ebenen = {}
    for art in KITA_ARTS:
        part = plan.filter(pl.col("art") == art)
        if part.is_empty():
            continue
        first = part.row(0, named=True)
        planning = part.filter(pl.col("ist_planungsebene"))["ebene"].unique().to_list()
        ebenen[art] = planning[0] if planning else first["ebene"]
        rows.append(
            (
                "Bedarfseckwert",
                _art_title(art),
                f"{first['zielwert']:g} Plätze je {first['je']} Kinder im Alter von "
                f"{first['alter_von']} bis {first['alter_bis']} Jahren; Planungsebene "
                f"{ebenen[art]} (gröbere Ebenen sind Summen)",
            )
        )
    rows += [("Variante", VARIANTS[v].split(" (")[0], VARIANTS[v]) for v in VARIANTS]
    rows += [("Zeichen", sym, text) for sym, text in SYMBOLS.items() if sym in ("*", ".", "-")]
    rows += [
        ("Zeichen", "*", "Bei Ist-Zeilen ist die Zahl der Kinder eine Zählung; benötigte "
         "Plätze, Versorgungsquote und Platzsaldo gäben sie mit den öffentlichen Plätzen "
         "zurück und bleiben mit ihr leer."),
        ("Zeichen", ".", "Bei Prognosejahren: Schätzwert unter der Mindestfallzahl oder "
         "Gebiet mit zu wenigen geschätzten Einwohnern; eine geschätzte 1 oder 2 soll nicht "
         "als Person gelesen werden."),
        ("Prognosefehler", COLUMNS["prognosefehler"], "Wie weit dieselbe Prognosemethode in "
         "der Rückrechnung früherer Jahre danebenlag: mittlerer absoluter prozentualer "
         "Fehler (MAPE) über die Gebiete der Ebene, für die Altersgruppe 0 bis 5 Jahre, "
         "gemittelt über die Basisstichtage der Rückrechnung. Die Rückrechnung reicht nur so "
         "weit, wie es nach ihren Basisstichtagen echte Jahre gibt; für weiter entfernte "
         "Jahre steht der Fehler des längsten geprüften Horizonts (Spalte "
         f"„{COLUMNS['prognosefehler_horizont']}“). Leer: nicht geprüft (zu wenige Jahre)."),
        ("Plätze aus Nachbargebieten", COLUMNS["plaetze_nachbarn"], "Nur auf der "
         "Planungsebene: aus dem Überhang angrenzender Gebiete angerechnete (positiv) oder "
         "an sie abgegebene Plätze (negativ), nach dem Anteil nachbarn_anteil der "
         "Bedarfseckwerte; 0 ohne Anrechnung."),
        ("Quelle", "Publikationszone", "Nur veröffentlichte Tabellen (bedarfsplanung, "
         "prognose_guete, gebiete) nach der statistischen Geheimhaltung; keine Zahl, die "
         "dort nicht steht."),
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=["Art", "Name", "Erläuterung"], orient="row")


def write_workbook(folder: Path, tables: dict[str, pl.DataFrame]) -> Path:
    """Write `kita_bedarfsplanung.xlsx` into `folder` (the version's excel/gremien/)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    frame = sheet_frame(tables)
    write_sheet(
        path, frame, SHEET, list(COLUMNS.values()),
        "sozialmonitor: Kita-Bedarfsplanung für den Jugendhilfeausschuss",
        notes=notes_frame(tables),
    )  # fmt: skip
    return path
