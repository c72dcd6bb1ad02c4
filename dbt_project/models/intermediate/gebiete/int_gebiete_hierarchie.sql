-- For every layout: each finest area with itself and all its ancestors (closure table).
-- Works for any number of levels; the finest level is the highest ebene_rang, where all
-- sources deliver (docs/sources.md).
with recursive

gebiete as (

    select * from {{ ref('stg_gebiete') }}

),

staende as (

    select * from {{ ref('int_gebietsstaende') }}

),

gueltig as (

    select
        staende.gebietsstand,
        gebiete.gebiet_id,
        gebiete.parent_id,
        gebiete.gebiet_name,
        gebiete.ebene,
        gebiete.ebene_rang
    from staende
    inner join gebiete
        on
            staende.gebietsstand >= gebiete.gueltig_ab
            and (gebiete.gueltig_bis is null or staende.gebietsstand <= gebiete.gueltig_bis)

),

feinste_ebene as (

    select max(ebene_rang) as ebene_rang from gebiete

),

pfade as (

    select
        gueltig.gebietsstand,
        gueltig.gebiet_id as feinst_gebiet_id,
        gueltig.gebiet_id,
        gueltig.parent_id,
        gueltig.gebiet_name,
        gueltig.ebene,
        gueltig.ebene_rang,
        0 as stufen_hoch
    from gueltig
    inner join feinste_ebene on gueltig.ebene_rang = feinste_ebene.ebene_rang

    union all

    select
        pfade.gebietsstand,
        pfade.feinst_gebiet_id,
        gueltig.gebiet_id,
        gueltig.parent_id,
        gueltig.gebiet_name,
        gueltig.ebene,
        gueltig.ebene_rang,
        pfade.stufen_hoch + 1 as stufen_hoch
    from pfade
    inner join gueltig
        on
            pfade.gebietsstand = gueltig.gebietsstand
            and pfade.parent_id = gueltig.gebiet_id
    -- guard against a cycle in bad reference data (ingestion rejects those)
    where pfade.stufen_hoch < 50

),

final as (

    select
        pfade.gebietsstand,
        pfade.feinst_gebiet_id,
        pfade.gebiet_id,
        pfade.gebiet_name,
        pfade.ebene,
        pfade.ebene_rang,
        pfade.stufen_hoch,
        staende.ist_aktuell as aktueller_gebietsstand
    from pfade
    inner join staende on pfade.gebietsstand = staende.gebietsstand

)

select * from final
