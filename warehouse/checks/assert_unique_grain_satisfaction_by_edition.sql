select municipality, channel, year, edition, count(*) as n
from satisfaction_by_edition
group by municipality, channel, year, edition
having count(*) > 1
