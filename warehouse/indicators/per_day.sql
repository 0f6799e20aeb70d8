-- The current figures' rows of per_day_by_edition.
select
    by_edition.municipality,
    by_edition.series,
    by_edition.year,
    by_edition.value,
    by_edition.days,
    by_edition.per_day
from per_day_by_edition as by_edition
inner join observations using (municipality, series, year, edition)
order by municipality, series, year
