with

source as (

    select * from {{ source('raw', 'massnahmen') }}

),

renamed as (

    select
        -- ids
        trim(massnahme_id) as massnahme_id,
        trim(produkt) as produkt,
        load_id,

        -- attributes
        titel,
        traeger,
        string_split(gebiete, ',') as gebiete,

        -- dates
        beginn,
        ende

    from source

)

select * from renamed
