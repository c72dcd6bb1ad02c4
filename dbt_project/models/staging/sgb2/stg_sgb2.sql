with

source as (

    select * from {{ source('raw', 'sgb2') }}

),

renamed as (

    select
        -- ids
        gebiet_id,
        load_id,

        -- counts (NULL where the BA delivered a symbol) and their BA symbols
        bg,
        bg_symbol,
        rlb,
        rlb_symbol,
        elb,
        elb_symbol,
        nef,
        nef_symbol,
        nef_u15,
        nef_u15_symbol,
        alo_sgb2,
        alo_sgb2_symbol,
        lzb,
        lzb_symbol,
        bg_alleinerziehend,
        bg_alleinerziehend_symbol,

        -- dates (a reporting month refers to its last day)
        last_day(berichtsmonat) as periode

    from source

)

select * from renamed
