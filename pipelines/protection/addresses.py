"""Reducing a person's address to the finest area, valid on the reference date."""

from __future__ import annotations

import polars as pl

# `12`, `2a`, `12 a`, `12-a`, `12/a`, and `12.0` as an Excel export leaves a number
_HNR_RE = r"^\s*(\d+)(?:[.,]0+)?\s*[-/]?\s*([A-Za-z]?)\s*$"
# en and em dash, minus sign, hyphen variants: what word processors and exports put in
_DASHES = r"[\u2010-\u2015\u2212\u00ad]"


def _unify(col: pl.Expr) -> pl.Expr:
    """One spelling of the same characters: NFC (an NFD `ü` is `u` + combining mark), case,
    one kind of dash, single blanks (non-breaking ones included)."""
    return (
        col.cast(pl.String)
        .str.normalize("NFC")
        .str.replace_all(_DASHES, "-")
        .str.replace_all(r"[\s\u00a0]+", " ")
        .str.strip_chars()
        .str.to_lowercase()
    )


def normalise_street(col: pl.Expr) -> pl.Expr:
    """Unicode form, case, spacing, dashes and the usual abbreviations (`Str.` = `Straße`)
    do not matter."""
    return (
        _unify(col)
        .str.replace_all(r"strasse\b", "straße")
        .str.replace_all(r"str\.?(\s|-|$)", "straße$1")
        .str.replace_all(r"\s*-\s*", "-")
    )


def split_house_number(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """`2a`, `2 a`, `2-a` -> ("2", "a"); `12`, `12.0` -> ("12", ""); anything else stays."""
    s = _unify(col)
    number = s.str.extract(_HNR_RE, 1)
    suffix = s.str.extract(_HNR_RE, 2).str.to_lowercase()
    return (
        pl.coalesce(number.cast(pl.Int64, strict=False).cast(pl.String), s.str.to_lowercase()),
        pl.coalesce(suffix, pl.lit("")),
    )


def prepare_directory(adressen: pl.DataFrame) -> pl.DataFrame:
    """The street directory in matchable form (key columns + validity)."""
    number, suffix = split_house_number(pl.col("hausnummer"))
    zusatz = _unify(pl.col("zusatz"))
    return adressen.select(
        normalise_street(pl.col("strasse")).alias("_str"),
        number.alias("_hnr"),
        # `2a` in the number column is `2` + `a`, as if the suffix had its own column
        pl.when(zusatz.is_null() | (zusatz == "")).then(suffix).otherwise(zusatz).alias("_zus"),
        pl.col("gebiet_id"),
        pl.col("gueltig_ab"),
        pl.col("gueltig_bis"),
    )


def _address_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` plus `_str`, `_hnr`, `_zus`, in its row order.

    A snapshot repeats a few thousand streets and house numbers over 100,000 rows: the
    regular expressions run once per distinct value and are joined back.
    """
    number, suffix = split_house_number(pl.col("hausnummer"))
    streets = frame.select(pl.col("strasse").unique()).with_columns(
        normalise_street(pl.col("strasse")).alias("_str")
    )
    numbers = frame.select(pl.col("hausnummer").unique()).with_columns(
        number.alias("_hnr"), suffix.alias("_zus")
    )
    return frame.join(
        streets, on="strasse", how="left", nulls_equal=True, maintain_order="left"
    ).join(numbers, on="hausnummer", how="left", nulls_equal=True, maintain_order="left")


def assign_area(
    frame: pl.DataFrame, directory: pl.DataFrame, ref_date_col: str, out: str = "gebiet_id"
) -> pl.DataFrame:
    """Add `out` (finest area or null) from `strasse`/`hausnummer` valid on `ref_date_col`.

    A house number with a suffix (`2a`) matches an entry `2` + `a`; if the directory
    has no such entry, the plain number `2` is used (suffixes are often not listed).
    """
    keyed = _address_keys(frame).with_columns(pl.int_range(pl.len()).alias("_pos"))
    valid = (pl.col("gueltig_ab").is_null() | (pl.col("gueltig_ab") <= pl.col(ref_date_col))) & (
        pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= pl.col(ref_date_col))
    )
    exact = (
        keyed.select("_pos", "_str", "_hnr", "_zus", ref_date_col)
        .join(directory, on=["_str", "_hnr", "_zus"], how="inner")
        .filter(valid)
        .group_by("_pos")
        .agg(pl.col("gebiet_id").min().alias("_exact"))
    )
    plain = (
        keyed.select("_pos", "_str", "_hnr", ref_date_col)
        .join(directory.filter(pl.col("_zus") == ""), on=["_str", "_hnr"], how="inner")
        .filter(valid)
        .group_by("_pos")
        .agg(pl.col("gebiet_id").min().alias("_plain"))
    )
    return (
        keyed.join(exact, on="_pos", how="left")
        .join(plain, on="_pos", how="left")
        .with_columns(pl.coalesce("_exact", "_plain").alias(out))
        .sort("_pos")
        .drop("_str", "_hnr", "_zus", "_pos", "_exact", "_plain")
    )
