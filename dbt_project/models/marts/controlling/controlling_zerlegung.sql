-- Why the Ist of a case-carrying Bereich changed on the year before: more (or fewer)
-- cases, or a higher (or lower) cost per case. With F = cases, K = Ist / F:
--   Ist1 - Ist0 = F1*K1 - F0*K0
--     = (F1 - F0) * K0        Mengeneffekt (cases at last year's cost per case)
--     + (K1 - K0) * F0        Preiseffekt  (cost per case on last year's cases)
--     + (F1 - F0) * (K1 - K0) Restglied    (both together)
-- The three add up to the change of Ist exactly. A pair of years in which a case count
-- is missing keeps its Ist figures; cases, costs per case and effects stay empty.
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

ist as (

    select
        haushaltsjahr,
        bereich,
        {{ exakte_summe('ist') }} as ist
    from aufwand
    group by haushaltsjahr, bereich
    having count(ist) = count(*)

),

jahre as (

    select
        bereiche.bereich,
        bereiche.bezeichnung as bereich_bezeichnung,
        bereiche.fall_merkmal,
        bereiche.fall_bezeichnung,
        bereiche.reihenfolge,
        ist.haushaltsjahr,
        ist.ist,
        faelle.faelle,
        faelle.anzahl_stichtage,
        coalesce(faelle.unsicher, false) as unsicher,
        case when faelle.faelle > 0 then ist.ist / faelle.faelle end as kosten_je_fall
    from bereiche
    inner join ist on bereiche.bereich = ist.bereich
    left join faelle
        on
            ist.bereich = faelle.bereich
            and ist.haushaltsjahr = faelle.haushaltsjahr

),

paare as (

    select
        jetzt.bereich,
        jetzt.bereich_bezeichnung,
        jetzt.fall_merkmal,
        jetzt.fall_bezeichnung,
        jetzt.reihenfolge,
        jetzt.haushaltsjahr,
        vorher.ist as ist_vorjahr,
        jetzt.ist,
        vorher.faelle as faelle_vorjahr,
        jetzt.faelle,
        vorher.kosten_je_fall as kosten_je_fall_vorjahr,
        jetzt.kosten_je_fall,
        vorher.anzahl_stichtage as stichtage_vorjahr,
        jetzt.anzahl_stichtage as stichtage,
        jetzt.unsicher or vorher.unsicher as unsicher
    from jahre as jetzt
    inner join jahre as vorher
        on
            jetzt.bereich = vorher.bereich
            and jetzt.haushaltsjahr = vorher.haushaltsjahr + 1

),

final as (

    select
        haushaltsjahr::integer as haushaltsjahr,
        bereich::varchar as bereich,
        bereich_bezeichnung::varchar as bereich_bezeichnung,
        fall_merkmal::varchar as fall_merkmal,
        fall_bezeichnung::varchar as fall_bezeichnung,
        ist_vorjahr::double as ist_vorjahr,
        ist::double as ist,
        round(ist - ist_vorjahr, 2)::double as veraenderung,
        faelle_vorjahr::double as faelle_vorjahr,
        faelle::double as faelle,
        kosten_je_fall_vorjahr::double as kosten_je_fall_vorjahr,
        kosten_je_fall::double as kosten_je_fall,
        ((faelle - faelle_vorjahr) * kosten_je_fall_vorjahr)::double as mengeneffekt,
        ((kosten_je_fall - kosten_je_fall_vorjahr) * faelle_vorjahr)::double as preiseffekt,
        ((faelle - faelle_vorjahr) * (kosten_je_fall - kosten_je_fall_vorjahr))::double
            as restglied,
        stichtage_vorjahr::integer as stichtage_vorjahr,
        stichtage::integer as stichtage,
        coalesce(unsicher, false)::boolean as unsicher,
        (case
            when faelle_vorjahr is null or faelle is null
                then 'keine Fallzahl für '
                    || (case when faelle is null then haushaltsjahr else haushaltsjahr - 1 end)
                    || ': nicht zerlegbar'
            when kosten_je_fall is null or kosten_je_fall_vorjahr is null
                then 'Fallzahl null: nicht zerlegbar'
        end)::varchar as hinweis,
        reihenfolge::integer as reihenfolge
    from paare

)

select * from final
