-- A year with shares has a share for every channel, and they sum to 100 (up to rounding of doubles).
select
    'channel_mix' as table_name,
    municipality,
    year,
    cast(null as integer) as edition,
    sum(share_pct) as total,
    count(share_pct) as shares,
    count(*) as channels
from channel_mix
group by municipality, year
having count(share_pct) > 0 and (count(share_pct) < count(*) or abs(sum(share_pct) - 100) > 1e-6)
union all
select
    'channel_mix_by_edition' as table_name,
    municipality,
    year,
    edition,
    sum(share_pct) as total,
    count(share_pct) as shares,
    count(*) as channels
from channel_mix_by_edition
group by municipality, year, edition
having count(share_pct) > 0 and (count(share_pct) < count(*) or abs(sum(share_pct) - 100) > 1e-6)
