-- Case counts of the whole city per Bereich and year, the quantity the Bereich's costs
-- are divided by (controlling_bereiche_seed): `jahresmittel` = mean of the year's
-- reference dates with a known value (monthly BA tables, SGB XII snapshots), `jahr` = the
-- cases of the yearly delivery (SGB VIII). City totals are whole numbers on every layout;
-- recast periods are rounded back to them. Inhabitants: the city on the latest population
-- date of the year.
with

zahlen as (

    select * from {{ ref('basiszahlen') }}

),

bereiche as (

    select * from {{ ref('controlling_bereiche_seed') }}
    where fall_merkmal is not null

),

stadt as (

    select
        merkmal,
        periode,
        round(wert) as wert,
        coalesce(unsicher, false) as unsicher
    from zahlen
    where ebene_rang = 0 and aktueller_gebietsstand and wert is not null

),

faelle as (

    select
        bereiche.bereich,
        bereiche.fall_merkmal,
        bereiche.fall_regel,
        year(stadt.periode)::integer as haushaltsjahr,
        avg(stadt.wert) as faelle,
        count(*) as anzahl_stichtage,
        min(stadt.periode) as erster_stichtag,
        max(stadt.periode) as letzter_stichtag,
        bool_or(stadt.unsicher) as unsicher
    from bereiche
    inner join stadt on bereiche.fall_merkmal = stadt.merkmal
    group by all

),

einwohner as (

    select
        year(periode)::integer as haushaltsjahr,
        arg_max(wert, periode) as einwohner,
        max(periode) as einwohner_stichtag
    from stadt
    where merkmal = 'ew'
    group by all

),

final as (

    select
        faelle.*,
        einwohner.einwohner,
        einwohner.einwohner_stichtag
    from faelle
    left join einwohner on faelle.haushaltsjahr = einwohner.haushaltsjahr

)

select * from final
