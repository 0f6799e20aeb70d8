select municipality, series, year, count(*) as n
from observations
group by municipality, series, year
having count(*) > 1
