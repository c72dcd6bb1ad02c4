-- Goal attainment: every row of ziele.csv with the actual value of its area and year
-- (31.12, else the year's last reference date; the as-delivered layout before a recast
-- one). Uncertain values decide `erreicht` only when both bounds agree.
with

ziele as (

    select * from {{ ref('stg_ziele') }}

),

indikatoren as (

    select * from {{ ref('indikatoren') }}

),

stadt as (

    select gebiet_id
    from {{ ref('int_gebiete_hierarchie') }}
    where aktueller_gebietsstand and ebene_rang = 0
    order by gebiet_id
    limit 1

),

ziele_mit_gebiet as (

    select
        ziele.*,
        row_number() over (
            order by ziele.indikator_id, ziele.gebiet_id, ziele.jahr, ziele.zielwert
        ) as ziel_nr,
        coalesce(ziele.gebiet_id, stadt.gebiet_id) as ziel_gebiet_id
    from ziele
    cross join stadt

),

kandidaten as (

    select
        ziele_mit_gebiet.ziel_nr,
        indikatoren.*
    from ziele_mit_gebiet
    inner join indikatoren
        on
            ziele_mit_gebiet.indikator_id = indikatoren.indikator_id
            and ziele_mit_gebiet.ziel_gebiet_id = indikatoren.gebiet_id
            and ziele_mit_gebiet.jahr = year(indikatoren.periode)
    qualify row_number() over (
            partition by ziele_mit_gebiet.ziel_nr
            order by
                indikatoren.periode desc, indikatoren.umgerechnet asc, indikatoren.gebietsstand asc
        ) = 1

),

final as (

    select
        ziele_mit_gebiet.indikator_id::varchar as indikator_id,
        ziele_mit_gebiet.ziel_gebiet_id::varchar as gebiet_id,
        kandidaten.ebene::varchar as ebene,
        ziele_mit_gebiet.jahr::integer as jahr,
        kandidaten.periode::date as periode,
        kandidaten.wert::double as istwert,
        ziele_mit_gebiet.zielwert::double as zielwert,
        (kandidaten.wert - ziele_mit_gebiet.zielwert)::double as abstand,
        ziele_mit_gebiet.richtung::varchar as richtung,
        (case
            when kandidaten.wert is null then null
            when ziele_mit_gebiet.richtung = 'hoechstens'
                and kandidaten.obergrenze <= ziele_mit_gebiet.zielwert
                then true
            when ziele_mit_gebiet.richtung = 'hoechstens'
                and kandidaten.untergrenze > ziele_mit_gebiet.zielwert
                then false
            when ziele_mit_gebiet.richtung = 'mindestens'
                and kandidaten.untergrenze >= ziele_mit_gebiet.zielwert
                then true
            when ziele_mit_gebiet.richtung = 'mindestens'
                and kandidaten.obergrenze < ziele_mit_gebiet.zielwert
                then false
        end)::boolean as erreicht,
        ziele_mit_gebiet.beschluss::varchar as beschluss,
        kandidaten.symbol::varchar as symbol,
        coalesce(kandidaten.unsicher, false)::boolean as unsicher,
        kandidaten.einheit::varchar as einheit,
        kandidaten.gebietsstand::date as gebietsstand
    from ziele_mit_gebiet
    left join kandidaten on ziele_mit_gebiet.ziel_nr = kandidaten.ziel_nr

)

select * from final
