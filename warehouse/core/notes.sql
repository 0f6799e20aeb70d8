select
    municipality,
    edition,
    file,
    table_title,
    row,
    marker,
    text
from staging.notes
order by municipality, edition, file, row
