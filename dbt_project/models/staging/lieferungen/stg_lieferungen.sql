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

        -- dates: the reference date the delivery period stands for
        case
            when quelle in ('einwohner', 'sgb12')
                then try_cast(periode as date)
            when quelle = 'sgb2'
                then last_day(try_cast(periode || '-01' as date))
            when quelle in ('sgb8', 'bewegungen', 'finanzen')
                then make_date(try_cast(periode as integer), 12, 31)
        end as periode

    from source
    where status <> 'abgewiesen'

)

select * from renamed
