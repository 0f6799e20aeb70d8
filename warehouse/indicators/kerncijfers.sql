-- The printed tables, current: one row per series with a current figure, one column per year, under
-- the title and in the row order of the latest edition that prints the series. The year columns are
-- made as in kerncijfers_by_edition: a map per row from year to figure, looked up in each year's column.
with current_figures as not materialized (
    select *  -- noqa: AM04
    from _printed_figures
    where view_edition is null
),

current_years as (
    select distinct
        year,
        1 as one
    from current_figures
),

years as (
    pivot current_years
    on year
    using any_value(year)
    group by one
),

printed_rows as (
    select
        municipality,
        table_title,
        row_number,
        series,
        label_printed,
        label_nl,
        unit,
        table_edition,
        position,
        map_from_entries(list((year, shown))) as shown
    from current_figures
    group by all
)

select
    printed_rows.* exclude (shown),  -- noqa: RF02
    printed_rows.shown[columns(years.* exclude (one))]  -- noqa: RF02
from printed_rows
cross join years
order by printed_rows.municipality, printed_rows.position
