with

source as (

    select * from {{ source('raw', 'gebiete_umschluessel') }}

),

renamed as (

    select
        -- ids
        alt_gebiet_id,
        neu_gebiet_id,
        load_id,

        -- numbers
        anteil::double as anteil,

        -- dates
        wechsel_am

    from source

)

select * from renamed
