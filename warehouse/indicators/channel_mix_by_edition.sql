-- The view of _channel_mix inside each edition alone.
select
    * exclude (view_edition, position),  -- noqa: AM04
    view_edition as edition
from _channel_mix
where view_edition is not null
order by municipality, edition, year, position
