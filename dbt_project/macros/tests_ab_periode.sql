{#- Data tests of the monthly path look at the changed periods only (issue 13).

    `sozialmonitor run` sets the environment variable SOZIALMONITOR_TESTS_AB_PERIODE
    (YYYY-MM-DD) when only deliveries of some periods changed since the last complete
    build: the earliest reference date among them. It is read only while executing (not
    while parsing): a dbt var would change the parsed project and make dbt re-parse all of
    it on every monthly run. Every generic test on a relation with a `periode` column then checks
    the rows from that date on (a changed period affects no earlier one: denominators,
    dynamics and the previous year's end all look back). Without it (a complete
    build) every test checks every row. dbt's own `where` config
    of a test is kept and combined. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set ab = env_var('SOZIALMONITOR_TESTS_AB_PERIODE', '') if execute else '' -%}
    {%- if ab -%}
        {%- set spalten = spalten_der_relation(relation) -%}
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

{#- The columns of a tested relation: from its yml in the project graph where it declares
    any (no query: the monthly path compiles about a hundred tests, and a query per test
    opened the warehouse a hundred times), else from the database. -#}
{% macro spalten_der_relation(relation) -%}
    {%- set ns = namespace(spalten=none) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type in ('model', 'seed', 'snapshot')
            and (node.alias or node.name) == relation.identifier
            and node.schema == relation.schema
            and node.columns -%}
            {%- set ns.spalten = node.columns.keys() | map('lower') | list -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if ns.spalten is none -%}
        {%- set ns.spalten = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- endif -%}
    {{- return(ns.spalten) -}}
{%- endmacro %}

{#- The monthly path's models: an incremental model whose rows of a reference date depend
    only on earlier dates (marts.indikatoren, marts.sozialindex) rebuilds the dates from
    SOZIALMONITOR_TESTS_AB_PERIODE on and keeps the others. Empty when the model is built
    whole: no such variable (a complete build passes --full-refresh), or no table yet.
    Read only while executing, like the tests' date above. -#}
{% macro monatspfad_ab() -%}
    {%- set ab = env_var('SOZIALMONITOR_TESTS_AB_PERIODE', '') if execute else '' -%}
    {%- if ab and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', ab) -%}
        {{ exceptions.raise_compiler_error("SOZIALMONITOR_TESTS_AB_PERIODE ist kein Datum: " ~ ab) }}
    {%- endif -%}
    {{- return(ab if (ab and is_incremental()) else '') -}}
{%- endmacro %}

{#- The date `jahre` years before a reference date, month ends kept as month ends
    (29.02. -> 28.02.): the comparison date of a change over time. -#}
{% macro vergleichsdatum(periode, jahre) -%}
    case
        when {{ periode }} = last_day({{ periode }})
            then last_day(({{ periode }} - to_years({{ jahre }}))::date)
        else ({{ periode }} - to_years({{ jahre }}))::date
    end
{%- endmacro %}
