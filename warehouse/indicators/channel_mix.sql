-- The current view of _channel_mix.
select
    municipality,
    year,
    channel,
    contacts,
    share_pct,
    channels_covered
from _channel_mix
where view_edition is null
order by municipality, year, position
