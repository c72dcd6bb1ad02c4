with

source as (

    select * from {{ source('raw', 'einrichtungen') }}

),

renamed as (

    select
        -- ids
        einrichtung_id,
        gebiet_id,
        load_id,

        -- attributes
        name,
        art,
        traeger,

        -- numbers
        jahr,
        plaetze,

        -- dates
        gueltig_ab,
        gueltig_bis,
        make_date(jahr, 12, 31) as periode

    from source

)

select * from renamed
