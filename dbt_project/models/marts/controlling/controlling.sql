-- Controlling: plan/actual by product, bereich and city, costs per case, and the
-- reconciliation of case costs with the budget. Budget figures use expense accounts
-- (5xxxxx) only; plan = ansatz_fortgeschrieben where given, else ansatz. Products missing
-- from produkte.csv count as `sonstiges` and are named in `hinweis`.
with

finanzen as (

    select * from {{ ref('stg_finanzen') }}

),

produkte as (

    select * from {{ ref('stg_produkte') }}

),

zahlen as (

    select * from {{ ref('basiszahlen') }}

),

sgb8 as (

    select * from {{ ref('stg_sgb8') }}

),

indikatoren as (

    select * from {{ ref('indikatoren') }}

),

aufwand as (

    select
        finanzen.haushaltsjahr,
        finanzen.produkt,
        finanzen.produkt_bezeichnung,
        finanzen.plan,
        finanzen.ist,
        coalesce(produkte.bereich, 'sonstiges') as bereich,
        produkte.produkt is null as nicht_zugeordnet
    from finanzen
    left join produkte on finanzen.produkt = produkte.produkt
    -- a plan year (Ist not yet delivered) has no ratios: controlling_haushalt shows its plan
    where finanzen.ist_aufwandskonto and finanzen.ist is not null

),

budget as (

    select
        haushaltsjahr,
        'produkt' as schluessel_art,
        produkt as schluessel,
        max(produkt_bezeichnung) as bezeichnung,
        {{ exakte_summe('ist') }} as ist,
        {{ exakte_summe('plan') }} as plan,
        case
            when bool_or(nicht_zugeordnet)
                then 'Produkt nicht in produkte.csv, als sonstiges gezählt'
        end as hinweis
    from aufwand
    group by haushaltsjahr, produkt

    union all

    select
        haushaltsjahr,
        'bereich' as schluessel_art,
        bereich as schluessel,
        bereich as bezeichnung,
        {{ exakte_summe('ist') }} as ist,
        {{ exakte_summe('plan') }} as plan,
        case
            when bool_or(nicht_zugeordnet)
                then 'enthält nicht zugeordnete Produkte: '
                    || string_agg(distinct produkt, ', ' order by produkt)
                    filter (where nicht_zugeordnet)
        end as hinweis
    from aufwand
    group by haushaltsjahr, bereich

    union all

    select
        haushaltsjahr,
        'stadt' as schluessel_art,
        'gesamt' as schluessel,
        'Gesamthaushalt (Aufwand)' as bezeichnung,
        {{ exakte_summe('ist') }} as ist,
        {{ exakte_summe('plan') }} as plan,
        null as hinweis
    from aufwand
    group by haushaltsjahr

),

budget_kennzahlen as (

    select
        haushaltsjahr,
        'budget_ausschoepfung' as kennzahl,
        schluessel_art,
        schluessel,
        bezeichnung,
        null as ebene,
        ist as zaehler,
        plan as nenner,
        case when plan <> 0 then ist / plan * 100 end as wert,
        '%' as einheit,
        case when plan = 0 then 'x' end as symbol,
        false as unsicher,
        hinweis
    from budget

    union all

    select
        haushaltsjahr,
        'budget_abweichung' as kennzahl,
        schluessel_art,
        schluessel,
        bezeichnung,
        null as ebene,
        ist as zaehler,
        plan as nenner,
        ist - plan as wert,
        'EUR' as einheit,
        null as symbol,
        false as unsicher,
        hinweis
    from budget

),

bereich_ist as (

    select
        haushaltsjahr,
        bereich,
        {{ exakte_summe('ist') }} as ist
    from aufwand
    group by haushaltsjahr, bereich

),

-- city totals over the year's reference dates (today's layout; the city sum is the same
-- on every layout)
stadt_mittel as (

    select
        year(periode) as haushaltsjahr,
        merkmal,
        avg(wert) as mittelwert,
        bool_or(unsicher) as unsicher,
        count(*) as anzahl_stichtage
    from zahlen
    where
        ebene_rang = 0
        and aktueller_gebietsstand
        and merkmal in ('bg', 'grusi_empfaenger')
    group by year(periode), merkmal

),

