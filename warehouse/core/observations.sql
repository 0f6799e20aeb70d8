-- Per series and year the standing cell of the latest edition.
select
    municipality,
    series,
    year,
    value,
    status,
    method,
    edition
from _standing_vintages
qualify row_number() over (partition by municipality, series, year order by edition desc) = 1
order by municipality, series, year
