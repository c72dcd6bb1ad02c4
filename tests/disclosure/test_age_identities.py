"""The population counts of an area are age ranges: every identity the ranges imply is
known to the disclosure system and to the attacker (`publish/cells.identities_for`).

Musterstadt's Kai (010201): 4,172 inhabitants, 4,170 of them under 65, 2 aged 65+. With
only `ew = ew_u18 + ew_18_64 + ew_65plus` declared, `ew` and `ew_u65` were both published
and 4,172 − 4,170 gave the withheld 2 back."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.disclosure import DisclosureConfig, Identity, apply_disclosure, attack
from pipelines.publish import cells

DAY = dt.date(2024, 12, 31)
TREE = pl.DataFrame(
    {
        "gebiet_id": ["S", "K", "M"],
        "parent_id": [None, "S", "S"],
        "ebene": ["stadt", "gebiet", "gebiet"],
        "ebene_rang": [0, 1, 1],
    }
)
# Kai as delivered, and a bigger neighbour
COUNTS = {
    "K": {"ew": 4172, "ew_u65": 4170, "ew_u15": 930, "ew_15_64": 3240, "ew_u18": 1220,
          "ew_18_64": 2950, "ew_65plus": 2, "ew_u21": 1220},
    "M": {"ew": 805, "ew_u65": 645, "ew_u15": 95, "ew_15_64": 550, "ew_u18": 95,
          "ew_18_64": 550, "ew_65plus": 160, "ew_u21": 95},
}  # fmt: skip
CFG = DisclosureConfig()


def _cells() -> pl.DataFrame:
    rows = []
    for m in COUNTS["K"]:
        values = {g: COUNTS[g][m] for g in COUNTS}
        values["S"] = sum(values.values())
        rows += [("einwohner", m, DAY, g, v, None) for g, v in values.items()]
    return pl.DataFrame(
        rows,
        schema={"tabelle": pl.String, "merkmal": pl.String, "periode": pl.Date,
                "gebiet_id": pl.String, "wert": pl.Int64, "quell_symbol": pl.String},
        orient="row",
    ).filter(pl.col("gebiet_id") != "S")  # fmt: skip


def _value(published: pl.DataFrame, merkmal: str, gebiet: str):
    return published.filter((pl.col("merkmal") == merkmal) & (pl.col("gebiet_id") == gebiet))[
        "wert"
    ].item()


def test_every_identity_of_the_age_ranges_is_known():
    texts = {f"{i.summe} = {' + '.join(i.teile)}" for i in cells.identities_for(_cells())}
    assert {
        "ew = ew_u65 + ew_65plus",
        "ew_u65 = ew_u15 + ew_15_64",
        "ew_u65 = ew_u18 + ew_18_64",
        "ew = ew_u18 + ew_18_64 + ew_65plus",
        "ew = ew_u15 + ew_15_64 + ew_65plus",
    } <= texts


def test_the_withheld_65plus_cannot_be_recovered_and_the_headline_denominators_stay():
    identities = cells.identities_for(_cells())
    published = apply_disclosure(_cells(), TREE, identities, CFG).cells
    assert _value(published, "ew_65plus", "K") is None
    assert attack(published, TREE, identities, CFG, include_undecided=True).is_empty()
    # the wider range goes first: Kai's population is withheld, not the denominators of
    # the SGB II quota (ew_u65), child poverty (ew_u15) and the unemployment share (ew_15_64)
    assert _value(published, "ew", "K") is None
    for m in ("ew_u65", "ew_u15", "ew_15_64"):
        assert _value(published, m, "K") == COUNTS["K"][m], m


def test_with_only_the_declared_identity_the_65plus_came_back():
    """The negative control: the system of before, the attacker of today."""
    declared = [Identity.parse("einwohner", "ew = ew_u18 + ew_18_64 + ew_65plus")]
    published = apply_disclosure(_cells(), TREE, declared, CFG).cells
    assert _value(published, "ew", "K") == 4172 and _value(published, "ew_u65", "K") == 4170
    found = attack(published, TREE, cells.identities_for(_cells()), CFG)
    assert ("ew_65plus", "K") in set(found.select("merkmal", "gebiet_id").iter_rows())
