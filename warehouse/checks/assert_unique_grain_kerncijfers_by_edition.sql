select municipality, edition, series, count(*) as n
from kerncijfers_by_edition
group by municipality, edition, series
having count(*) > 1
