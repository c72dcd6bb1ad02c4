-- All finest-level counts: as delivered (on the layout valid on the reference date) and,
-- for periods of an older layout, recast onto today's finest areas through the crosswalk
-- (shares of the old area's population; bounds scale with the share).
-- The count models: macro zaehlmodelle (macros/basiszahlen.sql).
{%- set zaehlmodelle = zaehlmodelle() %}

with

zaehlungen as (

    {%- for modell in zaehlmodelle %}
        select
            '{{ modell | replace("int_zaehlungen_", "") }}' as quelle,
            periode,
            gebiet_id,
            merkmal,
            definition,
            wert,
            quell_symbol,
            untergrenze,
            obergrenze,
            stand_hash
        from {{ ref(modell) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

staende as (

    select * from {{ ref('int_gebietsstaende') }}

),

umschluessel as (

    select * from {{ ref('int_gebiete_umschluessel') }}

),

heute as (

    select gebietsstand from staende
    where ist_aktuell

),

wie_geliefert as (

    select
        zaehlungen.*,
        staende.gebietsstand,
        staende.ist_aktuell,
        false as umgerechnet
    from zaehlungen
    inner join staende
        on
            zaehlungen.periode >= staende.gebietsstand
            and zaehlungen.periode <= coalesce(staende.gebietsstand_bis, date '9999-12-31')

),

anteile as (

    select
        wie_geliefert.quelle,
        wie_geliefert.merkmal,
        wie_geliefert.definition,
        wie_geliefert.periode,
        umschluessel.gebiet_id,
        wie_geliefert.quell_symbol,
        wie_geliefert.untergrenze * umschluessel.anteil as untergrenze,
        wie_geliefert.obergrenze * umschluessel.anteil as obergrenze,
        umschluessel.umgerechnet,
        wie_geliefert.stand_hash
    from wie_geliefert
    inner join umschluessel
        on
            wie_geliefert.gebietsstand = umschluessel.gebietsstand
            and wie_geliefert.gebiet_id = umschluessel.herkunft_gebiet_id
    where not wie_geliefert.ist_aktuell

),

umgerechnet as (

    select
        anteile.quelle,
        anteile.periode,
        anteile.gebiet_id,
        anteile.merkmal,
        max(anteile.definition) as definition,
        {{ wert_der_summe() }} as wert,
        {{ symbol_der_summe() }} as quell_symbol,
        {{ grenze_der_summe('untergrenze') }} as untergrenze,
        {{ grenze_der_summe('obergrenze') }} as obergrenze,
        md5(string_agg(distinct anteile.stand_hash, ',' order by anteile.stand_hash)) as stand_hash,
        max(staende.gebietsstand) as gebietsstand,
        true as ist_aktuell,
        bool_or(anteile.umgerechnet) as umgerechnet
    from anteile
    cross join heute as staende
    group by anteile.quelle, anteile.periode, anteile.gebiet_id, anteile.merkmal

),

final as (

    select * from wie_geliefert
    union all by name
    select * from umgerechnet

)

select * from final
