-- The view of _satisfaction inside each edition alone.
select
    municipality,
    channel,
    year,
    grade,
    previous_grade,
    change,
    rank,
    view_edition as edition
from _satisfaction
where view_edition is not null
order by municipality, edition, year, channel
