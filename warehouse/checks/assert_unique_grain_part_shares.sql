select municipality, series, year, count(*) as n
from part_shares
group by municipality, series, year
having count(*) > 1
