-- The indicator mart: catalogue x counts, generically. One row per indicator, area,
-- reference date and area layout (as delivered, and recast onto today's layout).
-- Incremental by reference date: the monthly path rebuilds the dates from its earliest
-- changed one on (macro monatspfad_ab); a row looks back only (denominator dates, the
-- previous year's end, the comparison date of the dynamics), so earlier rows stay as
-- they are. Every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='fail'
) }}
{%- set dynamik_jahre = var('sozialindex', {}).get('dynamik_jahre', parameter('dynamik_jahre')) %}
{%- set ab = monatspfad_ab() %}

with

katalog as (

    {{ katalog_mit_varianten() }}
    where berechnung = 'basiszahlen'

),

zahlen as (

    select * from {{ ref('basiszahlen') }}
    {%- if ab %}
        -- the rows the rebuilt dates read: their denominators lie at most a year (the
        -- previous year's end) and nenner_max_alter_monate months before the dates or
        -- their comparison dates
        where periode >= (
            date '{{ ab }}' - to_years({{ dynamik_jahre }})
            - to_months({{ parameter('nenner_max_alter_monate') }} + 14)
        )::date
    {%- endif %}

),

{%- if ab %}

-- the numerator dates the rebuilt dates read: themselves and their comparison dates
zaehler_perioden as (

    select distinct periode from zahlen where periode >= date '{{ ab }}'
    union
    select distinct {{ vergleichsdatum('periode', dynamik_jahre) }}
    from zahlen where periode >= date '{{ ab }}'

),
{%- endif %}

zaehler as (

    select
        katalog.indikator_id,
        katalog.zaehler_merkmal,
        katalog.nenner_merkmal,
        katalog.faktor,
        katalog.einheit,
        katalog.stichtag_regel,
        katalog.dynamik as mit_dynamik,
        zahlen.gebiet_id,
        zahlen.ebene,
        zahlen.ebene_rang,
        zahlen.periode,
        zahlen.gebietsstand,
        zahlen.aktueller_gebietsstand,
        zahlen.wert as z_wert,
        zahlen.quell_symbol as z_symbol,
        zahlen.untergrenze as z_unten,
        zahlen.obergrenze as z_oben,
        zahlen.umgerechnet as z_umgerechnet,
        zahlen.definition as z_definition,
        case
            when katalog.stichtag_regel = 'vorjahresende'
                then make_date(year(zahlen.periode) - 1, 12, 31)
            else zahlen.periode
        end as nenner_zieldatum
    from katalog
    inner join zahlen on katalog.zaehler_merkmal = zahlen.merkmal
    {%- if ab %}
        where zahlen.periode in (select zaehler_perioden.periode from zaehler_perioden)
    {%- endif %}

),

nenner_perioden as (

    select distinct
        merkmal,
        gebietsstand,
        periode
    from zahlen

),

-- denominator date: the same date if delivered, else the latest earlier one within
-- nenner_max_alter_monate months, else none ('gleiche_lieferung': the same date only)
nenner_ziele as (

    select distinct
        nenner_merkmal,
        gebietsstand,
        nenner_zieldatum,
        stichtag_regel
    from zaehler
    where nenner_merkmal is not null

),

nenner_wahl as (

    select
        nenner_ziele.nenner_merkmal,
        nenner_ziele.gebietsstand,
        nenner_ziele.nenner_zieldatum,
        nenner_ziele.stichtag_regel,
        max(nenner_perioden.periode) as nenner_stichtag
    from nenner_ziele
    left join nenner_perioden
        on
            nenner_ziele.nenner_merkmal = nenner_perioden.merkmal
            and nenner_ziele.gebietsstand = nenner_perioden.gebietsstand
            and nenner_ziele.nenner_zieldatum >= nenner_perioden.periode
            and nenner_perioden.periode >= case
                when nenner_ziele.stichtag_regel = 'gleiche_lieferung'
                    then nenner_ziele.nenner_zieldatum
                else
                    (
                        nenner_ziele.nenner_zieldatum
                        - to_months({{ parameter('nenner_max_alter_monate') }})
                    )::date
            end
    group by
        nenner_ziele.nenner_merkmal,
        nenner_ziele.gebietsstand,
        nenner_ziele.nenner_zieldatum,
        nenner_ziele.stichtag_regel

),

verbunden as (

    select
        zaehler.*,
        nenner_wahl.nenner_stichtag,
        nenner.gebiet_id is not null as nenner_gefunden,
        nenner.wert as n_wert,
        nenner.quell_symbol as n_symbol,
        nenner.untergrenze as n_unten,
        nenner.obergrenze as n_oben,
        coalesce(nenner.umgerechnet, false) as n_umgerechnet,
        nenner.definition as n_definition
    from zaehler
    left join nenner_wahl
        on
            zaehler.nenner_merkmal = nenner_wahl.nenner_merkmal
            and zaehler.gebietsstand = nenner_wahl.gebietsstand
            and zaehler.nenner_zieldatum = nenner_wahl.nenner_zieldatum
            and zaehler.stichtag_regel = nenner_wahl.stichtag_regel
    left join zahlen as nenner
        on
            zaehler.nenner_merkmal = nenner.merkmal
            and zaehler.gebietsstand = nenner.gebietsstand
            and zaehler.gebiet_id = nenner.gebiet_id
            and nenner_wahl.nenner_stichtag = nenner.periode

),

mit_symbol as (

    select
        *,
        {{ symbol_der_quote() }} as symbol
    from verbunden

),

berechnet as (

    select
        indikator_id,
        gebiet_id,
        ebene,
        ebene_rang,
        periode,
        case when z_symbol in ('*', '.', 'x') then null else z_wert end as zaehler,
        case when n_symbol in ('*', '.', 'x') then null else n_wert end as nenner,
        case
            when symbol in ('*', '.', 'x') then null
            when nenner_merkmal is null then z_wert * faktor
            else z_wert / n_wert * faktor
        end as wert,
        symbol,
        einheit,
        nenner_stichtag,
        gebietsstand,
        zaehler_merkmal,
        nenner_merkmal,
        faktor,
        z_umgerechnet or n_umgerechnet as umgerechnet,
        coalesce(symbol in ('*', '/'), false) as unsicher,
        case
            when symbol in ('.', 'x') then null
            when nenner_merkmal is null then z_unten * faktor
            else z_unten / n_oben * faktor
        end as untergrenze,
        case
            when symbol in ('.', 'x') then null
            when nenner_merkmal is null then z_oben * faktor
            when n_unten > 0 then z_oben / n_unten * faktor
        end as obergrenze,
        aktueller_gebietsstand,
        mit_dynamik,
        'Zähler: ' || z_definition
        || coalesce('; Nenner: ' || n_definition, '')
        || '; Faktor: ' || faktor::varchar as parameter
    from mit_symbol

),

-- change in percentage points against the same reference date k years earlier, on
-- today's layout only (older periods are recast there)
mit_vergleich as (

    -- the comparison date as a plain column, so the self-join below is an equi-join
    -- (conditions on the left side only inside the join made DuckDB loop over all pairs)
    select
        *,
        case
            when mit_dynamik and aktueller_gebietsstand
                then {{ vergleichsdatum('periode', dynamik_jahre) }}
        end as vergleichsdatum
    from berechnet

),

mit_dynamik as (

    select
        mit_vergleich.* exclude (vergleichsdatum),  -- noqa: RF02
        frueher.periode as dynamik_vergleichsperiode,
        mit_vergleich.wert - frueher.wert as dynamik
    from mit_vergleich
    left join berechnet as frueher
        on
            mit_vergleich.indikator_id = frueher.indikator_id
            and mit_vergleich.gebiet_id = frueher.gebiet_id
            and mit_vergleich.gebietsstand = frueher.gebietsstand
            and mit_vergleich.vergleichsdatum = frueher.periode

),

final as (

    select
        indikator_id::varchar as indikator_id,
        gebiet_id::varchar as gebiet_id,
        ebene::varchar as ebene,
        ebene_rang::integer as ebene_rang,
        periode::date as periode,
        zaehler::double as zaehler,
        nenner::double as nenner,
        wert::double as wert,
        symbol::varchar as symbol,
        einheit::varchar as einheit,
        nenner_stichtag::date as nenner_stichtag,
        gebietsstand::date as gebietsstand,
        zaehler_merkmal::varchar as zaehler_merkmal,
        nenner_merkmal::varchar as nenner_merkmal,
        faktor::double as faktor,
        umgerechnet::boolean as umgerechnet,
        unsicher::boolean as unsicher,
        untergrenze::double as untergrenze,
        obergrenze::double as obergrenze,
        aktueller_gebietsstand::boolean as aktueller_gebietsstand,
        dynamik_vergleichsperiode::date as dynamik_vergleichsperiode,
        dynamik::double as dynamik,
        parameter::varchar as parameter
    from mit_dynamik
    {%- if ab %}
        where periode >= date '{{ ab }}'
    {%- endif %}

)

select * from final
