with

source as (

    select * from {{ source('raw', 'ziele') }}

),

renamed as (

    select
        -- ids (an empty gebiet_id means the whole city)
        indikator_id,
        nullif(trim(gebiet_id), '') as gebiet_id,
        load_id,

        -- numbers
        jahr,
        zielwert,

        -- attributes
        richtung,
        beschluss

    from source

)

select * from renamed
