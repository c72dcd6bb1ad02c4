-- A city's exact count equals the sum of its finest areas (no area counted twice or lost).
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
        sum(zahlen.untergrenze) as summe
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
where abs(stadt.wert - feinst.summe) > 1e-6
