"""Readers for the published Berlin MSS tables in data/realdata (test helpers only).

Sources (realdata/SOURCES.md, sections 1 and 2):
- open-lifeworlds: MSS 2013-2021 tables as CSV (comma, UTF-8, shares with 5 decimals).
  Table 1: indexed PLR with classes. Table 2-1: shares s1..s4 and changes d1..d4 per PLR.
  Table 3: z-values with 5 decimals, column labels shifted by the converter.
- jascha-je: MSS 2021 Tabelle 3 complete, 2 decimals (`;`, UTF-8 with BOM, CRLF).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from pipelines.sozialindex import Recipe

REALDATA = Path(__file__).resolve().parents[2] / "data" / "realdata"
MSS = REALDATA / "berlin-mss"
OPEN_LIFEWORLDS = MSS / "open-lifeworlds"
JASCHA_TABELLE_3 = MSS / "jascha-je" / "mss_2021_index-indikatoren_z-werte_plr.csv"

EDITIONS = (2013, 2015, 2017, 2019, 2021)

# share/change columns of table 2-1 -> indicator ids of the recipe
INDICATORS = {
    "1": "sgb2_alo_anteil",  # S1 Arbeitslosigkeit
    "2": "langzeitarbeitslose_anteil",  # S2 Langzeitarbeitslosigkeit, MSS 2013-2017 only
    "3": "transferbezug",  # S3 Transferbezug
    "4": "sgb2_kinderarmut",  # S4 Transferbezug der unter 15-Jährigen
}

# PLR with >= 300 inhabitants that MSS nevertheless left out of the index (not in table 1);
# this is the city's explicit list, the `ausschluss` of the recipe.
AUSSCHLUSS = {
    2013: ("10010203",),  # Gewerbegebiet Bitterfelder Straße
    2015: ("10010203",),
    2017: ("04020314", "10010203"),  # Messegelände, Gewerbegebiet Bitterfelder Straße
    2019: ("04041239", "10010203"),  # Stadion Wilmersdorf, Gewerbegebiet Bitterfelder Str.
    2021: ("10100205",),  # Gewerbegebiet Bitterfelder Straße (LOR 2021 key)
}

# jascha-je Tabelle 3: published column -> our output column (note the trailing spaces)
JASCHA_KLASSE_STATUS = "Zuordnung Klasse Status-Index "
JASCHA_KLASSE_DYNAMIK = "Zuordnung Klasse Dynamik-Index "


def require_realdata() -> None:
    if not MSS.is_dir():
        pytest.skip(f"Realdaten nicht vorhanden ({MSS}); MSS-Reproduktion übersprungen")


def _table(year: int, suffix: str) -> pl.DataFrame:
    name = f"berlin-lor-monitoring-social-urban-development-{year}-00"
    path = OPEN_LIFEWORLDS / name / f"{name}-{suffix}.csv"
    # all columns as text first: ids keep their leading zeros, shifted columns hold classes
    return pl.read_csv(path, infer_schema_length=0)


def status_indicators(year: int) -> tuple[str, ...]:
    """The status indicators of an edition: S1, S2, S3, S4 until 2017, then S1, S3, S4."""
    keys = ("1", "2", "3", "4") if year <= 2017 else ("1", "3", "4")
    return tuple(INDICATORS[k] for k in keys)


def recipe(year: int) -> Recipe:
    return Recipe(ausschluss=AUSSCHLUSS[year], status=status_indicators(year))


def _rename_2_1(frame: pl.DataFrame) -> dict[str, str]:
    mapping = {"id": "gebiet_id", "inhabitants": "einwohner"}
    for column in frame.columns:
        kind, _, rest = column.partition("_")
        if kind[:1] in "sd" and kind[1:] in INDICATORS and rest.startswith("percentage"):
            indicator = INDICATORS[kind[1:]]
            mapping[column] = indicator if kind[0] == "s" else f"{indicator}_dynamik"
    return mapping


def areas_2_1(year: int) -> pl.DataFrame:
    """Table 2-1 as `areas` input: gebiet_id, einwohner, shares, `<indicator>_dynamik`."""
    raw = _table(year, "2-1")
    mapping = _rename_2_1(raw)
    frame = raw.select(list(mapping)).rename(mapping)
    return frame.with_columns(pl.exclude("gebiet_id").cast(pl.Float64))


def areas(year: int) -> pl.DataFrame:
    """The input of compute_index for an edition, all PLR of the edition.

    2013-2019: table 2-1 lists every PLR. 2021: table 2-1 lists only the 536 indexed PLR;
    the 542 PLR with their inhabitants come from jascha-je Tabelle 3, the shares of the
    other six stay null.
    """
    frame = areas_2_1(year)
    if year != 2021:
        return frame
    all_plr = jascha_tabelle_3().select(
        "gebiet_id", pl.col("EW 31.12.2020").cast(pl.Float64).alias("einwohner")
    )
    return all_plr.join(frame.drop("einwohner"), on="gebiet_id", how="left")


def tabelle_1(year: int) -> pl.DataFrame:
    """Published classes of the indexed PLR: gebiet_id, status_klasse, dynamik_klasse, code."""
    raw = _table(year, "1")
    return raw.select(
        pl.col("id").alias("gebiet_id"),
        pl.col("status_index").cast(pl.Float64).cast(pl.Int32).alias("status_nummer"),
        pl.col("status_index_class").alias("status_klasse"),
        pl.col("dynamic_index").alias("dynamik_zeichen"),
        pl.col("dynamic_index_class").alias("dynamik_klasse"),
        pl.col("status_dynamic_index").alias("code"),
    ).sort("gebiet_id")


def tabelle_3_open_lifeworlds(year: int) -> pl.DataFrame:
    """Table 3 (5 decimals) with the converter's shifted labels put right.

    After the zS columns come: Statussumme (labelled z_d1), [2013-2017: Status-Index
    (labelled z_d2)], the status class (labelled z_d3), zD1 (labelled z_d4). The other
    dynamics columns are missing. 2015 lists excluded PLR with z = 0: use table 1's set.
    """
    raw = _table(year, "3")
    status = status_indicators(year)
    zs = [c for c in raw.columns if c.startswith("z_s")]
    assert len(zs) == len(status)
    columns = {"id": "gebiet_id"} | {c: f"z_{name}" for c, name in zip(zs, status, strict=True)}
    columns |= {
        "z_d1_percentage_unemployed": "statussumme",
        "z_d3_percentage_transfer_payments_recipients": "status_klasse",
        "z_d4_percentage_transfer_payments_recipients_below_15_years": (
            "z_sgb2_alo_anteil_dynamik"
        ),
    }
    if year <= 2017:
        columns["z_d2_percentage_long_term_unemployed"] = "status_index"
    frame = raw.select(list(columns)).rename(columns)
    numeric = [c for c in frame.columns if c not in ("gebiet_id", "status_klasse")]
    indexed = tabelle_1(year)["gebiet_id"]
    return (
        frame.with_columns(pl.col(numeric).cast(pl.Float64))
        .filter(pl.col("gebiet_id").is_in(indexed.implode()))
        .sort("gebiet_id")
    )


def jascha_tabelle_3() -> pl.DataFrame:
    """MSS 2021 Tabelle 3, 2 decimals, 542 PLR (6 not indexed, empty cells)."""
    text = JASCHA_TABELLE_3.read_bytes().decode("utf-8-sig")  # strip the BOM explicitly
    frame = pl.read_csv(io.StringIO(text), separator=";", infer_schema_length=0)
    text_columns = {"PLR-ID", "PLR-Name", JASCHA_KLASSE_STATUS, JASCHA_KLASSE_DYNAMIK}
    return frame.rename({"PLR-ID": "gebiet_id"}).with_columns(
        pl.col(c).cast(pl.Float64) for c in frame.columns if c not in text_columns
    )


# jascha-je Tabelle 3 value column -> compute_index output column
JASCHA_WERTE = {
    "zS1": "z_sgb2_alo_anteil",
    "zS3": "z_transferbezug",
    "zS4": "z_sgb2_kinderarmut",
    "Status-summe": "statussumme",
    "Status-Index (standardisierte Statussumme)": "status_index",
    "zD1": "z_sgb2_alo_anteil_dynamik",
    "zD3": "z_transferbezug_dynamik",
    "zD4": "z_sgb2_kinderarmut_dynamik",
    "Dynamik-summe": "dynamiksumme",
    "Dynamik-Index (standardisierte Dynamik-summe)": "dynamik_index",
}
