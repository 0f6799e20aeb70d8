select municipality, series, year, count(*) as n
from yoy_change
group by municipality, series, year
having count(*) > 1
