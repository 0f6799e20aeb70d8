select municipality, channel, year, count(*) as n
from satisfaction
group by municipality, channel, year
having count(*) > 1
