select municipality, series, year, new_edition, count(*) as n
from revisions
group by municipality, series, year, new_edition
having count(*) > 1
