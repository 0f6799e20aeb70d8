-- Values of $model.$column outside its accepted values (from models.toml), NULL included: one row per value.
select
    columns($column),
    count(*) as n
from query_table($model)
where columns($column) is null or not list_contains($accepted, columns($column))
group by all
