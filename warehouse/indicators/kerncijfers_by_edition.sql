-- Each edition's tables as printed: titles, rows in printed order, labels as printed, one column per year.
with edition_figures as (
    select
        *,  -- noqa: AM04
        view_edition as edition
    from _printed_figures
    where view_edition is not null
)

select *  -- noqa: AM04
from (
    pivot edition_figures
    on year
    using any_value(shown)
    group by
        municipality, edition, table_title, row_number, series, label_printed, label_nl, unit, position, scale,
        decimals
)
order by municipality, edition, position
