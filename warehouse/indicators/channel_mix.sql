-- The current view of _channel_mix.
select * exclude (view_edition, position)  -- noqa: AM04
from _channel_mix
where view_edition is null
order by municipality, year, position
