-- Channels in the order of the published table, named as the satisfaction table names them.
select
    channel,
    coalesce(any_value(label_nl) filter (where unit = 'grade'), channel) as name_nl
from series
group by channel
order by min(position)
