-- The current view of _satisfaction.
select
    municipality,
    channel,
    year,
    grade,
    previous_grade,
    change,
    rank
from _satisfaction
where view_edition is null
order by municipality, year, channel
