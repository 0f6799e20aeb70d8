-- Each channel's contacts as a share of all contacts of the year, inside each edition alone.
-- The catalogue (series.counts_contacts) says which series count a channel's contacts. Shares
-- are given only for a year in which every counted series has a figure; in any other year
-- every channel's share is NULL (contacts still shown where known), so shares always sum to 100.
with counted as (
    select series, channel, position
    from series
    where counts_contacts
),

years as (
    select distinct vintages.municipality, vintages.edition, vintages.year
    from observation_vintages as vintages
    join counted using (series)
),

grid as (
    select years.municipality, years.edition, years.year, counted.series, counted.channel, counted.position
    from years
    cross join counted
),

per_channel as (
    select
        grid.municipality,
        grid.edition,
        grid.year,
        grid.channel,
        min(grid.position) as position,
        case when count(vintages.value) = count(*) then sum(vintages.value) end as contacts
    from grid
    left join observation_vintages as vintages
        on vintages.municipality = grid.municipality
        and vintages.edition = grid.edition
        and vintages.year = grid.year
        and vintages.series = grid.series
    group by grid.municipality, grid.edition, grid.year, grid.channel
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
        edition,
        position
    from per_channel
    window per_year as (partition by municipality, edition, year)
)

select municipality, year, channel, contacts, share_pct, edition
from final
order by municipality, edition, year, position
