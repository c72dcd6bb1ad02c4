"""Complete time series in the publish zone: every period of a series for every area.

A BI line chart draws a straight line over a period that has no row (a refused SGB II
month, an area without a count that month), as if the figure had been in between. With a
row that has no value and the symbol `.` (unknown), the chart shows a gap instead.
"""

from __future__ import annotations

import calendar
import itertools
from datetime import date
from functools import reduce
from math import gcd

import polars as pl

from pipelines.publish.tables import MISSING_SYMBOL, PublishedTable

_KEY = "__serie"


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _month_end(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def regular_periods(periods: list[date]) -> list[date]:
    """The periods a series should have: from its first to its last period at its rhythm.

    The rhythm is the greatest common step (in months) between the month-end periods it
    has: monthly SGB II figures with a refused month get that month back, yearly 31.12.
    figures with a missing year get the year. Dates that are not month ends (a snapshot on
    another day) have no rhythm to follow: the series keeps the periods it has.
    """
    days = sorted(set(periods))
    if len(days) < 3 or not all(_is_month_end(d) for d in days):
        return days
    months = [d.year * 12 + d.month - 1 for d in days]
    step = reduce(gcd, (b - a for a, b in itertools.pairwise(months)))
    return [_month_end(m) for m in range(months[0], months[-1] + 1, step)]


def complete(frame: pl.DataFrame, table: PublishedTable, gebiete: pl.DataFrame) -> pl.DataFrame:
    """`frame` plus a row without value for each missing (series, period, area).

    Areas: today's areas of every level the series has rows on (and the areas it has rows
    for). Columns constant within a series (the unit, the area layout) are carried over;
    the symbol column, where the table has one, holds `.`.
    """
    s = table.series
    if s is None or frame.is_empty():
        return frame
    keys = list(s.keys) or [_KEY]
    data = frame if s.keys else frame.with_columns(pl.lit(0).alias(_KEY))
    periods = data.group_by(keys).agg(pl.col(s.period).unique())
    if s.regular:
        periods = periods.with_columns(
            pl.col(s.period).map_elements(
                regular_periods, return_dtype=pl.List(frame.schema[s.period])
            )
        )
    periods = periods.explode(s.period)
    areas = _areas(data, keys, s.area, gebiete)
    grid = periods.join(areas, on=keys)
    missing = grid.join(
        data.select(*keys, s.area, s.period), on=[*keys, s.area, s.period], how="anti"
    )
    if missing.is_empty():
        return frame
    constant = [c for c in s.constant if c in frame.columns]
    if constant:
        carried = data.group_by(keys).agg(pl.col(c).drop_nulls().first() for c in constant)
        missing = missing.join(carried, on=keys, how="left")
    if s.symbol:
        missing = missing.with_columns(pl.lit(MISSING_SYMBOL).alias(s.symbol))
    out = pl.concat([data, missing], how="diagonal_relaxed")
    order = [*s.keys, s.period, s.area]
    return out.select(pl.col(c).cast(frame.schema[c]) for c in frame.columns).sort(order)


def _areas(data: pl.DataFrame, keys: list[str], area: str, gebiete: pl.DataFrame) -> pl.DataFrame:
    """Per series: its areas, and today's areas of the levels it has."""
    level_cols = [c for c in ("ebene", "ebene_rang") if c in data.columns]
    own = data.select(*keys, area, *level_cols).unique([*keys, area])
    if "ebene" not in data.columns:
        return own
    today = (
        gebiete.filter(pl.col("ist_aktuell"))
        .select(pl.col("gebiet_id").alias(area), *level_cols)
        .unique(area)
        .with_columns(pl.col(c).cast(data.schema[c]) for c in level_cols)
    )
    levels = data.select(*keys, "ebene").unique()
    return pl.concat([own, levels.join(today, on="ebene").select(own.columns)]).unique(
        [*keys, area]
    )
