"""marts.prognose_guete: how wrong the past projections were (the back-test).

For every base date of the back-test in marts.bevoelkerungsprognose: MAPE, population-
weighted error and bias of the projection and of two naive baselines (population held
constant; straight line through the last five years), per horizon, age group, area size
class and level. The same code as the projection (`pipelines.projection.run`), scored.
"""

import json


def model(dbt, session):
    dbt.config(materialized="table")
    from pipelines.projection import finest_population, run, settings_from_config

    dbt.ref("bevoelkerungsprognose")  # scored after the projection it describes
    gebiete = dbt.ref("gebiete").pl()
    einwohner = finest_population(dbt.ref("stg_einwohner").pl(), gebiete)
    bewegungen = dbt.ref("stg_bewegungen").pl()
    settings, levels_up = settings_from_config(json.loads(dbt.config.get("prognose_json") or "{}"))
    _, guete = run(
        einwohner, gebiete, settings, levels_up, bewegungen=bewegungen, projections=False
    )
    return guete
