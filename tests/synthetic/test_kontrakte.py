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
    w = k["wirkung"]
    effect_ids = {w["mit_wirkung"]["massnahme_id"], w["placebo"]["massnahme_id"]}
    named = {
        g for mid, m in measures.items() if mid not in effect_ids for g in m["gebiete"].split(",")
    }
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
    # effect and placebo: the next most deprived areas, served by no other measure, not the
    # two halves of the split area
    effect_areas = w["mit_wirkung"]["gebiete"] + w["placebo"]["gebiete"]
    assert not set(effect_areas) & named
    split = {str(geo.atom_id[i]) for i in geo.split_atoms}
    rest = [
        d for a, d in dep.items()
        if a not in named and a not in split and a not in effect_areas
        and a not in manifest["tiny_areas"]
    ]  # fmt: skip
    assert min(dep[a] for a in effect_areas) >= max(rest)
    assert not set(effect_areas) & split


def test_effect_is_in_the_sgb2_counts_of_its_areas_only(small_city):
    """Children under 15 in SGB II fall by the stated share in the effect's areas from its
    start (reached after twelve months); every other area and count stays as simulated."""
    import numpy as np

    from pipelines.synthetic import sgb2 as sgb2_mod
    from pipelines.synthetic.geography import build_geography
    from pipelines.synthetic.kontrakte import with_effect
    from pipelines.synthetic.population import build_profiles, simulate_population
    from pipelines.synthetic.scales import SCALES

    _, manifest = small_city
    w = manifest["kontrakte"]["wirkung"]
    sc = SCALES[manifest["scale"]]
    geo = build_geography(sc, manifest["seed"])
    prof = build_profiles(geo, sc, manifest["seed"])
    pop = simulate_population(prof, sc, manifest["seed"])
    raw = sgb2_mod.simulate_sgb2(prof, pop, sc, manifest["seed"])
    col = {m: i for i, m in enumerate(sgb2_mod.MEASURES)}
    months = sgb2_mod.months(sc)
    out = with_effect(raw, months, geo, prof, sc, col)
    atoms = [int(np.flatnonzero(geo.atom_id == g)[0]) for g in w["mit_wirkung"]["gebiete"]]
    changed = np.argwhere((out != raw).any(axis=(0, 2))).ravel().tolist()
    assert sorted(changed) == sorted(atoms)
    last = len(months) - 1  # December of the last year: a full year after the start
    for a in atoms:
        before = raw[last, a, col["nef_u15"]]
        assert out[last, a, col["nef_u15"]] == before - round(before * w["mit_wirkung"]["anteil"])
        assert out[last, a, col["rlb"]] == out[last, a, col["elb"]] + out[last, a, col["nef"]]
    start = months.index((w["beginn"], 1))
    assert (out[:start] == raw[:start]).all()


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
