{#- Building blocks of the count models (marts.basiszahlen). -#}

{#- One count parameter of the `indikatoren` block (dbt_project.yml vars; a city's config
    passes its own block with --vars): the one place the parameters are named. -#}
{% macro parameter(name) -%}
    {%- set block = var('indikatoren') -%}
    {%- if name not in block -%}
        {{ exceptions.raise_compiler_error("Parameter indikatoren." ~ name ~ " fehlt") }}
    {%- endif -%}
    {{- return(block[name]) -}}
{%- endmacro %}

{#- The parameters that change what a count means: the whole `indikatoren` block. Part of
    every period's fingerprint, so a change of --vars rebuilds the incremental count models
    (a change of a parameter the counts do not read, e.g. dynamik_jahre, rebuilds them too:
    rare, and never wrong). -#}
{% macro parameter_fingerabdruck() -%}
    {%- set block = var('indikatoren') -%}
    {%- set teile = [] -%}
    {%- for name in block | sort -%}
        {%- do teile.append(name ~ '=' ~ (block[name] | string)) -%}
    {%- endfor -%}
    {{- return(teile | join(';') | replace("'", "")) -}}
{%- endmacro %}

{#- The count models whose rows int_basiszahlen_feinst unions (columns: see
    exakte_zaehlzeile); a new count model is added here. -#}
{% macro zaehlmodelle() -%}
    {{- return([
        'int_zaehlungen_einwohner',
        'int_zaehlungen_bewegungen',
        'int_zaehlungen_sgb2',
        'int_zaehlungen_sgb12',
        'int_zaehlungen_sgb8',
        'int_zaehlungen_transfer',
    ]) -}}
{%- endmacro %}

{#- SQL list literal of a list var, e.g. ('31', '34'). -#}
{% macro sql_liste(werte) -%}
    ({%- for w in werte -%}'{{ w }}'{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#- The periods of one delivery kind with a fingerprint (stand_hash) of everything the
    period's counts depend on: its loads, the area reference data and the parameters.
    `daten` is a relation with columns periode, load_id. Periods delivered without rows
    (zero cases) come from the load log. -#}
{% macro perioden_mit_stand(quelle, daten) %}
    select
        perioden.periode,
        md5(
            string_agg(distinct perioden.load_id, ',' order by perioden.load_id)
            || '|' || coalesce(max(referenz.load_ids), '')
            || '|{{ parameter_fingerabdruck() }}'
        ) as stand_hash
    from (
        select
            periode,
            load_id
        from {{ daten }}
        union
        select
            periode,
            load_id
        from {{ ref('stg_lieferungen') }}
        where quelle = '{{ quelle }}' and periode is not null
    ) as perioden
    cross join (
        select string_agg(distinct load_id, ',' order by load_id) as load_ids
        from {{ ref('stg_gebiete') }}
    ) as referenz
    group by perioden.periode
{% endmacro %}

{#- Incremental runs rebuild only periods that are new or whose fingerprint changed
    (delete+insert on periode). -#}
{% macro nur_geaenderte_perioden(perioden) %}
    {%- if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as bisher
            where
                bisher.periode = {{ perioden }}.periode
                and bisher.stand_hash = {{ perioden }}.stand_hash
        )
    {%- endif %}
{% endmacro %}

{#- Every finest area valid on each period's reference date: counts are zero-filled onto
    these cells, so a coarser sum and a denominator always see every area. -#}
{% macro feinstgebiete_der_perioden(perioden) %}
    select
        {{ perioden }}.periode,
        {{ perioden }}.stand_hash,
        hierarchie.gebiet_id
    from {{ perioden }}
    inner join {{ ref('int_gebietsstaende') }} as staende
        on
            {{ perioden }}.periode >= staende.gebietsstand
            and {{ perioden }}.periode <= coalesce(staende.gebietsstand_bis, date '9999-12-31')
    inner join {{ ref('int_gebiete_hierarchie') }} as hierarchie
        on
            staende.gebietsstand = hierarchie.gebietsstand
            and hierarchie.stufen_hoch = 0
{% endmacro %}

{#- One long row per cell for a plain (exact) count column of `relation`. -#}
{% macro exakte_zaehlzeile(relation, merkmal, definition) %}
    select
        periode,
        gebiet_id,
        '{{ merkmal }}' as merkmal,
        '{{ definition }}' as definition,
        {{ merkmal }}::double as wert,
        case when {{ merkmal }} is null then '.' end::varchar as quell_symbol,
        {{ merkmal }}::double as untergrenze,
        {{ merkmal }}::double as obergrenze,
        stand_hash
    from {{ relation }}
{% endmacro %}

{#- Summing cells (children, or recast shares). Rules (documented in marts/_basiszahlen):
    all children carry the same symbol -> that symbol (keeps `*`, `-`, `.`, `x` of a
    single cell); any unknown child (`.`, `x`) -> `.`, no value; any `*` or `/` child ->
    `/` (unsicher): value = sum of lower bounds, bounds = sums of the bounds. -#}
{% macro symbol_der_summe(s='quell_symbol') -%}
    case
        when count(distinct coalesce({{ s }}, '#')) = 1 and max({{ s }}) is not null
            then max({{ s }})
        when bool_or({{ s }} in ('.', 'x')) then '.'
        when bool_or({{ s }} in ('*', '/')) then '/'
    end
{%- endmacro %}

{#- A sum that does not depend on the order of its rows: every addend as an exact decimal
    (10 places), summed exactly, returned as double. A double sum depends on the order the
    rows arrive in (physical order, threads), so a period rebuilt alone would differ in the
    last bits from the same period built with all others (issue 13: incremental = full). -#}
{% macro exakte_summe(ausdruck) -%}
    sum(({{ ausdruck }})::decimal(38, 10))::double
{%- endmacro %}

{% macro wert_der_summe(s='quell_symbol', unten='untergrenze') -%}
    case
        when bool_or({{ s }} in ('.', 'x')) then null
        when bool_and(coalesce({{ s }} = '*', false)) then null
        else {{ exakte_summe(unten) }}
    end
{%- endmacro %}

{% macro grenze_der_summe(grenze, s='quell_symbol') -%}
    case
        when bool_or({{ s }} in ('.', 'x')) then null
        else {{ exakte_summe(grenze) }}
    end
{%- endmacro %}

{#- Symbol of a rate from the symbols of its numerator (z_) and denominator (n_):
    suppressed or unknown parts carry through, a denominator of 0 gives `x`, a missing
    denominator date gives `.`, an uncertain sum (`/`) stays `/`. -#}
{% macro symbol_der_quote() -%}
    case
        when z_symbol in ('.', 'x') then z_symbol
        when z_symbol = '*' then '*'
        when nenner_merkmal is null then case when z_symbol = '/' then '/' end
        when nenner_stichtag is null or not nenner_gefunden then '.'
        when n_symbol in ('.', 'x') then '.'
        when n_symbol = '*' then '*'
        when n_wert = 0 then 'x'
        when z_symbol = '/' or n_symbol = '/' then '/'
    end
{%- endmacro %}

{#- The CTEs referenz, zaehl_staende, perioden and zu_bauen of marts.basiszahlen: the periods
    with the fingerprint of their inputs, and those to build (new, or the fingerprint
    changed). A macro, since the model also asks for zu_bauen before it runs. -#}
{% macro basiszahlen_perioden() %}
referenz as (

    select string_agg(distinct load_id, ',' order by load_id) as load_ids
    from {{ ref('stg_gebiete_umschluessel') }}

),

-- each period's fingerprint from the count models' own (the recast rows of the finest
-- counts are a function of them and the crosswalk): a scan of two columns of each count
-- table instead of the whole finest view with its recast
zaehl_staende as (

    {%- for modell in zaehlmodelle() %}
        select distinct
            periode,
            stand_hash
        from {{ ref(modell) }}
        {{ "union" if not loop.last }}
    {%- endfor %}

),

perioden as (

    select
        zaehl_staende.periode,
        md5(
            string_agg(distinct zaehl_staende.stand_hash, ',' order by zaehl_staende.stand_hash)
            || '|' || coalesce(max(referenz.load_ids), '')
        ) as stand_hash
    from zaehl_staende
    cross join referenz
    group by zaehl_staende.periode

),

zu_bauen as (

    select * from perioden
    {{ nur_geaenderte_perioden('perioden') }}

)
{% endmacro %}
