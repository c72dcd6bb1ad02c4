-- Kontrakte: per measure, year and output target (art = leistung) the agreed Soll and the
-- reported Ist, the agreed budget (Plan) and the reported spending (Ist), execution and
-- cost per output unit, and the status against the contract. A measure-year with a budget
-- but no output target is one row with kennzahl null. Rule of `status`:
--   offen     no report row for the measure, year and kennzahl, or its istwert is empty
--   erfuellt  richtung mindestens and istwert >= zielwert, or hoechstens and istwert <= zielwert
--   verfehlt  otherwise
-- Budget columns belong to the measure-year: repeated on each of its kennzahl rows, never
-- to be summed over them.
with

massnahmen as (

    select * from {{ ref('stg_massnahmen') }}

),

ziele as (

    select * from {{ ref('stg_massnahmen_ziele') }}
    where art = 'leistung'

),

budget as (

    select * from {{ ref('stg_massnahmen_budget') }}

),

berichte as (

    select * from {{ ref('stg_leistungsberichte') }}

),

-- one spending figure per measure and year (the contract allows it on several rows)
ausgaben as (

    select
        massnahme_id,
        jahr,
        max(ist_eur) as ist_eur,
        true as bericht_vorhanden
    from berichte
    group by massnahme_id, jahr

),

jahre as (

    select
        massnahme_id,
        jahr
    from ziele
    union
    select
        massnahme_id,
        jahr
    from budget

),

zeilen as (

    select
        jahre.massnahme_id,
        jahre.jahr,
        ziele.kennzahl,
        ziele.zielwert,
        ziele.richtung
    from jahre
    left join ziele
        on jahre.massnahme_id = ziele.massnahme_id and jahre.jahr = ziele.jahr

),

verbunden as (

    select
        zeilen.massnahme_id,
        massnahmen.titel,
        massnahmen.traeger,
        massnahmen.produkt,
        replace(array_to_string(massnahmen.gebiete, ','), ' ', '') as gebiete,
        zeilen.jahr,
        zeilen.kennzahl,
        zeilen.richtung,
        zeilen.zielwert as soll,
        berichte.istwert as ist,
        budget.plan_eur,
        ausgaben.ist_eur,
        coalesce(ausgaben.bericht_vorhanden, false) as bericht_vorhanden,
        berichte.massnahme_id is not null as kennzahl_berichtet
    from zeilen
    inner join massnahmen on zeilen.massnahme_id = massnahmen.massnahme_id
    left join budget
        on zeilen.massnahme_id = budget.massnahme_id and zeilen.jahr = budget.jahr
    left join ausgaben
        on zeilen.massnahme_id = ausgaben.massnahme_id and zeilen.jahr = ausgaben.jahr
    left join berichte
        on
            zeilen.massnahme_id = berichte.massnahme_id
            and zeilen.jahr = berichte.jahr
            and zeilen.kennzahl = berichte.kennzahl

),

bewertet as (

    select
        massnahme_id,
        titel,
        traeger,
        produkt,
        gebiete,
        jahr,
        kennzahl,
        richtung,
        soll,
        ist,
        case when soll <> 0 then round(ist / soll * 100, 4) end as zielerreichung,
        plan_eur,
        ist_eur,
        round(ist_eur - plan_eur, 2) as abweichung_eur,
        case when plan_eur <> 0 then round(ist_eur / plan_eur * 100, 4) end
            as ausfuehrungsquote,
        case when ist > 0 then round(ist_eur / ist, 2) end as kosten_je_einheit,
        case
            when kennzahl is null then 'ohne_leistungsziel'
            when ist is null then 'offen'
            when richtung = 'mindestens' and ist >= soll then 'erfuellt'
            when richtung = 'hoechstens' and ist <= soll then 'erfuellt'
            else 'verfehlt'
        end as status,
        case
            when kennzahl is null then 'kein Leistungsziel für dieses Jahr vereinbart'
            when not bericht_vorhanden then 'kein Leistungsbericht für dieses Jahr'
            when not kennzahl_berichtet then 'Kennzahl fehlt im Leistungsbericht'
            when ist is null then 'Istwert im Leistungsbericht nicht angegeben'
            when richtung = 'mindestens' and ist >= soll then 'Ist erreicht mindestens das Soll'
            when richtung = 'hoechstens' and ist <= soll then 'Ist bleibt höchstens beim Soll'
            when richtung = 'mindestens' then 'Ist bleibt unter dem Soll'
            else 'Ist liegt über dem Soll'
        end as status_grund
    from verbunden

)

select * from bewertet
