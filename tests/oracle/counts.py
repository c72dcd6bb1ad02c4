"""Finest-level count cells per delivery kind, straight from the landing files.

Every function returns long cells: periode, gebiet_id, merkmal, wert, symbol, lo, hi, umg,
zero-filled onto every finest area valid on the reference date. Rows the pipeline must
reject (manifest defects) are dropped here; anything else that does not fit (an unknown
area, a period that disagrees with the file name) is collected in `problems`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from tests.oracle.cells import ba_cells, exact_cells
from tests.oracle.read import (
    BA_MEASURES,
    Defects,
    any_date,
    delivered_files,
    drop_lines,
    german_int,
    german_money,
    month_end,
    period_from_name,
    read_ba_table,
    read_csv_table,
)
from tests.oracle.reference import Areas, assign_areas, finest_areas, valid_on

# age bands and paragraph sets of docs/indicators.md (defaults)
ERWERB_AB, ERWERB_BIS, KINDER_BIS, MINDERJ_BIS, JUNG_BIS, SENIOREN_AB = 15, 64, 14, 17, 20, 65
HZE = ["27_2", "29", "30", "31", "32", "33", "34", "35", "41"]
EHI = ["35a"]
INOBHUT = ["42"]


def grid(areas: Areas, periods: list[date]) -> pl.DataFrame:
    """Every (periode, finest area valid on it)."""
    frames = [
        pl.DataFrame({"gebiet_id": finest_areas(areas, p)}).with_columns(pl.lit(p).alias("periode"))
        for p in sorted(set(periods))
    ]
    return pl.concat(frames).select("periode", "gebiet_id")


def _zero_filled(
    counts: pl.DataFrame, areas: Areas, periods: list[date], merkmale: list[str], problems: list
) -> pl.DataFrame:
    """counts (periode, gebiet_id, <merkmal columns>) -> exact long cells on the grid."""
    g = grid(areas, periods)
    # rows without an area (unknown address) are reported by the caller already
    stray = counts.filter(pl.col("gebiet_id").is_not_null()).join(
        g, on=["periode", "gebiet_id"], how="anti"
    )
    if stray.height:
        problems.append(("gebiet_unbekannt", stray.select("periode", "gebiet_id").unique()))
    wide = g.join(counts, on=["periode", "gebiet_id"], how="left").with_columns(
        [pl.col(m).fill_null(0) for m in merkmale]
    )
    long = wide.unpivot(
        index=["periode", "gebiet_id"], on=merkmale, variable_name="merkmal", value_name="n"
    )
    return exact_cells(long, "n").drop("n")


def age(birth: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Completed years on `day` (the birthday itself completes the year)."""
    before = (day.dt.month() < birth.dt.month()) | (
        (day.dt.month() == birth.dt.month()) & (day.dt.day() < birth.dt.day())
    )
    return day.dt.year() - birth.dt.year() - before.cast(pl.Int32)


# --- einwohner ----------------------------------------------------------------------------


def einwohner_counts(landing: Path, areas: Areas, defects: Defects, problems: list) -> pl.DataFrame:
    frames, periods = [], []
    for rel, path in delivered_files(landing, "einwohner", defects):
        day = date.fromisoformat(period_from_name(path.name))
        df = drop_lines(read_csv_table(path), defects.lines_of(rel))
        df = df.select(
            any_date(pl.col("stichtag")).alias("stichtag"),
            pl.col("gebiet_id").str.strip_chars(),
            german_int(pl.col("alter")).alias("alter"),
            pl.col("staatsangehoerigkeit").str.strip_chars().str.to_lowercase(),
            german_int(pl.col("anzahl")).alias("anzahl"),
        )
        if df.filter(pl.col("stichtag") != day).height:
            problems.append(("periode_widerspruch", rel))
        frames.append(df.with_columns(pl.lit(day).alias("periode")))
        periods.append(day)
    ew = pl.concat(frames)
    a, n = pl.col("alter"), pl.col("anzahl")
    bands = {
        "ew": pl.lit(True),
        "ew_u18": a <= MINDERJ_BIS,
        "ew_u15": a <= KINDER_BIS,
        "ew_15_64": (a >= ERWERB_AB) & (a <= ERWERB_BIS),
        "ew_18_64": (a >= MINDERJ_BIS + 1) & (a <= ERWERB_BIS),
        "ew_u65": a <= ERWERB_BIS,
        "ew_65plus": a >= SENIOREN_AB,
        "ew_u21": a <= JUNG_BIS,
        "ew_nichtdeutsch": pl.col("staatsangehoerigkeit") == "nichtdeutsch",
    }
    counts = ew.group_by("periode", "gebiet_id").agg(
        [n.filter(cond).sum().alias(m) for m, cond in bands.items()]
    )
    return _zero_filled(counts, areas, periods, list(bands), problems)


