-- Each edition's tables as printed: titles, rows in printed order, labels as printed, one column per year.
-- Each row gathers its figures in a map from year to figure; a one-row pivot of the years gives the year
-- columns, each holding its own year to look the figure up with (NULL where the row has no figure of that
-- year). A pivot of the figures themselves held every (row, year) group and its text apart: at 10 million
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
        map_from_entries(list((year, shown))) as shown
    from edition_figures
    group by all
)

select
    printed_rows.* exclude (shown),  -- noqa: RF02
    printed_rows.shown[columns(years.* exclude (one))]  -- noqa: RF02
from printed_rows
cross join years
order by printed_rows.municipality, printed_rows.edition, printed_rows.position
