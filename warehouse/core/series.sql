select
    series,
    label_nl,
    unit,
    channel,
    parent,
    description,
    counts_contacts,
    position,
    noun_nl,
    channel_name_nl,
    channel_phrase_nl
from staging.series
order by position
