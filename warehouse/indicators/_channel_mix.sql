-- Each channel's contacts as a share of all contacts of the year, in both views of _figures.
-- The catalogue (series.counts_contacts) says which series count a channel's contacts. Shares
-- are given only for a year in which every counted series has a figure in the view; in any other
-- year every channel's share is NULL (contacts still shown where known), so shares always sum to 100.
with counted as (
    select
        series,
        channel,
        position
    from series
    where counts_contacts
),

years as (
    select distinct
        figures.municipality,
        figures.view_edition,
        figures.year
    from _figures as figures
    inner join counted on figures.series = counted.series
),

grid as (
    select
        years.municipality,
        years.view_edition,
        years.year,
        counted.series,
        counted.channel,
        counted.position
    from years
    cross join counted
),

per_channel as (
    select
        grid.municipality,
        grid.view_edition,
        grid.year,
        grid.channel,
        min(grid.position) as position,
        case when count(figures.value) = count(*) then sum(figures.value) end as contacts
    from grid
    left join _figures as figures
        on
            grid.municipality = figures.municipality
            and grid.view_edition is not distinct from figures.view_edition
            and grid.year = figures.year
            and grid.series = figures.series
    group by grid.municipality, grid.view_edition, grid.year, grid.channel
)

select
    municipality,
    view_edition,
    year,
    channel,
    contacts,
    case
        when count(contacts) over per_year = count(*) over per_year
            then 100 * contacts / nullif(sum(contacts) over per_year, 0)
    end as share_pct,
    position
from per_channel
window per_year as (partition by municipality, view_edition, year)
