-- Every delivered cell (key and value) whose series a later edition restated on a new method,
-- once per such edition (restated_in): the one place that says which figures a restatement replaced.
select
    vintages.municipality,
    vintages.series,
    vintages.year,
    vintages.edition,
    vintages.value,
    restatements.edition as restated_in
from observation_vintages as vintages
inner join staging.method_changes as restatements
    on
        vintages.municipality = restatements.municipality
        and vintages.series = restatements.series
        and vintages.edition < restatements.edition
where restatements.kind = 'restate'
