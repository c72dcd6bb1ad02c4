-- Migration counts per finest area and year (reference date 31.12).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns'
) }}

with

bewegungen as (

    select * from {{ ref('stg_bewegungen') }}

),

perioden as (

    {{ perioden_mit_stand('bewegungen', 'bewegungen') }}

),

zu_bauen as (

    select * from perioden
    {{ nur_geaenderte_perioden('perioden') }}

),

zellen as (

    {{ feinstgebiete_der_perioden('zu_bauen') }}

),

summen as (

    select
        zellen.periode,
        zellen.gebiet_id,
        zellen.stand_hash,
        coalesce(
            sum(bewegungen.anzahl) filter (
                where bewegungen.art in ('zuzug', 'fortzug', 'umzug_zu', 'umzug_fort')
            ),
            0
        ) as wanderungsvolumen,
        coalesce(
            sum(
                case
                    when bewegungen.art in ('zuzug', 'umzug_zu') then bewegungen.anzahl
                    when bewegungen.art in ('fortzug', 'umzug_fort') then -bewegungen.anzahl
                end
            ),
            0
        ) as wanderungssaldo
    from zellen
    left join bewegungen
        on
            zellen.periode = bewegungen.periode
            and zellen.gebiet_id = bewegungen.gebiet_id
    group by zellen.periode, zellen.gebiet_id, zellen.stand_hash

),

final as (

    {{ exakte_zaehlzeile('summen', 'wanderungsvolumen',
        'Zuzüge + Fortzüge + Umzüge zu + Umzüge fort im Jahr') }}
    union all
    {{ exakte_zaehlzeile('summen', 'wanderungssaldo',
        'Zuzüge + Umzüge zu - Fortzüge - Umzüge fort im Jahr') }}

)

select * from final
