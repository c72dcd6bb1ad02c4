with

source as (

    select * from {{ source('raw', 'sgb8') }}

),

renamed as (

    select
        -- ids (pseudonyms only)
        fall_pseudonym,
        person_pseudonym,
        gebiet_id,
        load_id,

        -- attributes
        hilfeart,
        geschlecht,

        -- numbers
        jahr,
        alter_beginn,
        alter_jahresende,
        kosten_jahr::double as kosten_jahr,

        -- dates (yearly figures refer to 31.12)
        beginn,
        ende,
        make_date(jahr, 12, 31) as periode

    from source

)

select * from renamed
