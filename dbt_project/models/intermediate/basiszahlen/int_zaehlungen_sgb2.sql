-- BA SGB II counts per finest area and month, with the BA symbols kept:
-- `*` -> no value, bounds [ba_stern_untergrenze, ba_stern_obergrenze]; `-` -> 0;
-- `.`/`x` -> no value, no bounds. An area missing from the BA table counts as `.`.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns'
) }}
{%- set merkmale = sgb2_merkmale() %}

with

sgb2 as (

    select * from {{ ref('stg_sgb2') }}

),

perioden as (

    {{ perioden_mit_stand('sgb2', 'sgb2') }}

),

zu_bauen as (

    select * from perioden
    {{ nur_geaenderte_perioden('perioden') }}

),

zellen as (

    {{ feinstgebiete_der_perioden('zu_bauen') }}

),

lang as (

    {%- for m in merkmale %}
        select
            zellen.periode,
            zellen.gebiet_id,
            zellen.stand_hash,
            '{{ m.merkmal }}' as merkmal,
            '{{ m.definition }}' as definition,
            sgb2.{{ m.merkmal }} as anzahl,
            case
                when sgb2.gebiet_id is null then '.'
                when sgb2.{{ m.merkmal }} is null then coalesce(sgb2.{{ m.merkmal }}_symbol, '.')
                else sgb2.{{ m.merkmal }}_symbol
            end as quell_symbol
        from zellen
        left join sgb2
            on
                zellen.periode = sgb2.periode
                and zellen.gebiet_id = sgb2.gebiet_id
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        periode,
        gebiet_id,
        merkmal,
        definition,
        case
            when quell_symbol in ('*', '.', 'x') then null
            else coalesce(anzahl, 0)
        end::double as wert,
        quell_symbol,
        case
            when quell_symbol = '*' then {{ parameter('ba_stern_untergrenze') }}
            when quell_symbol in ('.', 'x') then null
            else coalesce(anzahl, 0)
        end::double as untergrenze,
        case
            when quell_symbol = '*' then {{ parameter('ba_stern_obergrenze') }}
            when quell_symbol in ('.', 'x') then null
            else coalesce(anzahl, 0)
        end::double as obergrenze,
        stand_hash
    from lang

)

select * from final
