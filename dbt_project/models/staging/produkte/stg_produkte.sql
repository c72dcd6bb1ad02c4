with

source as (

    select * from {{ source('raw', 'produkte') }}

),

renamed as (

    select
        trim(produkt) as produkt,
        load_id,
        bereich

    from source

)

select * from renamed
