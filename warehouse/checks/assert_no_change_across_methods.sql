-- A change is only computed between two figures of one edition on one method, never into a break
-- year: both figures must be that edition's delivered cells. In the current table the pair must
-- also be on the method of the current figure.
with changes as (
    select 'yoy_change' as table_name, municipality, series, year, edition, value, previous_value, change, comparable
    from yoy_change
    union all
    select 'yoy_change_by_edition', municipality, series, year, edition, value, previous_value, change, comparable
    from yoy_change_by_edition
    union all
    select 'satisfaction_by_edition', satisfaction.municipality, series.series, satisfaction.year,
        satisfaction.edition, satisfaction.grade, satisfaction.previous_grade, satisfaction.change,
        satisfaction.change is not null
    from satisfaction_by_edition as satisfaction
    join series on series.channel = satisfaction.channel and series.unit = 'grade'
)

select
    changes.*,
    this_year.method,
    previous_year.method as previous_method,
    this_year.status,
    current_figures.method as current_method
from changes
left join observation_vintages as this_year
    on this_year.municipality = changes.municipality
    and this_year.series = changes.series
    and this_year.year = changes.year
    and this_year.edition = changes.edition
left join observation_vintages as previous_year
    on previous_year.municipality = changes.municipality
    and previous_year.series = changes.series
    and previous_year.year = changes.year - 1
    and previous_year.edition = changes.edition
left join observations as current_figures
    on changes.table_name = 'yoy_change'
    and current_figures.municipality = changes.municipality
    and current_figures.series = changes.series
    and current_figures.year = changes.year
where (changes.change is not null or changes.previous_value is not null or changes.comparable)
    and (
        this_year.method is distinct from previous_year.method
        or this_year.status = 'B'
        or this_year.value is distinct from changes.value
        or previous_year.value is distinct from changes.previous_value
        or (changes.table_name = 'yoy_change' and this_year.method is distinct from current_figures.method)
    )
