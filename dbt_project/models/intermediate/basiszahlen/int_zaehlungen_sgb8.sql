-- SGB VIII cases per finest area and year (reference date 31.12); paragraph sets from vars.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns'
) }}
{%- set merkmale = sgb8_merkmale() %}

with

sgb8 as (

    select * from {{ ref('stg_sgb8') }}

),

perioden as (

    {{ perioden_mit_stand('sgb8', 'sgb8') }}

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
        {%- for m in merkmale %}
            coalesce({{ m.aggregat }} filter (where {{ m.bedingung }}), 0)
                as {{ m.merkmal }},
        {%- endfor %}
        zellen.stand_hash
    from zellen
    left join sgb8
        on
            zellen.periode = sgb8.periode
            and zellen.gebiet_id = sgb8.gebiet_id
    group by zellen.periode, zellen.gebiet_id, zellen.stand_hash

),

final as (

    {%- for m in merkmale %}
        {{ exakte_zaehlzeile('summen', m.merkmal, m.definition) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

)

select * from final
