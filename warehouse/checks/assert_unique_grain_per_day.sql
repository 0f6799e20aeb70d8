select municipality, series, year, count(*) as n
from per_day
group by municipality, series, year
having count(*) > 1
