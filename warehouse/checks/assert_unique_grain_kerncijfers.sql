select municipality, series, count(*) as n
from kerncijfers
group by municipality, series
having count(*) > 1
