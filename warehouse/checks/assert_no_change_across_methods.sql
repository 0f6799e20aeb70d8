-- A change is only computed between two figures of one edition on one method, never into a break
-- year: both figures must be that edition's delivered cells. In the current table the pair must
-- also be on the method of the current figure.
with changes as (
    select
        'yoy_change' as table_name,
        municipality,
        series,
        year,
        edition,
        value,
        previous_value,
        change,
        comparable
    from yoy_change
    union all
    select
        'yoy_change_by_edition' as table_name,
        municipality,
        series,
        year,
        edition,
        value,
        previous_value,
        change,
        comparable
    from yoy_change_by_edition
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
)

select
    changes.*,
    this_year.method,
    previous_year.method as previous_method,
    this_year.status,
    current_figures.method as current_method
from changes
left join observation_vintages as this_year
    on
        changes.municipality = this_year.municipality
        and changes.series = this_year.series
        and changes.year = this_year.year
        and changes.edition = this_year.edition
left join observation_vintages as previous_year
    on
        changes.municipality = previous_year.municipality
        and changes.series = previous_year.series
        and previous_year.year = changes.year - 1
        and changes.edition = previous_year.edition
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
