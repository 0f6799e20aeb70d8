-- The delivered cells no later restatement on a new method replaced.
select
    vintages.municipality,
    vintages.series,
    vintages.year,
    vintages.edition,
    vintages.value,
    vintages.status,
    vintages.method,
    vintages.cell,
    vintages.file,
    vintages.row,
    vintages.label,
    vintages.load_id
from observation_vintages as vintages
where not exists (
    select 1
    from _restated_vintages as restated
    where
        restated.municipality = vintages.municipality
        and restated.series = vintages.series
        and restated.year = vintages.year
        and restated.edition = vintages.edition
)
