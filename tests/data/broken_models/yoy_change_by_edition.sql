-- Broken on purpose: compares every year with the year before in the edition, whatever the method
-- and also into a break year.
select
    municipality,
    series,
    year,
    value,
    lag(value) over by_year as previous_value,
    value - lag(value) over by_year as change,
    100 * (value - lag(value) over by_year) / lag(value) over by_year as change_pct,
    coalesce(value is not null and lag(value) over by_year is not null, false) as comparable,
    edition
from observation_vintages
window by_year as (partition by municipality, series, edition order by year)
order by municipality, series, year, edition
