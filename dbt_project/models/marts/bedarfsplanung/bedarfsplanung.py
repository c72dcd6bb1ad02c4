"""marts.bedarfsplanung: places of social infrastructure against the Bedarfseckwerte.

A dbt Python model like marts.bevoelkerungsprognose: it hands the delivered population of
the finest areas, the forward projection (marts.bevoelkerungsprognose), the facilities
(stg_einrichtungen) and the area dimension to `pipelines.bedarf.plan`, with the
Bedarfseckwerte of the dbt var `bedarfseckwerte` (JSON through the model config, since
Python models cannot call var(); empty: the defaults of pipelines/config/default.yaml).
"""

import json


def model(dbt, session):
    dbt.config(materialized="table")
    from pipelines.bedarf import plan
    from pipelines.config import load_config
    from pipelines.projection import finest_population

    eckwerte = json.loads(dbt.config.get("bedarfseckwerte_json") or "{}")
    if not eckwerte:
        eckwerte = load_config(None)["bedarfseckwerte"]
    gebiete = dbt.ref("gebiete").pl()
    einwohner = finest_population(dbt.ref("stg_einwohner").pl(), gebiete)
    prognose = dbt.ref("bevoelkerungsprognose").pl()
    einrichtungen = dbt.ref("stg_einrichtungen").pl()
    return plan(einwohner, prognose, einrichtungen, gebiete, eckwerte)
