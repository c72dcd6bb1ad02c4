-- Numerator of transferbezug (MSS S3): (rlb - alo_sgb2) + HLU a.v.E. + Grundsicherung
-- (Alter und EM) a.v.E., per finest area on each SGB XII reference date whose month has an
-- SGB II delivery. A `*` in rlb or alo_sgb2 makes the cell `*` with bounds.
with

sgb2 as (

    select * from {{ ref('int_zaehlungen_sgb2') }}
    where merkmal in ('rlb', 'alo_sgb2')

),

sgb12 as (

    select * from {{ ref('int_zaehlungen_sgb12') }}
    where merkmal in ('hlu_ave', 'grusi_ave')

),

sgb2_breit as (

    select
        periode,
        gebiet_id,
        stand_hash,
        max(quell_symbol) filter (where merkmal = 'rlb') as rlb_symbol,
        max(untergrenze) filter (where merkmal = 'rlb') as rlb_unten,
        max(obergrenze) filter (where merkmal = 'rlb') as rlb_oben,
        max(quell_symbol) filter (where merkmal = 'alo_sgb2') as alo_symbol,
        max(untergrenze) filter (where merkmal = 'alo_sgb2') as alo_unten,
        max(obergrenze) filter (where merkmal = 'alo_sgb2') as alo_oben
    from sgb2
    group by periode, gebiet_id, stand_hash

),

sgb12_breit as (

    select
        periode,
        gebiet_id,
        stand_hash,
        sum(wert) as sgb12_ave
    from sgb12
    group by periode, gebiet_id, stand_hash

),

verbunden as (

    select
        sgb12_breit.periode,
        sgb12_breit.gebiet_id,
        sgb12_breit.sgb12_ave,
        sgb2_breit.rlb_unten,
        sgb2_breit.rlb_oben,
        sgb2_breit.alo_unten,
        sgb2_breit.alo_oben,
        case
            when
                sgb2_breit.rlb_symbol in ('.', 'x') or sgb2_breit.alo_symbol in ('.', 'x')
                then '.'
            when sgb2_breit.rlb_symbol = '*' or sgb2_breit.alo_symbol = '*' then '*'
        end as quell_symbol,
        md5(sgb2_breit.stand_hash || sgb12_breit.stand_hash) as stand_hash
    from sgb12_breit
    inner join sgb2_breit
        on
            last_day(sgb12_breit.periode) = sgb2_breit.periode
            and sgb12_breit.gebiet_id = sgb2_breit.gebiet_id

),

final as (

    select
        periode,
        gebiet_id,
        'transfer_nicht_alo' as merkmal,
        'RLB - Arbeitslose SGB II + HLU a.v.E. + Grundsicherung a.v.E.' as definition,
        case
            when quell_symbol is null then rlb_unten - alo_unten + sgb12_ave
        end::double as wert,
        quell_symbol,
        case
            when quell_symbol = '.' then null
            else greatest(rlb_unten - alo_oben, 0) + sgb12_ave
        end::double as untergrenze,
        case
            when quell_symbol = '.' then null
            else rlb_oben - alo_unten + sgb12_ave
        end::double as obergrenze,
        stand_hash
    from verbunden

)

select * from final
