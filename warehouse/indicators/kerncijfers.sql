-- The published key-figures table, current values, one column per year.
with current_figures as (
    select
        municipality,
        position,
        series,
        label_nl,
        unit,
        year,
        shown
    from _printed_figures
    where view_edition is null
)

select *
from (
    pivot current_figures
    on year
    using any_value(shown)
    group by municipality, position, series, label_nl, unit
)
order by municipality, position
