-- Rows of $model that share one value of its grain ($grain, from models.toml): one row per key, with its count.
select
    columns(lambda c: list_contains($grain, c)),
    count(*) as n
from query_table($model)
group by all
having count(*) > 1
