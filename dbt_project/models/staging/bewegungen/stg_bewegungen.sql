with

source as (

    select * from {{ source('raw', 'bewegungen') }}

),

renamed as (

    select
        -- ids
        gebiet_id,
        load_id,

        -- attributes (alter, geschlecht: optional, empty where not broken down)
        art,
        alter,
        geschlecht,

        -- numbers
        jahr,
        anzahl,

        -- dates (yearly figures refer to 31.12)
        make_date(jahr, 12, 31) as periode

    from source

)

select * from renamed
