"""Layout, hierarchy, the boundary change and the map."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from ._helpers import read_lines, read_table


def _gebiete(root):
    header, rows = read_table(root, "reference/gebiete.csv", "utf-8")
    return [dict(zip(header, r, strict=True)) for r in rows]


def test_landing_layout(small_city):
    root, manifest = small_city
    for folder in ("reference", "einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen"):
        assert (root / folder).is_dir(), folder
    for name in (
        "gebiete.csv",
        "gebiete.geojson",
        "gebiete_umschluessel.csv",
        "adressen.csv",
        "produkte.csv",
        "ziele.csv",
    ):
        assert (root / "reference" / name).is_file(), name
    assert (root / "manifest.json").is_file()
    kinds = {v["kind"] for v in manifest["files"].values()}
    assert {"einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen"} <= kinds
    assert manifest["years"] == [2022, 2023, 2024]
    counts = {k: sum(v["kind"] == k for v in manifest["files"].values()) for k in kinds}
    assert counts["einwohner"] == 6 and counts["sgb2"] == 36 and counts["sgb12"] == 36
    assert counts["sgb8"] == counts["bewegungen"] == 3
    assert counts["finanzen"] == 4  # and the plan of 2025 (Ist empty)


def test_manifest_on_disk_equals_return_value(small_city, manifest_on_disk):
    assert manifest_on_disk == small_city[1]


def test_hierarchy_has_four_levels_and_valid_parents(small_city):
    root, _ = small_city
    rows = _gebiete(root)
    by_id = {r["gebiet_id"]: r for r in rows}
    assert len(by_id) == len(rows)
    levels = {r["ebene"]: r["ebene_rang"] for r in rows}
    assert levels == {
        "stadt": "0",
        "stadtbezirk": "1",
        "stadtteil": "2",
        "statistischer_bezirk": "3",
    }
    assert by_id["00"]["parent_id"] == ""
    for r in rows:
        if r["gebiet_id"] == "00":
            continue
        parent = by_id[r["parent_id"]]
        assert int(parent["ebene_rang"]) == int(r["ebene_rang"]) - 1
        if parent["gebiet_id"] != "00":
            assert r["gebiet_id"].startswith(parent["gebiet_id"])
    current = [r for r in rows if r["ebene_rang"] == "3" and r["gueltig_bis"] == ""]
    assert len(current) == 20
    assert all(len(r["gebiet_id"]) == 6 for r in current)


def test_split_and_crosswalk(small_city):
    root, manifest = small_city
    split = manifest["split"]
    by_id = {r["gebiet_id"]: r for r in _gebiete(root)}
    day = dt.date.fromisoformat(split["date"])
    assert day == dt.date(2023, 1, 1)
    assert by_id[split["old"]]["gueltig_bis"] == (day - dt.timedelta(days=1)).isoformat()
    for new in split["new"]:
        assert by_id[new]["gueltig_ab"] == split["date"]
        assert by_id[new]["parent_id"] == by_id[split["old"]]["parent_id"]

    header, rows = read_table(root, "reference/gebiete_umschluessel.csv", "utf-8")
    assert header == ["alt_gebiet_id", "neu_gebiet_id", "wechsel_am", "anteil"]
    assert {r[1] for r in rows} == set(split["new"]) and {r[0] for r in rows} == {split["old"]}
    shares = [float(r[3].replace(",", ".")) for r in rows]
    assert abs(sum(shares) - 1) < 1e-9 and all(0.2 < s < 0.8 for s in shares)

    header, rows = read_table(root, "reference/adressen.csv", "utf-8-sig")
    assert header == ["strasse", "hausnummer", "zusatz", "gebiet_id", "gueltig_ab", "gueltig_bis"]
    old = {(r[0], r[1], r[2]) for r in rows if r[3] == split["old"]}
    assert old and all(r[5] == "2022-12-31" for r in rows if r[3] == split["old"])
    moved = {}
    for r in rows:
        if r[3] in split["new"]:
            assert r[4] == split["date"] and r[5] == ""
            moved[(r[0], r[1], r[2])] = r[3]
    assert set(moved) == old
    assert set(moved.values()) == set(split["new"])
    # one street is cut by the new border: its addresses go to both new areas
    streets = {}
    for (street, _, _), area in moved.items():
        streets.setdefault(street, set()).add(area)
    assert any(len(a) == 2 for a in streets.values())
    assert any(r[2] == "a" for r in rows)


def _einwohner_keys(root, manifest, period):
    rel = f"einwohner/einwohner_{period}.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    col = header.index("gebiet_id")
    return {r[col] for r in rows}


def test_deliveries_use_the_key_valid_on_their_date(small_city):
    root, manifest = small_city
    old, new = manifest["split"]["old"], set(manifest["split"]["new"])
    before = _einwohner_keys(root, manifest, "2022-12-31")
    after = _einwohner_keys(root, manifest, "2023-06-30")
    assert old in before and not (new & before)
    assert new <= after and old not in after
    dec = read_lines(root, "sgb2/sgb2_2022-12.csv", "cp1252")
    jan = read_lines(root, "sgb2/sgb2_2023-01.csv", "cp1252")
    assert any(line.startswith(old + ";") for line in dec)
    assert not any(line.startswith(old + ";") for line in jan)
    assert all(any(line.startswith(k + ";") for line in jan) for k in new)


def test_tiny_areas_below_300(small_city):
    root, manifest = small_city
    rel = "einwohner/einwohner_2024-12-31.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    g, n = header.index("gebiet_id"), header.index("anzahl")
    totals: dict[str, int] = {}
    small_cells = 0
    for r in rows:
        totals[r[g]] = totals.get(r[g], 0) + int(r[n])
        small_cells += r[g] in manifest["tiny_areas"] and int(r[n]) <= 2
    assert manifest["tiny_areas"]
    assert all(totals[t] < 300 for t in manifest["tiny_areas"])
    assert small_cells > 10
    assert sum(v < 300 for v in totals.values()) == len(manifest["tiny_areas"])


def _inside(px, py, ring):
    """Ray casting for many points against one ring."""
    xs, ys = np.array([p[0] for p in ring]), np.array([p[1] for p in ring])
    inside = np.zeros(len(px), dtype=bool)
    for i in range(len(ring) - 1):
        x1, y1, x2, y2 = xs[i], ys[i], xs[i + 1], ys[i + 1]
        cond = (y1 > py) != (y2 > py)
        xcross = (x2 - x1) * (py - y1) / np.where(y2 == y1, 1e-12, y2 - y1) + x1
        inside ^= cond & (px < xcross)
    return inside


def test_geojson_polygons_tile_the_city(small_city):
    root, manifest = small_city
    gj = json.loads((root / "reference/gebiete.geojson").read_text(encoding="utf-8"))
    rings = {f["properties"]["gebiet_id"]: f["geometry"]["coordinates"][0] for f in gj["features"]}
    finest = {r["gebiet_id"] for r in _gebiete(root) if r["ebene_rang"] == "3"}
    assert set(rings) == finest
    allpts = np.array([p for r in rings.values() for p in r])
    assert 5 < allpts[:, 0].min() < 15 and 47 < allpts[:, 1].min() < 55  # Germany
    rng = np.random.default_rng(0)
    px = rng.uniform(allpts[:, 0].min(), allpts[:, 0].max(), 20_000)
    py = rng.uniform(allpts[:, 1].min(), allpts[:, 1].max(), 20_000)
    hits = {k: _inside(px, py, ring) for k, ring in rings.items()}
    old, new = manifest["split"]["old"], manifest["split"]["new"]
    today = sum(hits[k].astype(int) for k in rings if k != old)
    before = sum(hits[k].astype(int) for k in rings if k not in new)
    assert today.max() == 1 and before.max() == 1  # no overlaps in either layout
    assert np.array_equal(hits[old], hits[new[0]] | hits[new[1]])
    assert all(h.sum() > 50 for h in hits.values())
    # not plain squares: rings carry more than four corners
    assert all(len(r) > 6 for r in rings.values())
