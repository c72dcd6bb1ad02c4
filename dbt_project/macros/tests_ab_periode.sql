{#- Data tests of the monthly path look at the changed periods only (issue 13).

    `sozialmonitor run` passes --vars '{"tests_ab_periode": "YYYY-MM-DD"}' when only
    deliveries of some periods changed since the last complete build: the earliest reference
    date among them. Every generic test on a relation with a `periode` column then checks
    the rows from that date on (a changed period affects no earlier one: denominators,
    dynamics and the previous year's end all look back). Without the var (a full build, the
    UI's jobs, the weekly schedule) every test checks every row. dbt's own `where` config
    of a test is kept and combined. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set ab = var('tests_ab_periode', none) -%}
    {%- if ab and execute -%}
        {%- set spalten = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if 'periode' in spalten -%}
            {%- set nur_ab = "periode >= date '" ~ ab ~ "'" -%}
            {%- set where = "(" ~ where ~ ") and " ~ nur_ab if where else nur_ab -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
