"""The Musterstadt example delivery (tests/fixtures/musterstadt): Am Bach and Stadtteil 0201."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.disclosure import Identity, apply_disclosure, attack
from tests.disclosure._helpers import cell

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "musterstadt" / "landing"
STICHTAG = dt.date(2024, 12, 31)
COLUMNS = {
    "Bedarfsgemeinschaften": "bg",
    "Regelleistungsberechtigte": "rlb",
    "Erwerbsfähige Leistungsberechtigte": "elb",
    "Nicht erwerbsfähige Leistungsberechtigte": "nef",
    "dar. NEF unter 15 Jahren": "nef_u15",
    "Arbeitslose SGB II": "alo_sgb2",
    "Langzeitleistungsbeziehende": "lzb",
    "Alleinerziehende BG": "bg_alleinerziehend",
}
IDENTITIES = [Identity.parse("sgb2", "rlb = elb + nef")]

pytestmark = pytest.mark.skipif(not LANDING.exists(), reason="Beispiellieferung fehlt")


def _sgb2_cells() -> pl.DataFrame:
    """Minimal reader of the BA file, only for this test: header row to first blank line."""
    lines = (LANDING / "sgb2" / "sgb2_2024-12.csv").read_bytes().decode("cp1252").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Gebiet;"))
    header = lines[start].split(";")
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        fields = dict(zip(header, line.split(";"), strict=True))
        for column, merkmal in COLUMNS.items():
            raw = fields[column]
            if raw in ("*", "-", ".", "x"):
                rows.append(("sgb2", merkmal, STICHTAG, fields["Gebiet"], None, raw))
            else:
                rows.append(
                    ("sgb2", merkmal, STICHTAG, fields["Gebiet"], int(raw.replace(".", "")), None)
                )
    schema = {
        "tabelle": pl.String,
        "merkmal": pl.String,
        "periode": pl.Date,
        "gebiet_id": pl.String,
        "wert": pl.Int64,
        "quell_symbol": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _hierarchy() -> pl.DataFrame:
    areas = pl.read_csv(
        LANDING / "reference" / "gebiete.csv",
        separator=";",
        schema_overrides={"gebiet_id": pl.String, "parent_id": pl.String},
    ).with_columns(pl.col("gueltig_ab", "gueltig_bis").str.to_date())
    valid = (pl.col("gueltig_ab") <= STICHTAG) & (
        pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= STICHTAG)
    )
    return areas.filter(valid).select("gebiet_id", "parent_id", "ebene", "ebene_rang")


@pytest.fixture(scope="module")
def result():
    return apply_disclosure(_sgb2_cells(), _hierarchy(), IDENTITIES)


def test_stadtteil_0201_rlb_between_59_and_60_uncertain(result):
    row = cell(result.cells, "rlb", "0201")
    assert row["ebene"] == "stadtteil"
    assert (row["wert"], row["symbol"], row["untergrenze"], row["obergrenze"], row["unsicher"]) == (
        None,
        "/",
        59,
        60,
        True,
    )
    log = result.log.filter((pl.col("merkmal") == "rlb") & (pl.col("gebiet_id") == "0201"))
    assert log.select("regel", "ausgeloest_durch").row(0) == ("quelle", "rlb:020102")
    # Süd has only Gartenstadt: the same bounds; the city adds Nord's exact 1,329
    assert (
        cell(result.cells, "rlb", "02")["untergrenze"],
        cell(result.cells, "rlb", "02")["obergrenze"],
    ) == (59, 60)
    city = cell(result.cells, "rlb", "00")
    assert (city["untergrenze"], city["obergrenze"], city["unsicher"]) == (1388, 1389, True)


def test_am_bach_stays_suppressed_and_the_rest_is_published(result):
    for merkmal in ("rlb", "elb", "bg"):
        row = cell(result.cells, merkmal, "020102")
        assert (row["wert"], row["symbol"]) == (None, "*")
    assert cell(result.cells, "nef", "020102")["symbol"] == "-"
    assert cell(result.cells, "rlb", "010201")["wert"] == 1204
    assert cell(result.cells, "rlb", "020101")["wert"] == 58
    assert (
        cell(result.cells, "elb", "0201")["untergrenze"],
        cell(result.cells, "elb", "0201")["obergrenze"],
    ) == (46, 47)
    dom = cell(result.cells, "bg_alleinerziehend", "0101")
    assert (dom["symbol"], dom["untergrenze"], dom["obergrenze"]) == ("/", 10, 11)
    assert "020100" not in set(result.cells["gebiet_id"])  # expired area is not in the layout


def test_attacker_recovers_nothing_from_the_example(result):
    assert attack(result.cells, _hierarchy(), IDENTITIES, include_undecided=True).is_empty()


def test_log_accounts_for_every_withheld_cell(result):
    withheld = result.cells.filter(pl.col("wert").is_null()).select("merkmal", "gebiet_id")
    assert sorted(withheld.rows()) == sorted(result.log.select("merkmal", "gebiet_id").rows())
    assert "wert" not in result.log.columns
