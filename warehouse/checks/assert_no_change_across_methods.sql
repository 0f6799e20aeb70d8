-- A change is only computed between two figures of one edition on one method, never into a break
-- year: both figures must be that edition's delivered cells. In the current table the pair must
-- also be on the method of the current figure. Each delivered cell is paired with the cell of the
-- year before in the same edition by a window (a sort, which spills to disk), not by joining the
-- vintages to themselves.
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

pairs as (
    select
        municipality,
        series,
        year,
        edition,
        value,
        status,
        method,
        case when lag(year) over by_year = year - 1 then lag(value) over by_year end as previous_value,
        case when lag(year) over by_year = year - 1 then lag(method) over by_year end as previous_method
    from observation_vintages
    window by_year as (partition by municipality, series, edition order by year)
)

select
    changes.*,
    pairs.method,
    pairs.previous_method,
    pairs.status,
    current_figures.method as current_method
from changes
left join pairs
    on
        changes.municipality = pairs.municipality
        and changes.series = pairs.series
        and changes.year = pairs.year
        and changes.edition = pairs.edition
left join observations as current_figures
    on
        changes.table_name = 'yoy_change'
        and changes.municipality = current_figures.municipality
        and changes.series = current_figures.series
        and changes.year = current_figures.year
where
    (changes.change is not null or changes.previous_value is not null or changes.comparable)
    and (
        pairs.municipality is null
        or pairs.method is distinct from pairs.previous_method
        or pairs.status = 'B'
        or pairs.value is distinct from changes.value
        or pairs.previous_value is distinct from changes.previous_value
        or (changes.table_name = 'yoy_change' and pairs.method is distinct from current_figures.method)
    )
