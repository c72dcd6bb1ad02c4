{#- The combination of the given columns is unique (NULLs count as a value). -#}
{% test unique_combination(model, columns, where=none) %}
select
    {{ columns | join(', ') }},
    count(*) as anzahl
from {{ model }}
{%- if where %}
where {{ where }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
