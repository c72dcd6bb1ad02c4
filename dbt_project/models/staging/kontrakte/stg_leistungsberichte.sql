with

source as (

    select * from {{ source('raw', 'leistungsberichte') }}

),

renamed as (

    select
        -- ids
        trim(massnahme_id) as massnahme_id,
        trim(kennzahl) as kennzahl,
        load_id,

        -- numbers
        jahr,
        istwert,
        ist_eur::double as ist_eur

    from source

)

select * from renamed
