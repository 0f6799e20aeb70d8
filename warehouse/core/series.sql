select
    series,
    label_nl,
    unit,
    channel,
    parent,
    description,
    counts_contacts,
    position
from staging.series
order by position
