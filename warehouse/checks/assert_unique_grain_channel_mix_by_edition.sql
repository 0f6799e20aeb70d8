select municipality, year, channel, edition, count(*) as n
from channel_mix_by_edition
group by municipality, year, channel, edition
having count(*) > 1
