{#- The catalogue with a city's indicator variants applied (var `nenner_varianten`:
    indicator id -> denominator count, e.g. Hamburg's SGB II share over all inhabitants:
    {sgb2_quote: ew}). -#}
{% macro katalog_mit_varianten() %}
    {%- set varianten = var('nenner_varianten', {}) -%}
    select * replace (
        {%- if varianten %}
        case indikator_id
            {%- for ind, nenner in varianten.items() %}
            when '{{ ind }}' then '{{ nenner }}'
            {%- endfor %}
            else nenner_merkmal
        end
        {%- else %}
        nenner_merkmal
        {%- endif %} as nenner_merkmal
    )
    from {{ ref('indikatorkatalog_seed') }}
{% endmacro %}
