-- The key-figures table as each edition published it, one column per year.
with edition_figures as (
    select
        municipality,
        view_edition as edition,
        position,
        series,
        label_nl,
        unit,
        year,
        shown
    from _printed_figures
    where view_edition is not null
)

select *
from (
    pivot edition_figures
    on year
    using any_value(shown)
    group by municipality, edition, position, series, label_nl, unit
)
order by municipality, edition, position
