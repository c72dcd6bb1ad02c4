-- Population counts per finest area and reference date (age bands from vars).
-- Incremental: a new reference date does not rebuild ten years of register data.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns'
) }}
{%- set merkmale = einwohner_merkmale() %}

with

einwohner as (

    select * from {{ ref('stg_einwohner') }}

),

perioden as (

    {{ perioden_mit_stand('einwohner', 'einwohner') }}

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
            {%- if m.unbekannt_wenn %}
                -- a source that does not break this down (profile code `insgesamt`): unknown
                case
                    when bool_or({{ m.unbekannt_wenn }}) then null
                    else coalesce(sum(einwohner.anzahl) filter (where {{ m.bedingung }}), 0)
                end as {{ m.merkmal }},
            {%- else %}
                coalesce(sum(einwohner.anzahl) filter (where {{ m.bedingung }}), 0)
                    as {{ m.merkmal }},
            {%- endif %}
        {%- endfor %}
        zellen.stand_hash
    from zellen
    left join einwohner
        on
            zellen.periode = einwohner.periode
            and zellen.gebiet_id = einwohner.gebiet_id
    group by zellen.periode, zellen.gebiet_id, zellen.stand_hash

),

final as (

    {%- for m in merkmale %}
        {{ exakte_zaehlzeile('summen', m.merkmal, m.definition) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

)

select * from final
