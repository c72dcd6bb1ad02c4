"""Disclosure control system by system: parallel = serial, the cache reuses exactly the
systems whose input is unchanged, and a damaged cache entry is solved again."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.config import load_config
from pipelines.disclosure import DisclosureConfig
from pipelines.publish import cells
from pipelines.publish.systems import solve_systems


@pytest.fixture(scope="module")
def inputs(small_city):
    con = duckdb.connect(str(small_city.warehouse_db), read_only=True)
    basis = con.execute("select * from marts.basiszahlen").pl()
    gebiete = con.execute("select * from marts.gebiete").pl()
    con.close()
    tree = cells.hierarchy(gebiete)
    counts = cells.count_cells(basis, tree)
    cfg = cells.with_signed(DisclosureConfig.from_dict(load_config()["offenlegung"]))
    return counts, tree, cells.identities_for(counts), cfg


def test_parallel_equals_serial(inputs):
    serial, s1 = solve_systems(*inputs, workers=1)
    parallel, s2 = solve_systems(*inputs, workers=2)
    assert s1["systeme"] == s2["systeme"] >= 16  # enough systems for the pool to start
    assert parallel.cells.equals(serial.cells)
    assert parallel.log.equals(serial.log)
    assert serial.cells.filter(pl.col("symbol") == "*").height > 0


def test_cache_reuses_unchanged_systems_only(inputs, tmp_path):
    counts, tree, identities, cfg = inputs
    first, s1 = solve_systems(counts, tree, identities, cfg, tmp_path, workers=1)
    assert s1["berechnet"] == s1["systeme"]
    again, s2 = solve_systems(counts, tree, identities, cfg, tmp_path, workers=1)
    assert (s2["berechnet"], s2["aus_zwischenspeicher"]) == (0, s1["systeme"])
    assert again.cells.equals(first.cells) and again.log.equals(first.log)

    # one cell of one (tabelle, periode) changes: only that system is solved again
    leaf_row = counts.filter(pl.col("wert") > 10).row(0, named=True)
    changed = counts.with_columns(
        pl.when(
            (pl.col("tabelle") == leaf_row["tabelle"])
            & (pl.col("merkmal") == leaf_row["merkmal"])
            & (pl.col("periode") == leaf_row["periode"])
            & (pl.col("gebiet_id") == leaf_row["gebiet_id"])
        )
        .then(pl.col("wert") + 1)
        .otherwise(pl.col("wert"))
        .alias("wert")
    )
    fresh, _ = solve_systems(changed, tree, identities, cfg, workers=1)
    cached, s3 = solve_systems(changed, tree, identities, cfg, tmp_path, workers=1)
    assert s3["berechnet"] == 1
    assert cached.cells.equals(fresh.cells) and cached.log.equals(fresh.log)

    # other settings are other input: nothing is reused
    stricter = cells.with_signed(
        DisclosureConfig.from_dict({**load_config()["offenlegung"], "min_fallzahl": 5})
    )
    _, s4 = solve_systems(changed, tree, identities, stricter, tmp_path, workers=1)
    assert s4["berechnet"] == s4["systeme"]


def test_damaged_cache_entry_is_solved_again(inputs, tmp_path):
    counts, tree, identities, cfg = inputs
    first, _ = solve_systems(counts, tree, identities, cfg, tmp_path, workers=1)
    victim = sorted(tmp_path.glob("*.zellen.arrow"))[0]
    victim.write_bytes(victim.read_bytes()[:100])  # a run killed while writing
    again, s = solve_systems(counts, tree, identities, cfg, tmp_path, workers=1)
    assert s["berechnet"] == 1
    assert again.cells.equals(first.cells)
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o700"
