-- Deliveries from the load log. Needed because a delivery with a header and no rows is a
-- valid delivery of zero cases (docs/sources.md): the raw table then holds no row for the
-- period, but the period exists and its counts are 0.
with

source as (

    select * from {{ source('audit', 'loads') }}

),

renamed as (

    select
        -- ids
        load_id,

        -- attributes
        quelle,
        status,
        periode as periode_text,

        -- dates: the reference date the delivery period stands for (written by the load
        -- from the kind's period rule, so no kind needs a mapping here)
        bezugsdatum as periode

    from source
    where status <> 'abgewiesen'

)

select * from renamed
