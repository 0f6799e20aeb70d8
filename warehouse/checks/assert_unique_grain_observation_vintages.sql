select municipality, series, year, edition, count(*) as n
from observation_vintages
group by municipality, series, year, edition
having count(*) > 1
