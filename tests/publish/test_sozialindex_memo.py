"""The published social index remembers each date's computation (one more month computes
one date): the same index with and without memory, and a changed date computed again."""

from __future__ import annotations

import polars as pl

from pipelines.config import load_config
from pipelines.publish.cells import SOZIALINDEX_MEMO, publish_sozialindex
from pipelines.sozialindex import recipe_from_config
from tests.conftest import query_frame


def test_published_index_remembers_each_date_and_recomputes_a_changed_one(small_city, tmp_path):
    index = query_frame(
        small_city.warehouse / "warehouse.duckdb", "select * from marts.sozialindex"
    )
    published = query_frame(small_city.warehouse / "publish.duckdb", "select * from indikatoren")
    recipe = recipe_from_config(load_config()["sozialindex"])
    dates = sorted(index["periode"].unique().to_list())
    assert len(dates) >= 2, dates

    plain = publish_sozialindex(index, published, recipe)
    first = publish_sozialindex(index, published, recipe, tmp_path)
    assert (tmp_path / SOZIALINDEX_MEMO).exists()
    again = publish_sozialindex(index, published, recipe, tmp_path)
    assert first.equals(plain) and again.equals(plain)

    # the last date's first status share withheld where it was shown: that date must be
    # computed afresh (the area leaves the index), the memory must not answer for it
    status = recipe.status[0]
    last = dates[-1]
    shown = published.filter(
        (pl.col("indikator_id") == status)
        & (pl.col("periode") == last)
        & pl.col("wert").is_not_null()
    )["gebiet_id"].to_list()
    area = next(
        g for g in index.filter(pl.col("periode") == last)["gebiet_id"].to_list() if g in shown
    )
    hidden = published.with_columns(
        pl.when(
            (pl.col("indikator_id") == status)
            & (pl.col("periode") == last)
            & (pl.col("gebiet_id") == area)
        )
        .then(None)
        .otherwise(pl.col("wert"))
        .alias("wert")
    )
    fresh = publish_sozialindex(index, hidden, recipe)
    remembered = publish_sozialindex(index, hidden, recipe, tmp_path)
    assert remembered.equals(fresh)
    assert not fresh.equals(plain)
    earlier = pl.col("periode") < last
    assert fresh.filter(earlier).equals(plain.filter(earlier))
