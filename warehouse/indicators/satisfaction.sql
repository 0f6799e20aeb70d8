-- The current view of _satisfaction.
select * exclude (view_edition)  -- noqa: AM04
from _satisfaction
where view_edition is null
order by municipality, year, channel
