select
    municipality,
    edition,
    series,
    kind,
    method,
    from_year,
    note
from staging.method_changes
order by municipality, series, edition
