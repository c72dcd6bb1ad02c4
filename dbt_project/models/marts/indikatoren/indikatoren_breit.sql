-- depends_on: {{ ref('indikatorkatalog_seed') }}
-- Wide per area and reference date on today's area layout: one column per catalogue
-- indicator, plus <id>_dynamik for share indicators. The columns follow the catalogue
-- (read at run time); the contract in indikatoren.yml must list them, so adding an
-- indicator is a deliberate contract change (tests/dbt checks both agree).
{%- set indikatoren = [] %}
{%- set dynamik = [] %}
{%- if execute %}
    {%- set katalog = run_query(
        "select indikator_id, dynamik from " ~ ref('indikatorkatalog_seed')
        ~ " where berechnung = 'basiszahlen' order by reihenfolge"
    ) %}
    {%- for zeile in katalog.rows %}
        {%- do indikatoren.append(zeile[0]) %}
        {%- if zeile[1] %}{% do dynamik.append(zeile[0]) %}{% endif %}
    {%- endfor %}
{%- endif %}

with

indikatoren as (

    select * from {{ ref('indikatoren') }}
    where aktueller_gebietsstand

),

final as (

    select
        gebiet_id,
        ebene,
        ebene_rang,
        periode,
        gebietsstand,
        {%- for id in indikatoren %}
            max(wert) filter (where indikator_id = '{{ id }}')::double as {{ id }},
        {%- endfor %}
        {%- for id in dynamik %}
            max(dynamik) filter (where indikator_id = '{{ id }}')::double as {{ id }}_dynamik,
        {%- endfor %}
        bool_or(unsicher) as unsicher,
        bool_or(umgerechnet) as umgerechnet
    from indikatoren
    group by gebiet_id, ebene, ebene_rang, periode, gebietsstand

)

select * from final
