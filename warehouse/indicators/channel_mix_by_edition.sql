-- The view of _channel_mix inside each edition alone.
select
    municipality,
    year,
    channel,
    contacts,
    share_pct,
    channels_covered,
    view_edition as edition
from _channel_mix
where view_edition is not null
order by municipality, edition, year, position
