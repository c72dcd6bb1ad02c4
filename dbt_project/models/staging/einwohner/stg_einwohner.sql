with

source as (

    select * from {{ source('raw', 'einwohner') }}

),

renamed as (

    select
        -- ids
        gebiet_id,
        load_id,

        -- attributes
        geschlecht,
        staatsangehoerigkeit,

        -- numbers
        alter,
        anzahl,

        -- dates
        stichtag as periode

    from source

)

select * from renamed
