"""Each fact once: count parameters and counts are stated in one place for dbt and Python.

The count parameters are the `indikatoren` block of dbt_project.yml vars; the city config's
`indikatoren` has the same names, takes its defaults from there and reaches dbt as it is.
The counts (which exist, their unit and sign) are seeds/merkmale_seed.csv.
"""

from __future__ import annotations

import csv

import yaml

from pipelines.config import DEFAULT_PATH, count_parameters, load_config, merkmale
from pipelines.config.schema import Indikatoren
from pipelines.defs.dbt.assets import PROJECT_DIR, dbt_vars
from tests.conftest import query


def test_count_parameters_are_the_config_block_without_renames(tmp_path):
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert load_config()["indikatoren"] == project["vars"]["indikatoren"]
    assert "indikatoren" not in yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    # every parameter is validated, none is only in one of the two
    assert set(Indikatoren.model_fields) == set(count_parameters())
    city = tmp_path / "stadt.yaml"
    city.write_text("indikatoren:\n  alter_senioren_ab: 67\n  ba_stern_obergrenze: 3\n", "utf-8")
    config = load_config(city)
    passed = dbt_vars(config)["indikatoren"]
    assert passed == {**count_parameters(), "alter_senioren_ab": 67, "ba_stern_obergrenze": 3}
    # the disclosure system takes the bounds of a source `*` from the same block
    from pipelines.publish.write import disclosure_config

    cfg = disclosure_config(config)
    assert (cfg.quelle_stern_min, cfg.quelle_stern_max) == (1, 3)


def test_dbt_reads_parameters_only_through_the_block():
    """No model or macro reads a count parameter as a var of its own (a second name)."""
    names = set(count_parameters())
    for sql in [*PROJECT_DIR.glob("models/**/*.sql"), *PROJECT_DIR.glob("macros/*.sql")]:
        text = sql.read_text(encoding="utf-8")
        for name in names:
            assert f"var('{name}'" not in text, f"{sql.name}: var('{name}') statt parameter()"


def test_counts_stated_once_match_the_catalogue():
    seed = list(
        csv.DictReader((PROJECT_DIR / "seeds" / "merkmale_seed.csv").open(encoding="utf-8"))
    )
    assert len({r["merkmal"] for r in seed}) == len(seed)
    assert merkmale.money() == {r["merkmal"] for r in seed if r["einheit"] == "EUR"}
    assert "hze_kosten" in merkmale.money() and "wanderungssaldo" in merkmale.signed()


def test_every_count_of_the_seed_is_built_and_no_other(small_city):
    """The seed lists exactly the counts the models build (dbt's relationships test covers
    one direction on every run; this the other, on a city with every delivery kind)."""
    built = {
        m: q
        for m, q in query(
            small_city.warehouse / "warehouse.duckdb",
            "select distinct merkmal, quelle from marts.basiszahlen",
        )
    }
    stated = {m.merkmal: m.quelle for m in merkmale.merkmale()}
    assert built == stated
