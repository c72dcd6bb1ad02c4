-- Every finest area of an older layout maps onto today's areas with shares summing to 1;
-- otherwise its counts would be lost (or doubled) when older periods are recast.
select
    gebietsstand,
    herkunft_gebiet_id,
    sum(anteil) as anteil_summe
from {{ ref('int_gebiete_umschluessel') }}
group by gebietsstand, herkunft_gebiet_id
having abs(sum(anteil) - 1) > 1e-9
