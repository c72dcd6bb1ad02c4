-- SGB XII recipients per finest area and reference date (distinct person pseudonyms).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns'
) }}
{%- set merkmale = sgb12_merkmale() %}

with

sgb12 as (

    select * from {{ ref('stg_sgb12') }}

),

perioden as (

    {{ perioden_mit_stand('sgb12', 'sgb12') }}

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
            count(distinct sgb12.person_pseudonym) filter (where {{ m.bedingung }})
                as {{ m.merkmal }},
        {%- endfor %}
        zellen.stand_hash
    from zellen
    left join sgb12
        on
            zellen.periode = sgb12.periode
            and zellen.gebiet_id = sgb12.gebiet_id
    group by zellen.periode, zellen.gebiet_id, zellen.stand_hash

),

final as (

    {%- for m in merkmale %}
        {{ exakte_zaehlzeile('summen', m.merkmal, m.definition) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

)

select * from final
