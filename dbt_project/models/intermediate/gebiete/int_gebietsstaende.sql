-- Area layouts (Gebietsstände): every date on which an area begins or ends starts a new
-- layout. A period belongs to the layout valid on its reference date; the latest layout
-- is "today's" (the one older periods are recast onto).
with

gebiete as (

    select * from {{ ref('stg_gebiete') }}

),

wechsel as (

    select gueltig_ab as gebietsstand from gebiete
    union
    select gueltig_bis + 1 as gebietsstand from gebiete
    where gueltig_bis is not null

),

staende as (

    select
        gebietsstand,
        lead(gebietsstand) over (order by gebietsstand) - 1 as gebietsstand_bis
    from wechsel

),

final as (

    select
        gebietsstand,
        gebietsstand_bis,
        gebietsstand_bis is null as ist_aktuell
    from staende

)

select * from final
