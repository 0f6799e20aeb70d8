-- A change is only computed between two figures of one edition on one method, never into a break
-- year: both figures must be that edition's delivered cells. In the current table the pair must
-- also be on the method of the current figure.
with yoy_changes as (
    select
        'yoy_change' as table_name,
        *
    from yoy_change
    union all by name
    select
        'yoy_change_by_edition' as table_name,
        *
    from yoy_change_by_edition
),

changes as (
    select
        table_name,
        municipality,
        series,
        year,
        edition,
        value,
        previous_value,
        change,
        comparable
    from yoy_changes
    union all
    select
        'satisfaction_by_edition' as table_name,
        satisfaction.municipality,
        series.series,
        satisfaction.year,
        satisfaction.edition,
        satisfaction.grade as value,
        satisfaction.previous_grade as previous_value,
        satisfaction.change,
        satisfaction.change is not null as comparable
    from satisfaction_by_edition as satisfaction
    inner join series on satisfaction.channel = series.channel and series.unit = 'grade'
),

previous_years as (
    select
        municipality,
        series,
        year + 1 as year,
        edition,
        value,
        method
    from observation_vintages
)

select
    changes.*,
    this_year.method,
    previous_year.method as previous_method,
    this_year.status,
    current_figures.method as current_method
from changes
left join observation_vintages as this_year using (municipality, series, year, edition)
left join previous_years as previous_year using (municipality, series, year, edition)
left join observations as current_figures
    on
        changes.table_name = 'yoy_change'
        and changes.municipality = current_figures.municipality
        and changes.series = current_figures.series
        and changes.year = current_figures.year
where
    (changes.change is not null or changes.previous_value is not null or changes.comparable)
    and (
        this_year.method is distinct from previous_year.method
        or this_year.status = 'B'
        or this_year.value is distinct from changes.value
        or previous_year.value is distinct from changes.previous_value
        or (changes.table_name = 'yoy_change' and this_year.method is distinct from current_figures.method)
    )
