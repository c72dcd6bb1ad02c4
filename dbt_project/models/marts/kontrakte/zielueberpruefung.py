"""marts.zielueberpruefung: every target (the city's goals in reference/ziele.csv, the
effect and output targets of the measures) with its series and whether it is met, missed,
on course or not decidable, with the reason (`pipelines.wirkung.ziele`).

The planning unit's unsuppressed view; publish.zielueberpruefung is the same review on the
published values only.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from pipelines.wirkung.ziele import wirkungsziele, zielueberpruefung

    indikatoren = dbt.ref("indikatoren").pl().filter(pl.col("aktueller_gebietsstand"))
    katalog = dbt.ref("indikatorkatalog").pl()
    return zielueberpruefung(
        dbt.ref("zielerreichung").pl(),
        wirkungsziele(dbt.ref("stg_massnahmen_ziele").pl(), dbt.ref("stg_massnahmen").pl()),
        dbt.ref("kontrakte").pl(),
        indikatoren.select("indikator_id", "gebiet_id", "periode", "wert"),
        dict(katalog.select("indikator_id", "einheit").rows()),
    )
