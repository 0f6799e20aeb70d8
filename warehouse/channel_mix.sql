-- Each channel's contacts as a share of all contacts of the year, current figures.
-- The catalogue (series.counts_contacts) says which series count a channel's contacts. Shares
-- are given only for a year in which every counted series has a current figure; in any other
-- year every channel's share is NULL (contacts still shown where known), so shares always sum to 100.
with counted as (
    select series, channel, position
    from series
    where counts_contacts
),

years as (
    select distinct observations.municipality, observations.year
    from observations
    join counted using (series)
),

grid as (
    select years.municipality, years.year, counted.series, counted.channel, counted.position
    from years
    cross join counted
),

per_channel as (
    select
        grid.municipality,
        grid.year,
        grid.channel,
        min(grid.position) as position,
        case when count(observations.value) = count(*) then sum(observations.value) end as contacts
    from grid
    left join observations
        on observations.municipality = grid.municipality
        and observations.year = grid.year
        and observations.series = grid.series
    group by grid.municipality, grid.year, grid.channel
),

final as (
    select
        municipality,
        year,
        channel,
        contacts,
        case
            when count(contacts) over per_year = count(*) over per_year
                then 100 * contacts / nullif(sum(contacts) over per_year, 0)
        end as share_pct,
        position
    from per_channel
    window per_year as (partition by municipality, year)
)

select municipality, year, channel, contacts, share_pct
from final
order by municipality, year, position
