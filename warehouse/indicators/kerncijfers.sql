-- The printed tables, current: one row per series with a current figure, one column per year, under
-- the title and in the row order of the latest edition that prints the series. The year columns are
-- made as in kerncijfers_by_edition: a list per row of (year, figure), looked up in each year's column.
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
        list({ 'year': year, 'shown': shown }) as figures
    from current_figures
    group by all
),

row_figures as (
    select
        *,  -- noqa: AM04
        list_transform(figures, lambda figure: struct_extract(figure, 'year')) as figure_years
    from printed_rows
)

select
    row_figures.* exclude (figures, figure_years),  -- noqa: RF02
    row_figures.figures[list_position(row_figures.figure_years, columns(years.* exclude (one)))].shown  -- noqa: RF02
from row_figures
cross join years
order by row_figures.municipality, row_figures.position
