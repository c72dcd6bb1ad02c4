"""Facilities of the synthetic city: near the Bedarfseckwerte but not on them, some areas short."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from pipelines.config import load_config

from ._helpers import read_table


def _under3_and_places(root, manifest, year):
    rel = f"einwohner/einwohner_{year}-12-31.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    g, a, n = header.index("gebiet_id"), header.index("alter"), header.index("anzahl")
    children = defaultdict(int)
    for r in rows:
        if int(r[a]) <= 2:
            children[r[g]] += int(r[n])
    rel = f"einrichtungen/einrichtungen_{year}.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    places = defaultdict(int)
    for r in rows:
        rec = dict(zip(header, r, strict=True))
        if rec["art"] == "kita_u3" and not rec["gueltig_bis"]:
            places[rec["gebiet_id"]] += int(rec["plaetze"])
    return children, places


def test_one_delivery_per_year_in_the_contract_format(small_city):
    root, manifest = small_city
    files = {k: v for k, v in manifest["files"].items() if v["kind"] == "einrichtungen"}
    assert sorted(v["period"] for v in files.values()) == [str(y) for y in manifest["years"]]
    codes = set(load_config(None)["bedarfseckwerte"])
    for rel in files:
        header, rows = read_table(root, rel, "utf-8")
        assert header == [
            "einrichtung_id", "name", "art", "gebiet_id", "plaetze", "traeger",
            "gueltig_ab", "gueltig_bis",
        ]  # fmt: skip
        assert rows and {r[2] for r in rows} == codes
        assert all(int(r[4]) > 0 for r in rows)


def test_supply_roughly_matches_demand_and_short_areas_lack_places(small_city):
    root, manifest = small_city
    target = load_config(None)["bedarfseckwerte"]["kita_u3"]["zielwert"] / 100
    children, places = _under3_and_places(root, manifest, manifest["years"][-1])
    short = set(manifest["short_areas"])
    assert short and not short & set(manifest["tiny_areas"])
    ratios = {g: places[g] / (children[g] * target) for g in children if children[g] >= 30}
    for g in short & set(ratios):
        assert ratios[g] < 0.75, (g, ratios[g])
    normal = [r for g, r in ratios.items() if g not in short]
    assert 0.85 < float(np.median(normal)) < 1.15
    assert sum(abs(r - 1) > 0.03 for r in normal) >= len(normal) // 3  # not exactly on target
