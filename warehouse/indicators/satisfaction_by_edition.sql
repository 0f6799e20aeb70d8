-- The view of _satisfaction inside each edition alone.
select
    * exclude (view_edition),  -- noqa: AM04
    view_edition as edition
from _satisfaction
where view_edition is not null
order by municipality, edition, year, channel
