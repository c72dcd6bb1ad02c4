-- BA SGB II counts per finest area and month, with the BA symbols kept:
-- `*` -> no value, bounds [ba_stern_untergrenze, ba_stern_obergrenze]; `-` -> 0;
-- `.`/`x` -> no value, no bounds. An area missing from the BA table counts as `.`.
-- Below a delivered total row (the BA's row for the municipality or a district) a `*` may
-- be a secondary suppression at the source and hide more than ba_stern_obergrenze: its
-- upper bound is then what the total leaves, total - known parts - the other stars' lower
-- bounds (the tightest over every total above it), not ba_stern_obergrenze.
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

-- every finest area under each delivered total, on the layout valid on the period's date
unter_summenzeile as (

    select
        summenzeilen.periode,
        summenzeilen.merkmal,
        summenzeilen.gebiet_id as summe_gebiet_id,
        summenzeilen.wert as summe,
        hierarchie.feinst_gebiet_id as gebiet_id
    from {{ ref('int_sgb2_summenzeilen') }} as summenzeilen
    inner join zu_bauen on summenzeilen.periode = zu_bauen.periode
    inner join {{ ref('int_gebietsstaende') }} as staende
        on
            summenzeilen.periode >= staende.gebietsstand
            and summenzeilen.periode <= coalesce(staende.gebietsstand_bis, date '9999-12-31')
    inner join {{ ref('int_gebiete_hierarchie') }} as hierarchie
        on
            staende.gebietsstand = hierarchie.gebietsstand
            and summenzeilen.gebiet_id = hierarchie.gebiet_id
            and hierarchie.stufen_hoch > 0

),

-- what each total leaves for one of its stars
spielraum as (

    select
        unter_summenzeile.periode,
        unter_summenzeile.merkmal,
        unter_summenzeile.summe_gebiet_id,
        max(unter_summenzeile.summe)
        - sum(case when lang.quell_symbol is null then coalesce(lang.anzahl, 0) else 0 end)
        - (count(*) filter (where lang.quell_symbol = '*') - 1)
        * {{ parameter('ba_stern_untergrenze') }} as stern_obergrenze
    from unter_summenzeile
    inner join lang
        on
            unter_summenzeile.periode = lang.periode
            and unter_summenzeile.merkmal = lang.merkmal
            and unter_summenzeile.gebiet_id = lang.gebiet_id
    group by
        unter_summenzeile.periode,
        unter_summenzeile.merkmal,
        unter_summenzeile.summe_gebiet_id

),

stern_grenzen as (

    select
        unter_summenzeile.periode,
        unter_summenzeile.merkmal,
        unter_summenzeile.gebiet_id,
        min(spielraum.stern_obergrenze) as stern_obergrenze
    from unter_summenzeile
    inner join spielraum
        on
            unter_summenzeile.periode = spielraum.periode
            and unter_summenzeile.merkmal = spielraum.merkmal
            and unter_summenzeile.summe_gebiet_id = spielraum.summe_gebiet_id
    group by
        unter_summenzeile.periode,
        unter_summenzeile.merkmal,
        unter_summenzeile.gebiet_id

),

final as (

    select
        lang.periode,
        lang.gebiet_id,
        lang.merkmal,
        lang.definition,
        case
            when lang.quell_symbol in ('*', '.', 'x') then null
            else coalesce(lang.anzahl, 0)
        end::double as wert,
        lang.quell_symbol,
        case
            when lang.quell_symbol = '*' then {{ parameter('ba_stern_untergrenze') }}
            when lang.quell_symbol in ('.', 'x') then null
            else coalesce(lang.anzahl, 0)
        end::double as untergrenze,
        case
            when lang.quell_symbol = '*'
                then coalesce(
                        stern_grenzen.stern_obergrenze, {{ parameter('ba_stern_obergrenze') }}
                    )
            when lang.quell_symbol in ('.', 'x') then null
            else coalesce(lang.anzahl, 0)
        end::double as obergrenze,
        lang.stand_hash
    from lang
    left join stern_grenzen
        on
            lang.periode = stern_grenzen.periode
            and lang.merkmal = stern_grenzen.merkmal
            and lang.gebiet_id = stern_grenzen.gebiet_id

)

select * from final
