{#- The catalogue with a city's indicator variants applied: `sgb2_quote_nenner: gesamt`
    (Hamburg publishes the SGB II share over all inhabitants) takes `ew` as the denominator
    count of sgb2_quote. -#}
{% macro katalog_mit_varianten() %}
    {%- set varianten = {'sgb2_quote': 'ew'} if parameter('sgb2_quote_nenner') == 'gesamt' else {} -%}
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
