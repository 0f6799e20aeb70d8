-- The key-figures table as the edition published it.
-- The year columns come from the PIVOT that built kerncijfers_by_edition: only known when it ran.
select * exclude (municipality, edition)  -- noqa: AM04
from kerncijfers_by_edition
where
    municipality = $municipality
    and edition = $edition
order by position
