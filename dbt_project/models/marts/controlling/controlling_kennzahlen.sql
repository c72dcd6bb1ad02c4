-- Kennzahlenbericht: per budget year and product of a case-carrying Bereich the cases
-- of its Bereich (int_controlling_faelle), its Ist, the cost per case, the density of
-- cases per 1,000 inhabitants of the city and the change of cases and cost per case on
-- the year before (in %). Several products of one Bereich share its cases.
with

aufwand as (

    select * from {{ ref('int_controlling_aufwand') }}

),

faelle as (

    select * from {{ ref('int_controlling_faelle') }}

),

bereiche as (

    select * from {{ ref('controlling_bereiche_seed') }}
    where fall_merkmal is not null

),

produkte as (

    select
        haushaltsjahr,
        produkt,
        max(produkt_bezeichnung) as bezeichnung,
        max(bereich) as bereich,
        case when count(ist) = count(*) then {{ exakte_summe('ist') }} end as ist
    from aufwand
    group by haushaltsjahr, produkt

),

jahre as (

    select
        produkte.haushaltsjahr,
        produkte.produkt,
        produkte.bezeichnung,
        bereiche.bereich,
        bereiche.bezeichnung as bereich_bezeichnung,
        bereiche.fall_merkmal,
        bereiche.fall_bezeichnung,
        bereiche.reihenfolge,
        faelle.faelle,
        faelle.anzahl_stichtage,
        coalesce(faelle.unsicher, false) as unsicher,
        produkte.ist,
        case when faelle.faelle > 0 then produkte.ist / faelle.faelle end as kosten_je_fall,
        faelle.einwohner,
        faelle.einwohner_stichtag,
        case
            when faelle.einwohner > 0 then faelle.faelle / faelle.einwohner * 1000
        end as faelle_je_1000_ew
    from produkte
    inner join bereiche on produkte.bereich = bereiche.bereich
    left join faelle
        on
            produkte.bereich = faelle.bereich
            and produkte.haushaltsjahr = faelle.haushaltsjahr
    where produkte.ist is not null

),

final as (

    select
        jetzt.haushaltsjahr::integer as haushaltsjahr,
        jetzt.produkt::varchar as produkt,
        jetzt.bezeichnung::varchar as bezeichnung,
        jetzt.bereich::varchar as bereich,
        jetzt.bereich_bezeichnung::varchar as bereich_bezeichnung,
        jetzt.fall_merkmal::varchar as fall_merkmal,
        jetzt.fall_bezeichnung::varchar as fall_bezeichnung,
        jetzt.faelle::double as faelle,
        jetzt.ist::double as ist,
        jetzt.kosten_je_fall::double as kosten_je_fall,
        jetzt.einwohner::double as einwohner,
        jetzt.faelle_je_1000_ew::double as faelle_je_1000_ew,
        vorher.faelle::double as faelle_vorjahr,
        vorher.kosten_je_fall::double as kosten_je_fall_vorjahr,
        (case
            when vorher.faelle > 0 then (jetzt.faelle / vorher.faelle - 1) * 100
        end)::double as faelle_veraenderung_prozent,
        (case
            when vorher.kosten_je_fall > 0
                then (jetzt.kosten_je_fall / vorher.kosten_je_fall - 1) * 100
        end)::double as kosten_je_fall_veraenderung_prozent,
        jetzt.anzahl_stichtage::integer as stichtage,
        (jetzt.unsicher or coalesce(vorher.unsicher, false))::boolean as unsicher,
        (case
            when jetzt.faelle is null then 'keine Fallzahl für das Jahr'
            when vorher.haushaltsjahr is null then 'kein Vorjahr geliefert'
            when vorher.faelle is null then 'keine Fallzahl für das Vorjahr'
        end)::varchar as hinweis,
        jetzt.reihenfolge::integer as reihenfolge
    from jahre as jetzt
    left join jahre as vorher
        on
            jetzt.produkt = vorher.produkt
            and jetzt.haushaltsjahr = vorher.haushaltsjahr + 1

)

select * from final
