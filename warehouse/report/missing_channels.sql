-- Channels whose contacts an earlier edition of the municipality counted but this edition does not
-- deliver (the row is gone): the channel-share sentence names them as left out.
with counted as (
    select distinct
        series.channel,
        series.channel_phrase_nl,
        observation_vintages.edition
    from observation_vintages
    inner join series using (series)
    where
        observation_vintages.municipality = $municipality
        and observation_vintages.edition <= $edition
        and series.counts_contacts
),

channel_order as (
    select
        channel,
        min(position) as position
    from series
    group by channel
)

select
    counted.channel,
    any_value(counted.channel_phrase_nl) as phrase_nl
from counted
inner join channel_order using (channel)
group by counted.channel
having not bool_or(counted.edition = $edition)
order by any_value(channel_order.position)
