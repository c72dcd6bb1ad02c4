"""check_rows finds every rule's violation on small hand-made frames, and nothing on the
valid Musterstadt example deliveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from pipelines.contracts import ContractSchemaError, check_rows, load_contract
from pipelines.contracts.check import all_pass
from pipelines.contracts.schema import get_model

D = dt.date

VALID_ROW = {
    "gebiete": {
        "gebiet_id": "01",
        "name": "Nord",
        "ebene": "bezirk",
        "ebene_rang": 1,
        "parent_id": None,
        "gueltig_ab": D(2000, 1, 1),
        "gueltig_bis": None,
    },
    "gebiete_umschluessel": {
        "alt_gebiet_id": "A",
        "neu_gebiet_id": "B",
        "wechsel_am": D(2024, 1, 1),
        "anteil": 1.0,
    },
    "adressen": {
        "strasse": "Marktplatz",
        "hausnummer": "1",
        "zusatz": None,
        "gebiet_id": "010101",
        "gueltig_ab": D(2000, 1, 1),
        "gueltig_bis": None,
    },
    "produkte": {"produkt": "31.2.01", "bereich": "sgb2_kdu"},
    "ziele": {
        "indikator_id": "sgb2_quote",
        "gebiet_id": None,
        "jahr": 2024,
        "zielwert": 20.0,
        "richtung": "hoechstens",
        "beschluss": "Rat 1/2024",
    },
    "einwohner": {
        "stichtag": D(2024, 12, 31),
        "gebiet_id": "010101",
        "alter": 35,
        "geschlecht": "w",
        "staatsangehoerigkeit": "deutsch",
        "anzahl": 10,
    },
    "bewegungen": {"jahr": 2024, "gebiet_id": "010101", "art": "zuzug", "anzahl": 3},
    "sgb2": {
        "berichtsmonat": D(2024, 12, 1),
        "gebiet_id": "010101",
        "gebietsname": "Markt",
        **{
            m: v
            for m, v in zip(
                ["bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend"],
                [61, 104, 80, 24, 22, 31, 52, 9],
                strict=True,
            )
        },
        **{
            f"{m}_symbol": None
            for m in ["bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend"]
        },
    },
    "sgb12": {
        "stichtag": D(2024, 12, 31),
        "aktenzeichen": "50-12-0001",
        "person_nr": "100001",
        "nachname": "Müller",
        "vorname": "Käthe",
        "geburtsdatum": D(1951, 4, 3),
        "geschlecht": "w",
        "staatsangehoerigkeit": "DEU",
        "strasse": "Marktplatz",
        "hausnummer": "2a",
        "leistungsart": "GRUSI_ALTER",
        "einrichtung": "N",
        "bruttobedarf_monat": Decimal("812.40"),
    },
    "sgb8": {
        "jahr": 2024,
        "fall_nr": "J-2024-002",
        "person_nr": "200002",
        "nachname": "Krüger",
        "vorname": "Finn",
        "geburtsdatum": D(2009, 10, 2),
        "geschlecht": "m",
        "strasse": "Marktplatz",
        "hausnummer": "1",
        "hilfeart": "34",
        "beginn": D(2024, 2, 15),
        "ende": D(2024, 11, 30),
        "kosten_jahr": Decimal("48930.75"),
    },
    "finanzen": {
        "haushaltsjahr": 2024,
        "produkt": "31.2.01",
        "produkt_bezeichnung": "KdU",
        "konto": "533900",
        "konto_bezeichnung": "Sonstige soziale Leistungen",
        "ansatz": Decimal("4200000.00"),
        "ansatz_fortgeschrieben": None,
        "ist": Decimal("4412880.12"),
    },
}


# a key cell that frame() varies per row, so that rows are not duplicates of each other
# unless a test says so by setting that cell itself
DISTINCT = {
    "gebiete": "gebiet_id",
    "gebiete_umschluessel": "neu_gebiet_id",
    "adressen": "hausnummer",
    "produkte": "produkt",
    "ziele": "indikator_id",
    "einwohner": "gebiet_id",
    "bewegungen": "gebiet_id",
    "sgb2": "gebiet_id",
    "sgb12": "person_nr",
    "sgb8": "fall_nr",
    "finanzen": "produkt",
}


def frame(kind: str, *changes: dict) -> pl.DataFrame:
    """One row per change dict: the valid row of the kind with the given cells replaced."""
    key = DISTINCT[kind]
    rows = []
    for i, change in enumerate(changes):
        row = {**VALID_ROW[kind], **change}
        if key not in change and i > 0:
            row[key] = f"{row[key]}-{i}"
        rows.append(row)
    return pl.DataFrame(rows, schema=load_contract(kind).typed_schema())


def found(kind: str, df: pl.DataFrame) -> list[tuple[int, str | None, str]]:
    result = [tuple(r) for r in check_rows(kind, df).iter_rows()]
    df = df.collect() if isinstance(df, pl.LazyFrame) else df
    # the one-query fast path says "all pass" exactly when pandera's validation does
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            get_model(kind).schema.validate(df, lazy=True)
            pandera_passes = True
        except SchemaErrors:
            pandera_passes = False
    assert all_pass(get_model(kind), df) == pandera_passes == (result == [])
    return result


# --- the valid rows ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(VALID_ROW))
def test_valid_rows_pass(kind):
    assert found(kind, frame(kind, {})) == []


def test_example_deliveries_pass(example_frames):
    assert set(example_frames) == set(VALID_ROW)
    for kind, df in example_frames.items():
        assert df.height > 0
        assert found(kind, df) == [], kind


def test_result_has_positions_and_reasons_only():
    result = check_rows("sgb12", frame("sgb12", {}, {"leistungsart": "XYZ"}))
    assert result.schema == pl.Schema({"_row": pl.Int64, "spalte": pl.String, "grund": pl.String})
    assert result.rows() == [(1, "leistungsart", "code_unbekannt")]


def test_empty_delivery_has_no_failures():
    empty = pl.DataFrame(schema=load_contract("sgb8").typed_schema())
    assert check_rows("sgb8", empty).height == 0


# --- one test per reason -----------------------------------------------------------------


def test_pflichtwert_fehlt():
    df = frame("einwohner", {}, {"anzahl": None}, {"gebiet_id": None, "geschlecht": None})
    assert found("einwohner", df) == [
        (1, "anzahl", "pflichtwert_fehlt"),
        (2, "gebiet_id", "pflichtwert_fehlt"),
        (2, "geschlecht", "pflichtwert_fehlt"),
    ]


def test_optional_cells_may_be_empty():
    df = frame(
        "sgb12", {"nachname": None, "vorname": None, "geschlecht": None, "bruttobedarf_monat": None}
    )
    assert found("sgb12", df) == []


@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [
        ("einwohner", "geschlecht", "x"),
        ("einwohner", "staatsangehoerigkeit", "DEU"),
        ("bewegungen", "art", "umzug"),
        ("sgb12", "leistungsart", "GRUSI"),
        ("sgb12", "einrichtung", "j"),
        ("sgb8", "hilfeart", "36"),
        ("sgb8", "geschlecht", "u"),
        ("produkte", "bereich", "sgb2"),
        ("ziele", "richtung", "genau"),
    ],
)
def test_code_unbekannt(kind, column, value):
    assert found(kind, frame(kind, {}, {column: value})) == [(1, column, "code_unbekannt")]


def test_unknown_ba_symbol_is_reported_on_the_measure():
    df = frame("sgb2", {"bg_alleinerziehend": None, "bg_alleinerziehend_symbol": "?"})
    assert found("sgb2", df) == [(0, "bg_alleinerziehend", "code_unbekannt")]


def test_anzahl_negativ():
    assert found("einwohner", frame("einwohner", {"anzahl": -1})) == [
        (0, "anzahl", "anzahl_negativ")
    ]
    assert found("bewegungen", frame("bewegungen", {"anzahl": -5})) == [
        (0, "anzahl", "anzahl_negativ")
    ]
    df = frame("sgb2", {"bg_alleinerziehend": -1})
    assert found("sgb2", df) == [(0, "bg_alleinerziehend", "anzahl_negativ")]


def test_betrag_negativ():
    df = frame("sgb12", {"bruttobedarf_monat": Decimal("-0.01")})
    assert found("sgb12", df) == [(0, "bruttobedarf_monat", "betrag_negativ")]
    df = frame("sgb8", {"kosten_jahr": Decimal("-100.00")})
    assert found("sgb8", df) == [(0, "kosten_jahr", "betrag_negativ")]
    # revenue accounts are negative in the finance system: no bound there
    df = frame(
        "finanzen", {"konto": "414100", "ansatz": Decimal("-2700000.00"), "ist": Decimal("-1.00")}
    )
    assert found("finanzen", df) == []


def test_alter_unplausibel_einwohner():
    df = frame("einwohner", {"alter": 0}, {"alter": 100}, {"alter": 101}, {"alter": -1})
    assert found("einwohner", df) == [
        (2, "alter", "alter_unplausibel"),
        (3, "alter", "alter_unplausibel"),
    ]


def test_alter_unplausibel_sgb12():
    df = frame(
        "sgb12",
        {"person_nr": "1", "geburtsdatum": D(2024, 12, 31)},  # born on the reference date: 0
        {"person_nr": "2", "geburtsdatum": D(2025, 1, 1)},  # born after it
        {"person_nr": "3", "geburtsdatum": D(1904, 1, 1)},  # 120
        {"person_nr": "4", "geburtsdatum": D(1903, 12, 31)},  # 121
    )
    assert found("sgb12", df) == [
        (1, "geburtsdatum", "alter_unplausibel"),
        (3, "geburtsdatum", "alter_unplausibel"),
    ]


def test_alter_unplausibel_sgb8_limits():
    beginn = D(2024, 3, 1)
    df = frame(
        "sgb8",
        {"person_nr": "1", "hilfeart": "34", "beginn": beginn, "geburtsdatum": D(2006, 3, 2)},  # 17
        {"person_nr": "2", "hilfeart": "34", "beginn": beginn, "geburtsdatum": D(2006, 3, 1)},  # 18
        {"person_nr": "3", "hilfeart": "41", "beginn": beginn, "geburtsdatum": D(1997, 3, 2)},  # 26
        {"person_nr": "4", "hilfeart": "41", "beginn": beginn, "geburtsdatum": D(1997, 3, 1)},  # 27
        {
            "person_nr": "5",
            "hilfeart": "42",
            "beginn": beginn,
            "geburtsdatum": D(2024, 4, 1),
        },  # unborn
    )
    assert found("sgb8", df) == [
        (1, "geburtsdatum", "alter_unplausibel"),
        (3, "geburtsdatum", "alter_unplausibel"),
        (4, "geburtsdatum", "alter_unplausibel"),
    ]


def test_leap_day_birth_completes_the_year_on_first_of_march():
    # born 29.02.2008: on 28.02.2026 still 17, on 01.03.2026 18 (§ 34 needs under 18)
    df = frame(
        "sgb8",
        {
            "jahr": 2026,
            "person_nr": "1",
            "geburtsdatum": D(2008, 2, 29),
            "beginn": D(2026, 2, 28),
            "ende": None,
        },
        {
            "jahr": 2026,
            "person_nr": "2",
            "geburtsdatum": D(2008, 2, 29),
            "beginn": D(2026, 3, 1),
            "ende": None,
        },
    )
    assert found("sgb8", df) == [(1, "geburtsdatum", "alter_unplausibel")]


def test_summe_widerspruch():
    df = frame("sgb2", {}, {"rlb": 105})
    assert found("sgb2", df) == [(1, "rlb", "summe_widerspruch")]


def test_sum_is_not_checked_where_a_cell_is_a_symbol():
    df = frame(
        "sgb2",
        {"rlb": None, "rlb_symbol": "*", "bg": None, "bg_symbol": "*"},
        {"nef": 0, "nef_symbol": "-", "rlb": 80, "nef_u15": 0, "nef_u15_symbol": "-"},
    )
    assert found("sgb2", df) == []


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"nef_u15": 25}, "nef_u15"),
        ({"alo_sgb2": 81}, "alo_sgb2"),
        ({"lzb": 81}, "lzb"),
        ({"bg": 105}, "bg"),
    ],
)
def test_teilmenge_widerspruch(change, column):
    assert found("sgb2", frame("sgb2", change)) == [(0, column, "teilmenge_widerspruch")]


def test_ba_cell_without_number_or_symbol():
    df = frame("sgb2", {"lzb": None, "lzb_symbol": None})
    assert found("sgb2", df) == [(0, "lzb", "pflichtwert_fehlt")]


@pytest.mark.parametrize(
    "change",
    [
        {"bg_alleinerziehend": 5, "bg_alleinerziehend_symbol": "-"},  # '-' means exactly 0
        {"bg_alleinerziehend": 2, "bg_alleinerziehend_symbol": "*"},  # '*' hides the value
    ],
)
def test_ba_symbol_and_value_disagree(change):
    assert found("sgb2", frame("sgb2", change)) == [(0, "bg_alleinerziehend", "wert_ungueltig")]


def test_wert_ungueltig_patterns():
    assert found("finanzen", frame("finanzen", {"konto": "5339"})) == [
        (0, "konto", "wert_ungueltig")
    ]
    df = frame("sgb12", {"staatsangehoerigkeit": "deutsch"})
    assert found("sgb12", df) == [(0, "staatsangehoerigkeit", "wert_ungueltig")]


def test_ende_vor_beginn():
    df = frame("sgb8", {}, {"ende": D(2024, 2, 14)}, {"ende": None})
    assert found("sgb8", df) == [(1, "ende", "ende_vor_beginn")]
    df = frame("adressen", {"gueltig_ab": D(2024, 1, 1), "gueltig_bis": D(2023, 12, 31)})
    assert found("adressen", df) == [(0, "gueltig_bis", "ende_vor_beginn")]


def test_beginn_nach_jahresende():
    df = frame(
        "sgb8", {"beginn": D(2024, 12, 31), "ende": None}, {"beginn": D(2025, 1, 1), "ende": None}
    )
    assert found("sgb8", df) == [(1, "beginn", "beginn_nach_jahresende")]


def test_person_doppelt_flags_every_copy_after_the_first():
    same = {"person_nr": "100001"}
    df = frame("sgb12", same, {"person_nr": "100002"}, same, {**same, "leistungsart": "HZP"})
    assert found("sgb12", df) == [(2, None, "person_doppelt"), (3, None, "person_doppelt")]


def test_zeile_doppelt():
    area = {"gebiet_id": "010101"}
    df = frame("einwohner", area, {**area, "alter": 36}, area)
    assert found("einwohner", df) == [(2, None, "zeile_doppelt")]
    # an empty area means the city and is compared like a value
    goal = {"indikator_id": "sgb2_quote"}
    df = frame("ziele", goal, {**goal, "gebiet_id": "0201"}, goal)
    assert found("ziele", df) == [(2, None, "zeile_doppelt")]
    df = frame("sgb2", {}, {"gebiet_id": "010102"}, {"gebiet_id": "010102"})
    assert found("sgb2", df) == [(2, None, "zeile_doppelt")]
    product = {"produkt": "31.2.01"}
    df = frame("finanzen", product, {**product, "konto": "414100"}, product)
    assert found("finanzen", df) == [(2, None, "zeile_doppelt")]


def test_gebiete_duplicate_unknown_parent_and_cycle():
    df = frame(
        "gebiete",
        {"gebiet_id": "00", "ebene": "stadt", "ebene_rang": 0},
        {"gebiet_id": "01", "parent_id": "00"},
        {"gebiet_id": "01", "parent_id": "00"},  # duplicate key
        {"gebiet_id": "02", "parent_id": "99"},  # unknown parent
        {"gebiet_id": "03", "parent_id": "04"},  # 03 -> 04 -> 03
        {"gebiet_id": "04", "parent_id": "03"},
        {"gebiet_id": "05", "parent_id": "04"},  # leads into the cycle
        {"gebiet_id": "06", "parent_id": "02"},  # below an unknown parent: not a cycle
    )
    assert found("gebiete", df) == [
        (2, None, "referenz_ungueltig"),
        (3, "parent_id", "referenz_ungueltig"),
        (4, "parent_id", "referenz_ungueltig"),
        (5, "parent_id", "referenz_ungueltig"),
        (6, "parent_id", "referenz_ungueltig"),
    ]


def test_gebiete_rank_and_validity():
    df = frame("gebiete", {"ebene_rang": -1}, {"gebiet_id": "02", "gueltig_bis": D(1999, 12, 31)})
    assert found("gebiete", df) == [
        (0, "ebene_rang", "referenz_ungueltig"),
        (1, "gueltig_bis", "ende_vor_beginn"),
    ]


def test_umschluessel_shares_sum_to_one_per_old_area():
    df = frame(
        "gebiete_umschluessel",
        {"alt_gebiet_id": "A", "neu_gebiet_id": "A1", "anteil": 0.62},
        {"alt_gebiet_id": "A", "neu_gebiet_id": "A2", "anteil": 0.38},
        {"alt_gebiet_id": "B", "neu_gebiet_id": "B1", "anteil": 0.5},
        {"alt_gebiet_id": "B", "neu_gebiet_id": "B2", "anteil": 0.4},
        {"alt_gebiet_id": "C", "neu_gebiet_id": "C1", "anteil": 1.2},
    )
    assert found("gebiete_umschluessel", df) == [
        (2, "anteil", "referenz_ungueltig"),
        (3, "anteil", "referenz_ungueltig"),
        (4, "anteil", "referenz_ungueltig"),
    ]


# --- deduplication, laziness, errors -----------------------------------------------------


def test_one_reason_per_cell_the_most_basic_first():
    # rlb = -1 breaks both the bound and the sum: the bound is reported
    # (bg is suppressed at source here, so bg <= rlb has nothing to compare)
    df = frame("sgb2", {"rlb": -1, "bg": None, "bg_symbol": "*"})
    assert found("sgb2", df) == [(0, "rlb", "anzahl_negativ")]
    # ... and with bg present, bg > rlb is reported on bg as well
    df = frame("sgb2", {"rlb": -1})
    assert found("sgb2", df) == [(0, "bg", "teilmenge_widerspruch"), (0, "rlb", "anzahl_negativ")]
    # different columns of one row keep their own reasons
    df = frame("einwohner", {"alter": 120, "geschlecht": "x", "anzahl": -3})
    assert found("einwohner", df) == [
        (0, "alter", "alter_unplausibel"),
        (0, "geschlecht", "code_unbekannt"),
        (0, "anzahl", "anzahl_negativ"),
    ]


def test_value_checks_run_on_lazyframes_and_whatever_pandera_is_told():
    df = frame("einwohner", {}, {"anzahl": -1})
    expected = [(1, "anzahl", "anzahl_negativ")]
    assert found("einwohner", df.lazy()) == expected
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY, validation_enabled=False):
        assert found("einwohner", df) == expected


def test_missing_column_or_wrong_dtype_raises_without_values():
    df = frame("sgb12", {}, {"leistungsart": "XYZ"})
    with pytest.raises(ContractSchemaError, match="leistungsart fehlt"):
        check_rows("sgb12", df.drop("leistungsart"))
    wrong = df.with_columns(pl.col("stichtag").cast(pl.String))
    with pytest.raises(ContractSchemaError, match="stichtag") as info:
        check_rows("sgb12", wrong)
    message = str(info.value)
    for personal in ("Müller", "Käthe", "100001", "50-12-0001", "1951", "Marktplatz"):
        assert personal not in message


def test_optional_header_columns_may_be_absent():
    df = frame("sgb12", {}, {"leistungsart": "XYZ"}).drop("nachname", "vorname")
    assert found("sgb12", df) == [(1, "leistungsart", "code_unbekannt")]
    assert found("sgb2", frame("sgb2", {}).drop("gebietsname")) == []
    with pytest.raises(ContractSchemaError, match="jahr fehlt"):
        check_rows("sgb8", frame("sgb8", {}).drop("jahr"))


def test_helper_columns_of_the_loader_are_allowed():
    df = frame("einwohner", {}, {"anzahl": -1}).with_columns(pl.Series("_zeile", [2, 3]))
    assert found("einwohner", df) == [(1, "anzahl", "anzahl_negativ")]
