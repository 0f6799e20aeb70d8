select municipality, series, year, edition, count(*) as n
from yoy_change_by_edition
group by municipality, series, year, edition
having count(*) > 1
