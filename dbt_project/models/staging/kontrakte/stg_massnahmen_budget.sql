with

source as (

    select * from {{ source('raw', 'massnahmen_budget') }}

),

renamed as (

    select
        -- ids
        trim(massnahme_id) as massnahme_id,
        load_id,

        -- numbers (EUR)
        jahr,
        plan_eur::double as plan_eur

    from source

)

select * from renamed
