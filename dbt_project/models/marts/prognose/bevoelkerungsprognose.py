"""marts.bevoelkerungsprognose: small-area population projection (cohort-component or
Hamilton–Perry, `prognose.methode`).

A dbt Python model like marts.sozialindex: it hands the delivered population of the finest
areas (31.12 snapshots), the moves (stg_bewegungen, by age where delivered) and the area
dimension to `pipelines.projection.run`, with the
settings of the dbt var `prognose` (JSON through the model config, since Python models
cannot call var()). Rows: the projection from the latest 31.12 in three variants for
`horizont_jahre` years, and the back-test projections (variant `mitte`) from every earlier
31.12 with at least five actual years after it; finest areas and every coarser level.
"""

import json


def model(dbt, session):
    dbt.config(materialized="table")
    from pipelines.projection import finest_population, run, settings_from_config

    gebiete = dbt.ref("gebiete").pl()
    einwohner = finest_population(dbt.ref("stg_einwohner").pl(), gebiete)
    bewegungen = dbt.ref("stg_bewegungen").pl()
    settings, levels_up = settings_from_config(json.loads(dbt.config.get("prognose_json") or "{}"))
    prognose, _ = run(einwohner, gebiete, settings, levels_up, bewegungen=bewegungen, scores=False)
    return prognose
