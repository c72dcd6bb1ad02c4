-- The BA's exact values for coarser areas (its row for the municipality, or a district),
-- delivered in the same table as the finest areas: where the sum of the finest areas is
-- only known within bounds (a `*` below it), basiszahlen takes this value instead.
-- Ingest has checked each against the finest areas of the same file.
{%- set merkmale = sgb2_merkmale() %}

with

sgb2 as (

    select * from {{ ref('stg_sgb2') }}

),

feinst as (

    select distinct feinst_gebiet_id as gebiet_id from {{ ref('int_gebiete_hierarchie') }}

),

summenzeilen as (

    select sgb2.*
    from sgb2
    left join feinst on sgb2.gebiet_id = feinst.gebiet_id
    where feinst.gebiet_id is null

),

final as (

    {%- for m in merkmale %}
        select
            periode,
            gebiet_id,
            '{{ m.merkmal }}' as merkmal,
            {{ m.merkmal }}::double as wert
        from summenzeilen
        where {{ m.merkmal }} is not null
        {{ "union all" if not loop.last }}
    {%- endfor %}

)

select * from final
