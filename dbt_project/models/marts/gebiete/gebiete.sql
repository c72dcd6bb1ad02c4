-- The area dimension: every area with its hierarchy path and validity, today's layout
-- flagged, and the GeoJSON geometry where delivered (finest areas, or extra features).
with recursive

gebiete as (

    select * from {{ ref('stg_gebiete') }}

),

geometrie as (

    select * from {{ ref('stg_gebiete_geometrie') }}

),

feinste_ebene as (

    select max(ebene_rang) as ebene_rang from gebiete

),

-- path from the city down; the parent is the one valid on the child's first day
pfade as (

    select
        gebiet_id,
        gueltig_ab,
        gebiet_id as pfad,
        0 as tiefe
    from gebiete
    where parent_id is null

    union all

    select
        kind.gebiet_id,
        kind.gueltig_ab,
        pfade.pfad || '/' || kind.gebiet_id as pfad,
        pfade.tiefe + 1 as tiefe
    from pfade
    inner join gebiete as eltern
        on
            pfade.gebiet_id = eltern.gebiet_id
            and pfade.gueltig_ab = eltern.gueltig_ab
    inner join gebiete as kind
        on
            eltern.gebiet_id = kind.parent_id
            and eltern.gueltig_ab <= kind.gueltig_ab
            and (eltern.gueltig_bis is null or eltern.gueltig_bis >= kind.gueltig_ab)
    where pfade.tiefe < 50

),

final as (

    select
        gebiete.gebiet_id::varchar as gebiet_id,
        gebiete.gebiet_name::varchar as name,  -- noqa: RF04
        gebiete.ebene::varchar as ebene,
        gebiete.ebene_rang::integer as ebene_rang,
        gebiete.parent_id::varchar as parent_id,
        pfade.pfad::varchar as pfad,
        gebiete.gueltig_ab::date as gueltig_ab,
        gebiete.gueltig_bis::date as gueltig_bis,
        (gebiete.gueltig_bis is null)::boolean as ist_aktuell,
        (gebiete.ebene_rang = feinste_ebene.ebene_rang)::boolean as ist_feinste_ebene,
        geometrie.geometrie_geojson::varchar as geometrie_geojson
    from gebiete
    cross join feinste_ebene
    left join pfade
        on
            gebiete.gebiet_id = pfade.gebiet_id
            and gebiete.gueltig_ab = pfade.gueltig_ab
    left join geometrie on gebiete.gebiet_id = geometrie.gebiet_id

)

select * from final
