with

source as (

    select * from {{ source('raw', 'massnahmen_ziele') }}

),

renamed as (

    select
        -- ids
        trim(massnahme_id) as massnahme_id,
        trim(kennzahl) as kennzahl,
        load_id,

        -- numbers
        jahr,
        zielwert,

        -- attributes
        art,
        richtung

    from source

)

select * from renamed
