with

source as (

    select * from {{ source('raw', 'gebiete') }}

),

renamed as (

    select
        -- ids
        gebiet_id,
        nullif(trim(parent_id), '') as parent_id,
        load_id,

        -- attributes
        name as gebiet_name,
        ebene,
        ebene_rang,

        -- validity (an open start means "always"; ingestion leaves it empty rarely)
        coalesce(gueltig_ab, date '1900-01-01') as gueltig_ab,
        gueltig_bis

    from source

)

select * from renamed
