"""marts.wirkungsanalyse: per measure with a `wirkung` target, the indicator in its target
areas before and after against a comparison group matched on the baseline, the
difference-in-differences and its permutation interval (`pipelines.wirkung`).

Inputs: the measures (stg_massnahmen) and their targets (stg_massnahmen_ziele), the
indicator values of the finest areas of today's layout (marts.indikatoren) and their
social-index status classes (marts.sozialindex). The planning unit's unsuppressed view;
publish.wirkungsanalyse is the same computation on the published values only.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from pipelines.wirkung import finest_indicators, measures_frame, wirkungsanalyse

    gebiete = dbt.ref("gebiete").pl()
    indikatoren = finest_indicators(
        dbt.ref("indikatoren").pl().filter(pl.col("aktueller_gebietsstand")), gebiete
    )
    katalog = dbt.ref("indikatorkatalog").pl()
    return wirkungsanalyse(
        measures_frame(dbt.ref("stg_massnahmen").pl()),
        dbt.ref("stg_massnahmen_ziele").pl(),
        indikatoren,
        dbt.ref("sozialindex").pl(),
        dict(katalog.select("indikator_id", "einheit").rows()),
        dbt.ref("int_gebiete_umschluessel").pl(),
    )
