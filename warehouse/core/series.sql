select
    series,
    label_nl,
    unit,
    channel,
    parent,
    description,
    counts_contacts,
    printed_table,
    position
from staging.series
order by position
