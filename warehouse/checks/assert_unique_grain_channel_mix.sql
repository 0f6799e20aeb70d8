select municipality, year, channel, count(*) as n
from channel_mix
group by municipality, year, channel
having count(*) > 1
