-- Crosswalk from every finest area of an older layout to today's finest areas, following
-- chains of boundary changes (a split in 2024 of an area created in 2019 ...). The share of
-- a chain is the product of its steps; only changes after the old layout apply.
with recursive

umschluessel as (

    select * from {{ ref('stg_gebiete_umschluessel') }}

),

hierarchie as (

    select * from {{ ref('int_gebiete_hierarchie') }}

),

alte_feinstgebiete as (

    select distinct
        gebietsstand,
        gebiet_id
    from hierarchie
    where stufen_hoch = 0 and not aktueller_gebietsstand

),

heutige_feinstgebiete as (

    select distinct gebiet_id
    from hierarchie
    where stufen_hoch = 0 and aktueller_gebietsstand

),

ketten as (

    select
        gebietsstand,
        gebiet_id as herkunft_gebiet_id,
        gebiet_id,
        1.0::double as anteil,
        gebietsstand as letzter_wechsel,
        0 as schritte
    from alte_feinstgebiete

    union all

    select
        ketten.gebietsstand,
        ketten.herkunft_gebiet_id,
        umschluessel.neu_gebiet_id as gebiet_id,
        ketten.anteil * umschluessel.anteil as anteil,
        umschluessel.wechsel_am as letzter_wechsel,
        ketten.schritte + 1 as schritte
    from ketten
    inner join umschluessel
        on
            ketten.gebiet_id = umschluessel.alt_gebiet_id
            and ketten.letzter_wechsel < umschluessel.wechsel_am
    where ketten.schritte < 20

),

-- a chain ends where no later change leaves its area
enden as (

    select ketten.*
    from ketten
    where not exists (
            select 1
            from umschluessel
            where
                umschluessel.alt_gebiet_id = ketten.gebiet_id
                and umschluessel.wechsel_am > ketten.letzter_wechsel
        )

),

final as (

    select
        enden.gebietsstand,
        enden.herkunft_gebiet_id,
        enden.gebiet_id,
        sum(enden.anteil) as anteil,
        max(enden.schritte) > 0 as umgerechnet
    from enden
    inner join heutige_feinstgebiete on enden.gebiet_id = heutige_feinstgebiete.gebiet_id
    group by enden.gebietsstand, enden.herkunft_gebiet_id, enden.gebiet_id

)

select * from final