# --- bewegungen ---------------------------------------------------------------------------


def bewegungen_counts(
    landing: Path, areas: Areas, defects: Defects, problems: list
) -> pl.DataFrame:
    frames, periods = [], []
    for rel, path in delivered_files(landing, "bewegungen", defects):
        year = int(period_from_name(path.name))
        df = drop_lines(read_csv_table(path), defects.lines_of(rel)).select(
            german_int(pl.col("jahr")).alias("jahr"),
            pl.col("gebiet_id").str.strip_chars(),
            pl.col("art").str.strip_chars().str.to_lowercase(),
            german_int(pl.col("anzahl")).alias("anzahl"),
        )
        if df.filter(pl.col("jahr") != year).height:
            problems.append(("periode_widerspruch", rel))
        frames.append(df.with_columns(pl.lit(date(year, 12, 31)).alias("periode")))
        periods.append(date(year, 12, 31))
    bw = pl.concat(frames)
    art, n = pl.col("art"), pl.col("anzahl")
    counts = bw.group_by("periode", "gebiet_id").agg(
        n.filter(art.is_in(["zuzug", "fortzug", "umzug_zu", "umzug_fort"]))
        .sum()
        .alias("wanderungsvolumen"),
        (
            n.filter(art.is_in(["zuzug", "umzug_zu"])).sum()
            - n.filter(art.is_in(["fortzug", "umzug_fort"])).sum()
        ).alias("wanderungssaldo"),
    )
    return _zero_filled(counts, areas, periods, ["wanderungsvolumen", "wanderungssaldo"], problems)


# --- sgb2 ---------------------------------------------------------------------------------


def sgb2_counts(
    landing: Path, areas: Areas, defects: Defects, problems: list, totals: list | None = None
) -> pl.DataFrame:
    """BA cells with symbols; an area missing from the table (or whose row was rejected)
    counts as `.`. Rows of a coarser area valid on the day (the BA's total row) are not
    finest cells: their number cells go to `totals` as (periode, gebiet_id, merkmal, wert)."""
    frames = []
    for rel, path in delivered_files(landing, "sgb2", defects):
        y, m = (int(x) for x in period_from_name(path.name).split("-"))
        day = month_end(y, m)
        berichtsmonat, df = read_ba_table(path)
        if berichtsmonat != day:
            problems.append(("periode_widerspruch", rel))
        df = drop_lines(df, defects.lines_of(rel))
        g = pl.DataFrame({"gebiet_id": finest_areas(areas, day)})
        coarser = set(valid_on(areas, day)["gebiet_id"].to_list()) - set(g["gebiet_id"])
        total_rows = df.filter(pl.col("gebiet_id").is_in(list(coarser)))
        df = df.filter(~pl.col("gebiet_id").is_in(list(coarser)))
        if totals is not None and total_rows.height:
            cells = total_rows.unpivot(
                index="gebiet_id", on=list(BA_MEASURES), variable_name="merkmal", value_name="text"
            ).select(
                pl.lit(day).alias("periode"), "gebiet_id", "merkmal", *ba_cells(pl.col("text"))
            )
            totals.append(
                cells.filter(pl.col("symbol").is_null() | (pl.col("symbol") == "-")).select(
                    "periode", "gebiet_id", "merkmal", "wert"
                )
            )
        stray = df.join(g, on="gebiet_id", how="anti")
        if stray.height:
            problems.append(("gebiet_unbekannt", rel, stray["gebiet_id"].to_list()))
        wide = g.join(df.select("gebiet_id", *BA_MEASURES), on="gebiet_id", how="left")
        long = wide.unpivot(
            index="gebiet_id", on=list(BA_MEASURES), variable_name="merkmal", value_name="text"
        )
        frames.append(
            long.select(
                pl.lit(day).alias("periode"),
                "gebiet_id",
                "merkmal",
                *ba_cells(pl.col("text")),
                pl.lit(False).alias("umg"),
            )
        )
    return pl.concat(frames)


