select municipality, series, year, edition, count(*) as n
from per_day_by_edition
group by municipality, series, year, edition
having count(*) > 1
