select
    'observation_vintages' as table_name,
    vintages.municipality,
    vintages.series as key,
    vintages.year,
    vintages.edition,
    vintages.value as grade
from observation_vintages as vintages
inner join series using (series)
where series.unit = 'grade' and (vintages.value < 1 or vintages.value > 10)
union all
select
    'satisfaction' as table_name,
    municipality,
    channel as key,
    year,
    null as edition,
    grade
from satisfaction
where grade < 1 or grade > 10 or previous_grade < 1 or previous_grade > 10
union all
select
    'satisfaction_by_edition' as table_name,
    municipality,
    channel as key,
    year,
    edition,
    grade
from satisfaction_by_edition
where grade < 1 or grade > 10 or previous_grade < 1 or previous_grade > 10
