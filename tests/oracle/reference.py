"""Area hierarchy, layouts, crosswalk and street directory, read from landing/reference/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from tests.oracle.read import any_date, read_csv_table

FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True)
class Areas:
    gebiete: pl.DataFrame  # gebiet_id, name, ebene, ebene_rang, parent_id, gueltig_ab, gueltig_bis
    layouts: list[date]  # start dates of the area layouts (Gebietsstände), ascending

    @property
    def today(self) -> date:
        return self.layouts[-1]

    def layout_of(self, day: date) -> date:
        """The layout in force on `day` (the latest start on or before it)."""
        return max(start for start in self.layouts if start <= day)


def read_areas(landing: Path) -> Areas:
    df = read_csv_table(landing / "reference" / "gebiete.csv").select(
        pl.col("gebiet_id").str.strip_chars(),
        pl.col("name"),
        pl.col("ebene").str.strip_chars(),
        pl.col("ebene_rang").str.strip_chars().cast(pl.Int32),
        pl.col("parent_id").str.strip_chars().replace("", None),
        any_date(pl.col("gueltig_ab")).alias("gueltig_ab"),
        any_date(pl.col("gueltig_bis")).alias("gueltig_bis"),
    )
    starts = set(df["gueltig_ab"].drop_nulls().to_list())
    starts |= {d + timedelta(days=1) for d in df["gueltig_bis"].drop_nulls().to_list()}
    return Areas(df, sorted(starts))


def valid_on(areas: Areas, day: date) -> pl.DataFrame:
    g = areas.gebiete
    return g.filter(
        (pl.col("gueltig_ab") <= day) & (pl.col("gueltig_bis").fill_null(FAR_FUTURE) >= day)
    )


def finest_areas(areas: Areas, day: date) -> list[str]:
    """Areas valid on `day` that have no valid child: the level data is delivered on."""
    v = valid_on(areas, day)
    parents = set(v["parent_id"].drop_nulls().to_list())
    return sorted(set(v["gebiet_id"].to_list()) - parents)


def closure(areas: Areas, layout: date) -> pl.DataFrame:
    """Every (finest area, enclosing area incl. itself) of a layout, any depth:
    feinst_id, gebiet_id, ebene, ebene_rang."""
    v = valid_on(areas, layout)
    parent = v.select("gebiet_id", "parent_id")
    pairs = pl.DataFrame({"feinst_id": finest_areas(areas, layout)}).with_columns(
        pl.col("feinst_id").alias("gebiet_id")
    )
    frontier = pairs
    for _ in range(50):  # deeper than any real hierarchy; a cycle would stop here
        frontier = (
            frontier.join(parent, on="gebiet_id")
            .filter(pl.col("parent_id").is_not_null())
            .select("feinst_id", pl.col("parent_id").alias("gebiet_id"))
        )
        if frontier.is_empty():
            break
        pairs = pl.concat([pairs, frontier])
    return pairs.join(v.select("gebiet_id", "ebene", "ebene_rang"), on="gebiet_id")


def crosswalk(landing: Path, areas: Areas, layout: date) -> pl.DataFrame:
    """Finest areas of an older `layout` -> today's finest areas: herkunft_id, gebiet_id,
    anteil (chains multiplied), umgerechnet (a boundary change was crossed)."""
    um = (
        read_csv_table(landing / "reference" / "gebiete_umschluessel.csv")
        .select(
            pl.col("alt_gebiet_id").str.strip_chars(),
            pl.col("neu_gebiet_id").str.strip_chars(),
            any_date(pl.col("wechsel_am")).alias("wechsel_am"),
            pl.col("anteil").str.strip_chars().str.replace(",", ".", literal=True).cast(pl.Float64),
        )
        .filter(pl.col("wechsel_am") > layout)
    )
    today = set(finest_areas(areas, areas.today))
    cur = pl.DataFrame({"herkunft_id": finest_areas(areas, layout)}).with_columns(
        pl.col("herkunft_id").alias("gebiet_id"),
        pl.lit(1.0).alias("anteil"),
        pl.lit(False).alias("umgerechnet"),
    )
    for _ in range(50):
        done = cur.filter(pl.col("gebiet_id").is_in(list(today)))
        todo = cur.filter(~pl.col("gebiet_id").is_in(list(today)))
        if todo.is_empty():
            return done
        step = todo.join(um, left_on="gebiet_id", right_on="alt_gebiet_id").select(
            "herkunft_id",
            pl.col("neu_gebiet_id").alias("gebiet_id"),
            (pl.col("anteil") * pl.col("anteil_right")).alias("anteil"),
            pl.lit(True).alias("umgerechnet"),
        )
        if step.height == 0:
            raise AssertionError(f"Umschlüsselung fehlt für {todo['gebiet_id'].to_list()}")
        cur = pl.concat([done, step])
    raise AssertionError("Umschlüsselung: Kette ohne Ende")


def _street_key(col: pl.Expr) -> pl.Expr:
    return col.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")


def read_directory(landing: Path) -> pl.DataFrame:
    """adressen.csv as matchable keys: _str, _nr, _zus, gebiet_id, ab, bis."""
    df = read_csv_table(landing / "reference" / "adressen.csv")
    return df.select(
        _street_key(pl.col("strasse")).alias("_str"),
        pl.col("hausnummer").str.strip_chars().alias("_nr"),
        pl.col("zusatz").fill_null("").str.strip_chars().str.to_lowercase().alias("_zus"),
        pl.col("gebiet_id").str.strip_chars(),
        any_date(pl.col("gueltig_ab")).alias("ab"),
        any_date(pl.col("gueltig_bis")).fill_null(FAR_FUTURE).alias("bis"),
    )


def assign_areas(df: pl.DataFrame, directory: pl.DataFrame, day_col: str) -> pl.DataFrame:
    """Add `gebiet_id` from strasse/hausnummer (`24b` = number 24, zusatz b) valid on
    `day_col`; null where the directory has no such address on that day."""
    keyed = df.with_columns(
        _street_key(pl.col("strasse")).alias("_str"),
        pl.col("hausnummer").str.strip_chars().str.extract(r"^(\d+)", 1).alias("_nr"),
        pl.col("hausnummer")
        .str.strip_chars()
        .str.extract(r"^\d+\s*([A-Za-z]*)$", 1)
        .fill_null("")
        .str.to_lowercase()
        .alias("_zus"),
        pl.int_range(pl.len()).alias("_pos"),
    )
    hits = (
        keyed.select("_pos", "_str", "_nr", "_zus", day_col)
        .join(directory, on=["_str", "_nr", "_zus"])
        .filter((pl.col("ab") <= pl.col(day_col)) & (pl.col("bis") >= pl.col(day_col)))
        .group_by("_pos")
        .agg(pl.col("gebiet_id").unique().alias("_ids"))
    )
    ambiguous = hits.filter(pl.col("_ids").list.len() > 1)
    assert ambiguous.is_empty(), "Adresse mehreren Gebieten zugeordnet"
    return (
        keyed.join(hits, on="_pos", how="left")
        .with_columns(pl.col("_ids").list.first().alias("gebiet_id"))
        .sort("_pos")
        .drop("_str", "_nr", "_zus", "_pos", "_ids")
    )
