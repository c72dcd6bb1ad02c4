"""The synthetic Kontraktmanagement deliveries: measures in deprived areas, one report
outstanding, one output left empty, as the manifest says."""

from __future__ import annotations

from ._helpers import read_table


def test_measures_lie_in_the_most_deprived_areas(small_city):
    root, manifest = small_city
    k = manifest["kontrakte"]
    header, rows = read_table(root, "massnahmen/massnahmen.csv", "utf-8")
    measures = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert sorted(measures) == k["massnahmen"]
    named = {g for m in measures.values() for g in m["gebiete"].split(",")}
    assert named == set(k["gebiete"])
    # the four most deprived areas (not tiny) of the city's profiles
    from pipelines.synthetic.geography import build_geography
    from pipelines.synthetic.population import build_profiles
    from pipelines.synthetic.scales import SCALES

    sc = SCALES[manifest["scale"]]
    geo = build_geography(sc, manifest["seed"])
    prof = build_profiles(geo, sc, manifest["seed"])
    dep = dict(zip(geo.atom_id.tolist(), prof.deprivation(prof.mid).tolist(), strict=True))
    others = [d for a, d in dep.items() if a not in named and a not in manifest["tiny_areas"]]
    assert min(dep[a] for a in named) >= max(others)


def test_outstanding_report_and_empty_value(small_city):
    root, manifest = small_city
    k = manifest["kontrakte"]
    late = k["bericht_ausstehend"][0]
    _, rows = read_table(root, f"leistungsberichte/leistungsberichte_{late['jahr']}.csv", "utf-8")
    assert late["massnahme_id"] not in {r[0] for r in rows}
    empty = k["istwert_leer"][0]
    _, rows = read_table(root, f"leistungsberichte/leistungsberichte_{empty['jahr']}.csv", "utf-8")
    row = next(r for r in rows if r[0] == empty["massnahme_id"] and r[2] == empty["kennzahl"])
    assert row[3] == "" and row[4] != ""
    # every other output of every year is reported
    for y in manifest["years"]:
        _, rows = read_table(root, f"leistungsberichte/leistungsberichte_{y}.csv", "utf-8")
        assert all(
            r[3] != ""
            for r in rows
            if (r[0], int(r[1]), r[2]) != (empty["massnahme_id"], empty["jahr"], empty["kennzahl"])
        )
