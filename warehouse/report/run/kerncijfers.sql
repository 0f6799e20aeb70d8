-- The published key-figures table (current figures), one row per series, for the table artifact.
-- The year columns come from the PIVOT that built kerncijfers: only known when it ran.
select * exclude (position)  -- noqa: AM04
from kerncijfers
order by municipality, position
