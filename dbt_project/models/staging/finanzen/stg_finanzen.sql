with

source as (

    select * from {{ source('raw', 'finanzen') }}

),

renamed as (

    select
        -- ids
        trim(produkt) as produkt,
        trim(konto) as konto,
        load_id,

        -- attributes
        produkt_bezeichnung,
        konto_bezeichnung,
        starts_with(trim(konto), '5') as ist_aufwandskonto,

        -- numbers (EUR)
        haushaltsjahr,
        ansatz::double as ansatz,
        ansatz_fortgeschrieben::double as ansatz_fortgeschrieben,
        coalesce(ansatz_fortgeschrieben, ansatz)::double as plan,
        ist::double as ist

    from source

)

select * from renamed