je_fall as (

    select
        bereich_ist.haushaltsjahr,
        case bereich_ist.bereich
            when 'sgb2_kdu' then 'kdu_je_bg'
            when 'sgb12_grusi' then 'grusi_kosten_je_empfaenger'
        end as kennzahl,
        'stadt' as schluessel_art,
        'gesamt' as schluessel,
        bereich_ist.bereich as bezeichnung,
        null as ebene,
        bereich_ist.ist as zaehler,
        stadt_mittel.mittelwert as nenner,
        case
            when stadt_mittel.mittelwert > 0 then bereich_ist.ist / stadt_mittel.mittelwert
        end as wert,
        'EUR' as einheit,
        case
            when stadt_mittel.mittelwert is null then '.'
            when stadt_mittel.mittelwert = 0 then 'x'
            when stadt_mittel.unsicher then '/'
        end as symbol,
        coalesce(stadt_mittel.unsicher, false) as unsicher,
        'Mittel über ' || coalesce(stadt_mittel.anzahl_stichtage, 0) || ' Stichtage' as hinweis
    from bereich_ist
    left join stadt_mittel
        on
            bereich_ist.haushaltsjahr = stadt_mittel.haushaltsjahr
            and stadt_mittel.merkmal = case bereich_ist.bereich
                when 'sgb2_kdu' then 'bg'
                when 'sgb12_grusi' then 'grusi_empfaenger'
            end
    where bereich_ist.bereich in ('sgb2_kdu', 'sgb12_grusi')

),

hze_je_fall as (

    select
        year(periode) as haushaltsjahr,
        'hze_kosten_je_fall' as kennzahl,
        'gebiet' as schluessel_art,
        gebiet_id as schluessel,
        gebiet_id as bezeichnung,
        ebene,
        zaehler,
        nenner,
        wert,
        einheit,
        symbol,
        unsicher,
        null as hinweis
    from indikatoren
    where indikator_id = 'hze_kosten_je_fall' and aktueller_gebietsstand

),

fallkosten as (

    select
        jahr as haushaltsjahr,
        {{ exakte_summe('kosten_jahr') }} as kosten
    from sgb8
    group by jahr

),

haushalt_jugend as (

    select
        haushaltsjahr,
        {{ exakte_summe('ist') }} as ist
    from bereich_ist
    where bereich in ('sgb8_hze', 'sgb8_inobhut')
    group by haushaltsjahr

),

abgleich as (

    select
        coalesce(fallkosten.haushaltsjahr, haushalt_jugend.haushaltsjahr) as haushaltsjahr,
        'hze_kosten_abgleich' as kennzahl,
        'stadt' as schluessel_art,
        'gesamt' as schluessel,
        'Fallkosten SGB VIII minus Ist sgb8_hze und sgb8_inobhut' as bezeichnung,
        null as ebene,
        fallkosten.kosten as zaehler,
        haushalt_jugend.ist as nenner,
        coalesce(fallkosten.kosten, 0) - coalesce(haushalt_jugend.ist, 0) as wert,
        'EUR' as einheit,
        null as symbol,
        false as unsicher,
        case
            when fallkosten.kosten is null then 'keine SGB VIII-Lieferung für das Jahr'
            when haushalt_jugend.ist is null then 'keine Haushaltsdaten für das Jahr'
        end as hinweis
    from fallkosten
    full outer join haushalt_jugend on fallkosten.haushaltsjahr = haushalt_jugend.haushaltsjahr

),

vereint as (

    select * from budget_kennzahlen
    union all by name
    select * from je_fall
    union all by name
    select * from hze_je_fall
    union all by name
    select * from abgleich

),

final as (

    select
        haushaltsjahr::integer as haushaltsjahr,
        kennzahl::varchar as kennzahl,
        schluessel_art::varchar as schluessel_art,
        schluessel::varchar as schluessel,
        bezeichnung::varchar as bezeichnung,
        ebene::varchar as ebene,
        zaehler::double as zaehler,
        nenner::double as nenner,
        wert::double as wert,
        einheit::varchar as einheit,
        symbol::varchar as symbol,
        unsicher::boolean as unsicher,
        hinweis::varchar as hinweis
    from vereint

)

select * from final
