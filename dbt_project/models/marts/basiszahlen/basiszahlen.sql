-- Every numerator and denominator count on every level, summed up the area hierarchy
-- (closure table, any number of levels). Incremental on periode: only periods whose inputs
-- changed are rebuilt (delete+insert).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='append_new_columns'
) }}

{#- The periods to build (new, or their fingerprint changed). An incremental run asks for
    them first and filters the finest counts by their dates as literals: DuckDB then
    pushes the filter through the finest view and its recast down to the count tables,
    where a join with zu_bauen made it compute the whole view for every period (berlin:
    3 s with nothing to build). -#}
{%- set zu_bauen_liste = none %}
{%- if execute and is_incremental() %}
    {%- set zu_bauen_liste = run_query(
        'with ' ~ basiszahlen_perioden() ~ ' select periode::varchar from zu_bauen order by 1'
    ).columns[0].values() %}
{%- endif %}

with

feinst as (

    select * from {{ ref('int_basiszahlen_feinst') }}
    {%- if zu_bauen_liste is not none %}
        where
            {%- if zu_bauen_liste | length == 0 %} false
            {%- else %} periode in (
                {%- for p in zu_bauen_liste %}date '{{ p }}'{{ ", " if not loop.last }}{% endfor -%}
            )
            {%- endif %}
    {%- endif %}

),

hierarchie as (

    select * from {{ ref('int_gebiete_hierarchie') }}

),

{{ basiszahlen_perioden() }},

summen as (

    select
        feinst.quelle,
        feinst.merkmal,
        hierarchie.gebiet_id,
        hierarchie.ebene,
        hierarchie.ebene_rang,
        feinst.periode,
        feinst.gebietsstand,
        {{ wert_der_summe('feinst.quell_symbol', 'feinst.untergrenze') }} as wert,
        {{ symbol_der_summe('feinst.quell_symbol') }} as quell_symbol,
        {{ grenze_der_summe('feinst.untergrenze', 'feinst.quell_symbol') }} as untergrenze,
        {{ grenze_der_summe('feinst.obergrenze', 'feinst.quell_symbol') }} as obergrenze,
        bool_or(feinst.umgerechnet) as umgerechnet,
        bool_or(feinst.ist_aktuell) as aktueller_gebietsstand,
        count(*) as anzahl_feinstgebiete,
        max(feinst.definition) as definition,
        max(zu_bauen.stand_hash) as stand_hash
    from feinst
    inner join zu_bauen on feinst.periode = zu_bauen.periode
    inner join hierarchie
        on
            feinst.gebietsstand = hierarchie.gebietsstand
            and feinst.gebiet_id = hierarchie.feinst_gebiet_id
    group by
        feinst.quelle,
        feinst.merkmal,
        hierarchie.gebiet_id,
        hierarchie.ebene,
        hierarchie.ebene_rang,
        feinst.periode,
        feinst.gebietsstand

),

summenzeilen as (

    select * from {{ ref('int_sgb2_summenzeilen') }}

),

umschluessel as (

    select * from {{ ref('int_gebiete_umschluessel') }}

),

-- the layout each period was delivered on (its recast rows carry today's)
geliefert as (

    select
        periode,
        min(gebietsstand) as gebietsstand
    from feinst
    group by periode

),

-- coarser areas whose boundary a recast crosses: a share of the crosswalk leaves the area
-- or enters it. A delivered total row of any other area holds for its recast sum too.
grenze_verschoben as (

    select distinct
        umschluessel.gebietsstand,
        alt.gebiet_id
    from umschluessel
    inner join hierarchie as alt
        on
            umschluessel.gebietsstand = alt.gebietsstand
            and umschluessel.herkunft_gebiet_id = alt.feinst_gebiet_id
    where not exists (
            select 1
            from hierarchie as neu
            where
                neu.gebietsstand = (select max(h.gebietsstand) from hierarchie as h)
                and neu.feinst_gebiet_id = umschluessel.gebiet_id
                and neu.gebiet_id = alt.gebiet_id
        )

    union

    select distinct
        umschluessel.gebietsstand,
        neu.gebiet_id
    from umschluessel
    inner join hierarchie as neu
        on
            umschluessel.gebiet_id = neu.feinst_gebiet_id
            and neu.gebietsstand = (select max(h.gebietsstand) from hierarchie as h)
    where not exists (
            select 1
            from hierarchie as alt
            where
                alt.gebietsstand = umschluessel.gebietsstand
                and alt.feinst_gebiet_id = umschluessel.herkunft_gebiet_id
                and alt.gebiet_id = neu.gebiet_id
        )

),

-- a sum only known within bounds becomes exact where the delivery carries the coarser
-- area's own value (the BA's total row): on the layout it was delivered on, and recast
-- onto today's areas where the recast leaves that area's boundary as it is
genau as (

    select
        summen.* replace (
            coalesce(summenzeilen.wert, summen.wert) as wert,
            case
                when summenzeilen.wert is not null then null
                else summen.quell_symbol
            end as quell_symbol,
            coalesce(summenzeilen.wert, summen.untergrenze) as untergrenze,
            coalesce(summenzeilen.wert, summen.obergrenze) as obergrenze
        )
    from summen
    inner join geliefert on summen.periode = geliefert.periode
    left join grenze_verschoben
        on
            summen.umgerechnet
            and geliefert.gebietsstand = grenze_verschoben.gebietsstand
            and summen.gebiet_id = grenze_verschoben.gebiet_id
    left join summenzeilen
        on
            summen.quelle = 'sgb2'
            and grenze_verschoben.gebiet_id is null
            and summen.merkmal = summenzeilen.merkmal
            and summen.gebiet_id = summenzeilen.gebiet_id
            and summen.periode = summenzeilen.periode
            -- only a total the parts' bounds allow: one above them shows that a `*` below
            -- hides more than 2 (secondary suppression at the source), so the bounds of
            -- the sum and of every rate over it would be wrong beside the exact total
            and summenzeilen.wert between summen.untergrenze and summen.obergrenze

),

final as (

    select
        merkmal::varchar as merkmal,
        gebiet_id::varchar as gebiet_id,
        ebene::varchar as ebene,
        ebene_rang::integer as ebene_rang,
        periode::date as periode,
        wert::double as wert,
        quell_symbol::varchar as quell_symbol,
        untergrenze::double as untergrenze,
        obergrenze::double as obergrenze,
        coalesce(quell_symbol in ('*', '/'), false)::boolean as unsicher,
        gebietsstand::date as gebietsstand,
        umgerechnet::boolean as umgerechnet,
        aktueller_gebietsstand::boolean as aktueller_gebietsstand,
        anzahl_feinstgebiete::bigint as anzahl_feinstgebiete,
        definition::varchar as definition,
        stand_hash::varchar as stand_hash,
        quelle::varchar as quelle
    from genau

)

select * from final
