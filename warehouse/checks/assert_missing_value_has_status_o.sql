select
    municipality,
    series,
    year,
    edition,
    value,
    status
from observation_vintages
where (value is null) <> (status = 'O')
