-- Expense accounts (5xxxxx) of the budget by year and product, with the product's
-- Bereich and the Bereich's name. plan = ansatz_fortgeschrieben where given, else ansatz;
-- ist stays empty in a plan year (no result yet). Products missing from produkte.csv
-- count as `sonstiges`.
with

finanzen as (

    select * from {{ ref('stg_finanzen') }}

),

produkte as (

    select * from {{ ref('stg_produkte') }}

),

bereiche as (

    select * from {{ ref('controlling_bereiche_seed') }}

),

final as (

    select
        finanzen.haushaltsjahr::integer as haushaltsjahr,
        finanzen.produkt,
        finanzen.produkt_bezeichnung,
        finanzen.konto,
        coalesce(produkte.bereich, 'sonstiges') as bereich,
        coalesce(bereiche.bezeichnung, produkte.bereich, 'sonstiges') as bereich_bezeichnung,
        produkte.produkt is null as nicht_zugeordnet,
        finanzen.plan,
        finanzen.ist
    from finanzen
    left join produkte on finanzen.produkt = produkte.produkt
    left join bereiche on coalesce(produkte.bereich, 'sonstiges') = bereiche.bereich
    where finanzen.ist_aufwandskonto

)

select * from final
