-- The catalogue as published: the seed plus the count definitions with the parameters in
-- force (age bands, paragraph sets) for numerator and denominator.
with

katalog as (

    {{ katalog_mit_varianten() }}

),

definitionen as (

    select distinct
        merkmal,
        definition
    from {{ ref('basiszahlen') }}

),

final as (

    select
        katalog.indikator_id::varchar as indikator_id,
        katalog.reihenfolge::integer as reihenfolge,
        katalog.bezeichnung::varchar as bezeichnung,
        katalog.bereich::varchar as bereich,
        katalog.berechnung::varchar as berechnung,
        katalog.zaehler_merkmal::varchar as zaehler_merkmal,
        katalog.nenner_merkmal::varchar as nenner_merkmal,
        katalog.faktor::double as faktor,
        katalog.einheit::varchar as einheit,
        katalog.stichtag_regel::varchar as stichtag_regel,
        katalog.dynamik::boolean as dynamik,
        katalog.polaritaet::varchar as polaritaet,
        katalog.quelle::varchar as quelle,
        katalog.definition::varchar as definition,
        katalog.interpretation::varchar as interpretation,
        katalog.zeitreihenbrueche::varchar as zeitreihenbrueche,
        zaehler_def.definition::varchar as zaehler_definition,
        nenner_def.definition::varchar as nenner_definition
    from katalog
    left join definitionen as zaehler_def on katalog.zaehler_merkmal = zaehler_def.merkmal
    left join definitionen as nenner_def on katalog.nenner_merkmal = nenner_def.merkmal

)

select * from final
