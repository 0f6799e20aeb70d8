select
    'part_shares' as table_name,
    municipality,
    series as key,
    year,
    cast(null as integer) as edition,
    share_pct
from part_shares
where share_pct < 0 or share_pct > 100
union all
select
    'part_shares_by_edition' as table_name,
    municipality,
    series as key,
    year,
    edition,
    share_pct
from part_shares_by_edition
where share_pct < 0 or share_pct > 100
union all
select
    'channel_mix' as table_name,
    municipality,
    channel as key,
    year,
    null as edition,
    share_pct
from channel_mix
where share_pct < 0 or share_pct > 100
union all
select
    'channel_mix_by_edition' as table_name,
    municipality,
    channel as key,
    year,
    edition,
    share_pct
from channel_mix_by_edition
where share_pct < 0 or share_pct > 100
