"""bewegungen with and without the optional columns alter and geschlecht (the real transform)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.deliveries.base import DeliveryFile, LoadContext
from pipelines.deliveries.bewegungen import Bewegungen
from pipelines.warehouse.raw_tables import create_raw_schema_sql

AREAS = pl.DataFrame(
    {
        "gebiet_id": ["010101", "010102"],
        "ebene_rang": [2, 2],
        "gueltig_ab": [date(2000, 1, 1)] * 2,
        "gueltig_bis": [None, None],
    },
    schema_overrides={"gueltig_bis": pl.Date},
)


def _transform(tmp_path, text: str):
    kind = Bewegungen()
    path = tmp_path / "bewegungen_2024.csv"
    path.write_text(text, encoding="utf-8")
    f = DeliveryFile(kind.name, path, f"{kind.folder}/{path.name}", kind.period_of(path))
    return kind.transform(f, kind.read(path), LoadContext(areas=AREAS))


def test_a_file_without_ages_loads_as_before(tmp_path):
    t = _transform(
        tmp_path, "jahr;gebiet_id;art;anzahl\n2024;010101;zuzug;61\n2024;010101;geburt;7\n"
    )
    assert t.quarantine.height == 0
    assert t.rows.columns == ["jahr", "gebiet_id", "art", "alter", "geschlecht", "anzahl"]
    assert t.rows["alter"].null_count() == 2 and t.rows["geschlecht"].null_count() == 2
    assert t.rows["anzahl"].to_list() == [61, 7]


def test_ages_and_sexes_load_and_bad_ages_go_to_quarantine(tmp_path):
    text = "\n".join(
        [
            "Jahr;Gebiet;Art;Alter;Geschlecht;Anzahl",
            "2024;010101;geburt;31;m;3",
            "2024;010101;geburt;31;w;2",
            "2024;010101;geburt;;w;1",  # mother's age unknown: kept, counts as unknown age
            "2024;010101;geburt;7;w;1",  # a mother aged 7
            "2024;010101;sterbefall;101;m;1",  # beyond the open age 100
            "2024;010101;zuzug;25;x;4",  # unknown sex code
            "2024;010101;zuzug;25;W;4",
            "2024;010101;zuzug;25;w;4",  # the same key again
        ]
    )
    t = _transform(tmp_path, text + "\n")
    reasons = sorted(t.quarantine["grund"].to_list())
    assert reasons == ["alter_unplausibel", "alter_unplausibel", "code_unbekannt", "zeile_doppelt"]
    loaded = t.rows.sort("art", "alter", "geschlecht", nulls_last=True)
    assert loaded.select("art", "alter", "geschlecht", "anzahl").rows() == [
        ("geburt", 31, "m", 3),
        ("geburt", 31, "w", 2),
        ("geburt", None, "w", 1),
        ("zuzug", 25, "w", 4),
    ]


def test_an_old_raw_table_gets_the_optional_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute(
        "create table raw.bewegungen (jahr integer not null, gebiet_id varchar not null, "
        "art varchar not null, anzahl integer not null, load_id varchar not null)"
    )
    con.execute("insert into raw.bewegungen values (2023, '010101', 'zuzug', 5, 'l1')")
    con.execute(create_raw_schema_sql())
    assert con.execute("select alter, geschlecht, anzahl from raw.bewegungen").fetchall() == [
        (None, None, 5)
    ]


def test_a_file_by_age_after_one_without_is_not_held_for_its_row_count(tmp_path):
    """The volume check compares areas x kinds (and the total), not rows: a file by age has
    many more rows than last year's totals; a file missing half its areas is still held."""
    from pipelines.deliveries.volume import VolumeRule, judge

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(create_raw_schema_sql())
    areas = [f"{i:06d}" for i in range(20)]
    arts = ["zuzug", "fortzug", "umzug_zu", "umzug_fort", "geburt", "sterbefall"]
    for a in areas:
        for art in arts:
            con.execute(
                "insert into raw.bewegungen (jahr, gebiet_id, art, anzahl, load_id) "
                "values (2023, ?, ?, 60, 'l1')",
                [a, art],
            )
    by_age = pl.DataFrame(
        [(2024, a, art, age, "w", 1) for a in areas for art in arts for age in range(60)],
        schema=["jahr", "gebiet_id", "art", "alter", "geschlecht", "anzahl"],
        orient="row",
    )
    rule = VolumeRule(0.3, 100)
    args = (rule, con, "bewegungen", "bewegungen", "jahr", 2024, "bewegungen/b.csv", "ab")
    assert judge(*args, by_age) is None
    half = by_age.filter(pl.col("gebiet_id") < "000010")
    reason = judge(*args, half)
    assert reason is not None and "Kombinationen gebiet_id/art 60 statt 120" in reason
