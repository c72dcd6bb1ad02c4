with

source as (

    select * from {{ source('raw', 'sgb12') }}

),

renamed as (

    select
        -- ids (pseudonyms only)
        fall_pseudonym,
        person_pseudonym,
        gebiet_id,
        load_id,

        -- attributes
        leistungsart,
        geschlecht,
        staatsangehoerigkeit,
        einrichtung = 'J' as in_einrichtung,

        -- numbers
        alter,
        bruttobedarf_monat::double as bruttobedarf_monat,

        -- dates
        stichtag as periode

    from source

)

select * from renamed
