-- Each edition's tables as printed: titles, rows in printed order, labels as printed, one column per year.
-- Each row gathers its figures in a list of (year, figure); a one-row pivot of the years gives the year
-- columns, each holding its own year to look the figure up with (NULL where the row has no figure of that
-- year; a year the row has twice, which the grain checks of the tables it is made from refuse, gives the
-- first). A pivot of the figures themselves held every (row, year) group and its text apart: at 10 million
-- cells it took twice as long and more memory than DuckDB's cap (bench/README.md).
with edition_figures as not materialized (
    select
        *,  -- noqa: AM04
        view_edition as edition
    from _printed_figures
    where view_edition is not null
),

edition_years as (
    select distinct
        year,
        1 as one
    from edition_figures
),

years as (
    pivot edition_years
    on year
    using any_value(year)
    group by one
),

printed_rows as (
    select
        municipality,
        edition,
        table_title,
        row_number,
        series,
        label_printed,
        label_nl,
        unit,
        position,
        scale,
        decimals,
        list({ 'year': year, 'shown': shown }) as figures
    from edition_figures
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
order by row_figures.municipality, row_figures.edition, row_figures.position