# --- sgb12 --------------------------------------------------------------------------------


def sgb12_persons(
    landing: Path, areas: Areas, directory: pl.DataFrame, defects: Defects, problems: list
) -> tuple[pl.DataFrame, list[date]]:
    frames, periods = [], []
    for rel, path in delivered_files(landing, "sgb12", defects):
        day = date.fromisoformat(period_from_name(path.name))
        df = drop_lines(read_csv_table(path), defects.lines_of(rel)).select(
            any_date(pl.col("stichtag")).alias("stichtag"),
            any_date(pl.col("geburtsdatum")).alias("geburtsdatum"),
            pl.col("strasse"),
            pl.col("hausnummer"),
            pl.col("leistungsart").str.strip_chars().str.to_uppercase(),
            pl.col("einrichtung").str.strip_chars().str.to_uppercase(),
        )
        if df.filter(pl.col("stichtag") != day).height:
            problems.append(("periode_widerspruch", rel))
        frames.append(df.with_columns(pl.lit(day).alias("periode")))
        periods.append(day)
    persons = pl.concat(frames).with_columns(
        age(pl.col("geburtsdatum"), pl.col("periode")).alias("alter")
    )
    persons = assign_areas(persons, directory, "periode")
    lost = persons.filter(pl.col("gebiet_id").is_null())
    if lost.height:
        problems.append(("adresse_unbekannt", "sgb12", lost.height))
    bad_age = persons.filter((pl.col("alter") < 0) | (pl.col("alter") > 120))
    if bad_age.height:
        problems.append(("alter_unplausibel", "sgb12", bad_age.height))
    return persons, periods


def sgb12_counts(persons: pl.DataFrame, periods: list[date], areas: Areas, problems: list):
    art, ave = pl.col("leistungsart"), pl.col("einrichtung") == "N"
    flags = {
        "grusi_alter_ave_65plus": (art == "GRUSI_ALTER") & ave & (pl.col("alter") >= SENIOREN_AB),
        "hlu_ave": (art == "HLU") & ave,
        "hzp": art == "HZP",
        "grusi_ave": art.is_in(["GRUSI_ALTER", "GRUSI_EM"]) & ave,
    }
    counts = persons.group_by("periode", "gebiet_id").agg(
        [cond.sum().alias(m) for m, cond in flags.items()]
    )
    return _zero_filled(counts, areas, periods, list(flags), problems)


# --- sgb8 ---------------------------------------------------------------------------------


def sgb8_cases(
    landing: Path, areas: Areas, directory: pl.DataFrame, defects: Defects, problems: list
) -> tuple[pl.DataFrame, list[date]]:
    frames, periods = [], []
    for rel, path in delivered_files(landing, "sgb8", defects):
        year = int(period_from_name(path.name))
        last = date(year, 12, 31)
        df = drop_lines(read_csv_table(path), defects.lines_of(rel)).select(
            pl.col("hilfeart").str.strip_chars().str.to_lowercase(),
            any_date(pl.col("beginn")).alias("beginn"),
            any_date(pl.col("ende")).alias("ende"),
            any_date(pl.col("geburtsdatum")).alias("geburtsdatum"),
            german_money(pl.col("kosten_jahr")).alias("kosten_jahr"),
            pl.col("strasse"),
            pl.col("hausnummer"),
        )
        # the address counts on the case's last day in the year (its end, else 31.12.)
        ref = pl.when(pl.col("ende") < last).then(pl.col("ende")).otherwise(pl.lit(last))
        frames.append(
            df.with_columns(
                pl.lit(year).alias("jahr"), pl.lit(last).alias("periode"), ref.alias("_ref")
            )
        )
        periods.append(last)
    cases = assign_areas(pl.concat(frames), directory, "_ref")
    lost = cases.filter(pl.col("gebiet_id").is_null())
    if lost.height:
        problems.append(("adresse_unbekannt", "sgb8", lost.height))
    outside = cases.filter(
        (pl.col("beginn") > pl.col("periode"))
        | (pl.col("ende") < pl.date(pl.col("jahr"), 1, 1))
        | (pl.col("ende") < pl.col("beginn"))
    )
    if outside.height:
        problems.append(("fall_ausserhalb_des_jahres", "sgb8", outside.height))
    return cases, periods


