"""Does each column hold what its header says? Decided per file, before any value is kept.

Quarantine and messages trust the header: a value of `strasse` may be shown so that an
address can be fixed, a value of `nachname` never. An export with swapped header cells
(`nachname;vorname` where `strasse;hausnummer` belong, `stichtag` and `geburtsdatum`
exchanged) would turn that trust into a leak. So every column's content is first checked
against the class its contract declares (a date, a number, a code of the list, a house
number, a street, a name, a birth date, an identifier, one reference date); when more than
half of a column's filled cells do not fit, the file is refused as `inhalt_unplausibel`.
The message names the column, how many cells did not fit and the first such line, never a
value. Single odd cells stay row problems (quarantine), as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.parsing import german
from pipelines.parsing.table import LINE_COL, FileRejected

REASON = "inhalt_unplausibel"
# a swapped header affects every row; a spread sample decides it as well as the whole file
SAMPLE_ROWS = 5_000
# at least this many filled cells before "all the same date" counts against a column
MIN_FOR_SPREAD = 5

# house numbers as real exports write them: 12, 12a, 12 a, 12-a, 12.0, 12/14, 12-14 b
HOUSE_NUMBER = r"^\d{1,5}(\.0)?(\s*[-/]\s*\d{1,5})?\s*[-/.]?\s*[A-Za-z]{0,3}$"
# what only street names look like (names of persons practically never do)
STREET_SHAPE = (
    r"(?i)(stra(ß|ss)e|str\.|weg|platz|allee|gasse|chaussee|damm|ufer|ring|steig|stieg|pfad|"
    r"zeile|markt|promenade|kai|wall|graben|anger|brücke|bruecke)$"
    r"|^(am|an|auf|im|in|zum|zur|unter|hinter|vor|alt|alte|neue|neuer|große|kleine|obere|"
    r"untere)\s"
)
# the strictest part of STREET_SHAPE: a person's name ending like this is rare
NAME_AS_STREET = (
    r"(?i)(stra(ß|ss)e|str\.|weg|platz|allee|gasse|chaussee|damm|ufer)$"
    r"|^(am|an|auf|im|in|zum|zur|unter|hinter)\s"
)


@dataclass(frozen=True)
class Misfit:
    column: str
    bad: int
    filled: int
    first_line: int
    expected: str

    def describe(self) -> str:
        return (
            f"Spalte {self.column}: {self.bad} von {self.filled} Zellen passen nicht "
            f"({self.expected}), ab Zeile {self.first_line}"
        )


def refusal(misfits: list[Misfit]) -> FileRejected:
    return FileRejected(
        REASON,
        "Inhalt passt nicht zur Kopfzeile: "
        + "; ".join(m.describe() for m in misfits[:5])
        + ". Kopfzeile vertauscht oder Spalten verschoben? Die Datei wird nicht geladen, "
        "Werte werden nicht angezeigt.",
    )


def check_content(
    kind,
    frame: pl.DataFrame,
    period_last_day: date | None,
    directory: pl.DataFrame | None,
) -> None:
    """Refuse the file (FileRejected) when a column's content does not fit its contract."""
    from pipelines.contracts import ContractError

    try:
        contract = kind.contract()
    except ContractError:  # GeoJSON geometry: no table, no contract
        return
    sample = _sample(frame)
    if sample.height == 0:
        return
    streets = _directory_streets(directory)
    # every count in one query: per column the filled cells, per rule the misfits and the
    # first line of one, for date columns how often the commonest value occurs
    exprs: list[pl.Expr] = []
    plan: list[tuple] = []
    line = pl.col(LINE_COL)
    for col in contract.columns:
        if col.origin != "spalte" or col.name not in sample.columns:
            continue
        value = pl.col(col.name).cast(pl.String).str.strip_chars()
        filled = ~german.is_blank(value)
        n = len(exprs)
        exprs.append(filled.sum().alias(f"f{n}"))
        exprs.append(line.filter(filled).min().alias(f"l{n}"))
        if col.logical_type == "date":
            exprs.append(value.filter(filled).unique_counts().max().alias(f"t{n}"))
        rules = []
        for i, (bad, expected) in enumerate(
            _rules(col, value, contract, kind, period_last_day, streets)
        ):
            hit = filled & bad.fill_null(True)
            exprs.append(hit.sum().alias(f"b{n}_{i}"))
            exprs.append(line.filter(hit).min().alias(f"h{n}_{i}"))
            rules.append(expected)
        plan.append((col, n, rules))
    counts = sample.select(exprs).row(0, named=True)
    misfits: list[Misfit] = []
    for col, n, rules in plan:
        filled_n = counts[f"f{n}"] or 0
        if not filled_n:
            continue
        for i, expected in enumerate(rules):
            bad_n = counts[f"b{n}_{i}"] or 0
            if bad_n * 2 > filled_n:
                misfits.append(Misfit(col.name, bad_n, filled_n, counts[f"h{n}_{i}"], expected))
                break
        else:
            spread = _spread_misfit(
                col, filled_n, counts.get(f"t{n}") or 0, counts[f"l{n}"], contract
            )
            if spread:
                misfits.append(spread)
    misfits += _age_misfits(contract, sample)
    if misfits:
        raise refusal(misfits)


