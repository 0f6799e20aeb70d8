select
    municipality,
    edition,
    file,
    row,
    marker,
    text
from staging.notes
order by municipality, edition, file, row