def sgb8_counts(cases: pl.DataFrame, periods: list[date], areas: Areas, problems: list):
    art = pl.col("hilfeart")
    # running on 31.12. or ended during the year = no end, or an end on/after 1.1.
    counted = pl.col("ende").is_null() | (pl.col("ende") >= pl.date(pl.col("jahr"), 1, 1))
    hze = art.is_in(HZE) & counted
    counts = cases.group_by("periode", "gebiet_id").agg(
        hze.sum().alias("hze_faelle"),
        (art.is_in(EHI) & counted).sum().alias("eingliederungshilfe_35a_faelle"),
        (art.is_in(INOBHUT) & (pl.col("beginn").dt.year() == pl.col("jahr")))
        .sum()
        .alias("inobhutnahmen"),
        pl.col("kosten_jahr").filter(hze).sum().alias("hze_kosten"),
    )
    merkmale = ["hze_faelle", "eingliederungshilfe_35a_faelle", "inobhutnahmen", "hze_kosten"]
    counts = counts.with_columns(pl.col("hze_kosten").cast(pl.Float64))
    return _zero_filled(counts, areas, periods, merkmale, problems)


# --- transfer (MSS S3) --------------------------------------------------------------------


def transfer_counts(sgb2: pl.DataFrame, sgb12: pl.DataFrame) -> pl.DataFrame:
    """(rlb - alo_sgb2) + HLU a.v.E. + Grundsicherung a.v.E. per finest area on every SGB XII
    reference date whose month has an SGB II table. A `*` in rlb or alo makes the cell `*`
    with bounds [max(rlb_lo - alo_hi, 0), rlb_hi - alo_lo] + the exact SGB XII part."""
    ba = sgb2.filter(pl.col("merkmal").is_in(["rlb", "alo_sgb2"])).pivot(
        on="merkmal", index=["periode", "gebiet_id"], values=["symbol", "lo", "hi"]
    )
    s12 = (
        sgb12.filter(pl.col("merkmal").is_in(["hlu_ave", "grusi_ave"]))
        .group_by("periode", "gebiet_id")
        .agg(pl.col("wert").sum().alias("ave"))
    )
    # inner join: both deliveries are needed; the SGB II month is the month of the stichtag
    j = s12.join(
        ba.rename({"periode": "_monat"}),
        left_on=[pl.col("periode").dt.month_end(), "gebiet_id"],
        right_on=["_monat", "gebiet_id"],
    )
    rs, als = pl.col("symbol_rlb"), pl.col("symbol_alo_sgb2")
    symbol = (
        pl.when(rs.is_in([".", "x"]) | als.is_in([".", "x"]))
        .then(pl.lit("."))
        .when((rs == "*") | (als == "*"))
        .then(pl.lit("*"))
        .otherwise(None)
    )
    lo = pl.max_horizontal(pl.col("lo_rlb") - pl.col("hi_alo_sgb2"), pl.lit(0.0)) + pl.col("ave")
    hi = pl.col("hi_rlb") - pl.col("lo_alo_sgb2") + pl.col("ave")
    exact = pl.col("lo_rlb") - pl.col("lo_alo_sgb2") + pl.col("ave")
    return j.select(
        "periode",
        "gebiet_id",
        pl.lit("transfer_nicht_alo").alias("merkmal"),
        pl.when(symbol.is_null()).then(exact).otherwise(None).alias("wert"),
        symbol.alias("symbol"),
        pl.when(symbol == ".").then(None).otherwise(lo).alias("lo"),
        pl.when(symbol == ".").then(None).otherwise(hi).alias("hi"),
        pl.lit(False).alias("umg"),
    )
