with

source as (

    select * from {{ source('raw', 'gebiete_geometrie') }}

),

renamed as (

    select
        gebiet_id,
        load_id,
        geometrie_json as geometrie_geojson

    from source

)

select * from renamed
