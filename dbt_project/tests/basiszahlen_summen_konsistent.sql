-- A city's exact count equals the sum of its finest areas (no area counted twice or lost);
-- where the city's value is the BA's own total row and some finest areas are withheld, it
-- is at least the sum of their lower bounds.
with

zahlen as (

    select * from {{ ref('basiszahlen') }}

),

feinste_ebene as (

    select max(ebene_rang) as ebene_rang from zahlen

),

stadt as (

    select
        merkmal,
        periode,
        gebietsstand,
        wert
    from zahlen
    where ebene_rang = 0 and quell_symbol is null

),

feinst as (

    select
        zahlen.merkmal,
        zahlen.periode,
        zahlen.gebietsstand,
        sum(zahlen.untergrenze) as summe,
        count(*) filter (
            where zahlen.untergrenze is null or zahlen.untergrenze <> zahlen.obergrenze
        ) = 0 as genau
    from zahlen
    inner join feinste_ebene on zahlen.ebene_rang = feinste_ebene.ebene_rang
    group by zahlen.merkmal, zahlen.periode, zahlen.gebietsstand

)

select
    stadt.merkmal,
    stadt.periode,
    stadt.gebietsstand,
    stadt.wert,
    feinst.summe
from stadt
inner join feinst
    on
        stadt.merkmal = feinst.merkmal
        and stadt.periode = feinst.periode
        and stadt.gebietsstand = feinst.gebietsstand
where
    stadt.wert < feinst.summe - 1e-6
    or (feinst.genau and abs(stadt.wert - feinst.summe) > 1e-6)
