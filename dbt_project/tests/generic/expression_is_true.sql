{#- Every row satisfies a SQL expression (rows where it is false or NULL fail). -#}
{% test expression_is_true(model, expression, where=none) %}
select *
from {{ model }}
where
    not coalesce(({{ expression }}), false)
    {%- if where %} and ({{ where }}){% endif %}
{% endtest %}
