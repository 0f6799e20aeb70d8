-- The printed tables, current: one row per series with a current figure, one column per year, under
-- the title and in the row order of the latest edition that prints the series.
with current_figures as (
    select *  -- noqa: AM04
    from _printed_figures
    where view_edition is null
)

select *  -- noqa: AM04
from (
    pivot current_figures
    on year
    using any_value(shown)
    group by
        municipality, table_title, row_number, series, label_printed, label_nl, unit, table_edition, position
)
order by municipality, position
