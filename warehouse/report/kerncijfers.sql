-- The key-figures table as the edition published it.
select * exclude (municipality, edition)
from kerncijfers_by_edition
where municipality = $municipality
    and edition = $edition
order by position
