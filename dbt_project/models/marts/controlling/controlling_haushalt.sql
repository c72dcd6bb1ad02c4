-- Plan and Ist side by side for every delivered budget year, by Bereich, by Produkt and
-- for the whole budget: the three `gliederung`s are kept apart, never summed together.
-- A year without any Ist (a plan year) keeps its plan; Ist, deviation and execution
-- stay empty. A Bereich or Produkt whose Ist is given on only some of its accounts gets
-- no Ist either (a partial sum would read as a full one).
with

aufwand as (

    select * from {{ ref('int_controlling_aufwand') }}

),

bereiche as (

    select * from {{ ref('controlling_bereiche_seed') }}

),

gruppen as (

    select
        haushaltsjahr,
        'bereich' as gliederung,
        bereich as schluessel,
        max(bereich_bezeichnung) as bezeichnung,
        bereich,
        max(bereich_bezeichnung) as bereich_bezeichnung,
        {{ exakte_summe('plan') }} as plan,
        {{ exakte_summe('ist') }} as ist_summe,
        count(ist) as konten_mit_ist,
        count(*) as konten,
        case
            when bool_or(nicht_zugeordnet)
                then 'enthält nicht zugeordnete Produkte: '
                    || string_agg(distinct produkt, ', ' order by produkt)
                    filter (where nicht_zugeordnet)
        end as hinweis_zuordnung
    from aufwand
    group by haushaltsjahr, bereich

    union all

    select
        haushaltsjahr,
        'produkt' as gliederung,
        produkt as schluessel,
        max(produkt_bezeichnung) as bezeichnung,
        max(bereich) as bereich,
        max(bereich_bezeichnung) as bereich_bezeichnung,
        {{ exakte_summe('plan') }} as plan,
        {{ exakte_summe('ist') }} as ist_summe,
        count(ist) as konten_mit_ist,
        count(*) as konten,
        case
            when bool_or(nicht_zugeordnet)
                then 'Produkt nicht in produkte.csv, als sonstiges gezählt'
        end as hinweis_zuordnung
    from aufwand
    group by haushaltsjahr, produkt

    union all

    select
        haushaltsjahr,
        'stadt' as gliederung,
        'gesamt' as schluessel,
        'Gesamthaushalt (Aufwand)' as bezeichnung,
        null as bereich,
        null as bereich_bezeichnung,
        {{ exakte_summe('plan') }} as plan,
        {{ exakte_summe('ist') }} as ist_summe,
        count(ist) as konten_mit_ist,
        count(*) as konten,
        null as hinweis_zuordnung
    from aufwand
    group by haushaltsjahr

),

jahre as (

    select
        haushaltsjahr,
        count(ist) = 0 as planjahr
    from aufwand
    group by haushaltsjahr

),

bewertet as (

    select
        gruppen.*,
        jahre.planjahr,
        case when gruppen.konten_mit_ist = gruppen.konten then gruppen.ist_summe end as ist
    from gruppen
    inner join jahre on gruppen.haushaltsjahr = jahre.haushaltsjahr

),

final as (

    select
        bewertet.haushaltsjahr::integer as haushaltsjahr,
        bewertet.gliederung::varchar as gliederung,
        bewertet.schluessel::varchar as schluessel,
        bewertet.bezeichnung::varchar as bezeichnung,
        bewertet.bereich::varchar as bereich,
        bewertet.bereich_bezeichnung::varchar as bereich_bezeichnung,
        round(bewertet.plan, 2)::double as plan,
        round(bewertet.ist, 2)::double as ist,
        round(bewertet.ist - bewertet.plan, 2)::double as abweichung,
        (case when bewertet.plan <> 0 then bewertet.ist / bewertet.plan * 100 end)::double
            as ausfuehrungsquote,
        bewertet.planjahr::boolean as planjahr,
        nullif(concat_ws(
            '; ',
            case
                when bewertet.planjahr then 'Planjahr: Ist liegt noch nicht vor'
                when bewertet.ist is null
                    then 'Ist nur für ' || bewertet.konten_mit_ist || ' von '
                        || bewertet.konten || ' Konten geliefert'
            end,
            bewertet.hinweis_zuordnung
        ), '')::varchar as hinweis,
        coalesce(bereiche.reihenfolge, 99)::integer as reihenfolge
    from bewertet
    left join bereiche on bewertet.bereich = bereiche.bereich

)

select * from final