def _sample(frame: pl.DataFrame) -> pl.DataFrame:
    if frame.height <= SAMPLE_ROWS:
        return frame
    return frame.gather_every(math.ceil(frame.height / SAMPLE_ROWS))


def _directory_streets(directory: pl.DataFrame | None) -> pl.Series | None:
    if directory is None or directory.height == 0 or "_str" not in directory.columns:
        return None
    return directory.get_column("_str").drop_nulls().unique()


def _known_street(value: pl.Expr, streets: pl.Series | None) -> pl.Expr:
    from pipelines.protection.addresses import normalise_street

    if streets is None:
        return pl.lit(False)
    return _nfc(value).pipe(normalise_street).is_in(streets.implode())


def _nfc(value: pl.Expr) -> pl.Expr:
    return value.str.normalize("NFC")


def _rules(col, value: pl.Expr, contract, kind, period_last_day, streets):
    """(mask of cells that do not fit, what was expected), in the order they are tried."""
    typ = col.logical_type
    if getattr(col, "ba_symbols", False):
        yield german.ba_count_invalid(value), "Zahl oder BA-Zeichen erwartet"
    elif typ == "integer":
        yield german.int_invalid(value), "ganze Zahl erwartet"
    elif typ == "number":
        yield german.decimal_invalid(value), "Zahl erwartet"
    elif typ == "date":
        yield german.date_invalid(value), "Datum erwartet"
    if col.codes:
        codes = [c.casefold() for c in col.codes]
        yield ~value.str.to_lowercase().is_in(codes), "ein Wert der Codeliste erwartet"
    personal = col.personal
    if personal == "name":
        yield (
            value.str.contains(r"\d") | value.str.contains(NAME_AS_STREET)
            | _known_street(value, streets)
        ), "ein Name erwartet, gefunden sind Ziffern oder Straßennamen"  # fmt: skip
    elif personal == "adresse" and col.name == "hausnummer":
        yield ~value.str.contains(HOUSE_NUMBER), "Hausnummer erwartet"
    elif personal == "adresse" and col.name == "strasse":
        yield ~value.str.contains(r"[^\W\d_]"), "Straßenname erwartet"
        if streets is not None:
            yield (
                (~_known_street(value, streets) & ~value.str.contains(STREET_SHAPE)),
                "Straßenname erwartet: weder im Straßenverzeichnis noch wie eine Straße geschrieben",
            )
    elif personal == "kennung":
        yield (
            (~value.str.contains(r"\d") | ~german.date_invalid(value)),
            "Kennung erwartet (mit Ziffern, kein Datum)",
        )
    elif personal == "geburtsdatum" and period_last_day is not None:
        born = german.parse_date(value)
        yield born > pl.lit(period_last_day), "Geburtsdatum vor dem Stichtag erwartet"
        yield (
            (born < pl.lit(date(period_last_day.year - 121, 1, 1))),
            "Geburtsdatum der letzten 120 Jahre erwartet",
        )


def _age_misfits(contract, sample: pl.DataFrame) -> list[Misfit]:
    """Born after the date the age is taken at, in most rows: two date columns exchanged."""
    out = []
    for rule in contract.rules:
        birth, ref = rule.params.get("spalte"), rule.params.get("bezug")
        if rule.rule != "alter" or birth not in sample.columns or ref not in sample.columns:
            continue
        dated = sample.select(
            pl.col(LINE_COL),
            german.parse_date(pl.col(birth)).alias("b"),
            german.parse_date(pl.col(ref)).alias("r"),
        ).drop_nulls()
        later = dated.filter(pl.col("b") > pl.col("r"))
        if dated.height and later.height * 2 > dated.height:
            expected = f"Geburtsdatum vor {ref} erwartet, gefunden ist es überwiegend danach"
            out.append(Misfit(birth, later.height, dated.height, later[LINE_COL].min(), expected))
    return out


def _spread_misfit(col, filled: int, top: int, first_line: int, contract) -> Misfit | None:
    """A reference date is one value for the whole file; birth dates are many."""
    if col.logical_type != "date" or filled < MIN_FOR_SPREAD:
        return None
    if col.name == contract.period_column and top * 2 <= filled:
        return Misfit(
            col.name, filled - top, filled, first_line,
            "ein Stichtag für die ganze Datei erwartet, gefunden sind viele verschiedene Daten",
        )  # fmt: skip
    if col.personal == "geburtsdatum" and top * 2 > filled:
        return Misfit(
            col.name, top, filled, first_line,
            "Geburtsdaten erwartet, gefunden ist überwiegend dasselbe Datum",
        )  # fmt: skip
    return None
