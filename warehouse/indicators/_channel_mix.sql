-- Each channel's contacts as a share of all contacts of the year, in both views of _figures.
-- The catalogue (series.counts_contacts) says which series count a channel's contacts. The shares
-- of a year cover the channels delivered: inside an edition, the counted series that edition
-- delivers at all (a row in any year, '-' included); in the current view, the counted series some
-- edition delivered for that year. A channel no longer delivered is left out; a delivered series
-- without a figure that year ('-', or withdrawn from the current view) leaves every share of the
-- year NULL (contacts still shown where known), so shares always sum to 100.
with counted as (
    select
        series,
        channel,
        position
    from series
    where counts_contacts
),

counted_vintages as (
    select
        vintages.municipality,
        vintages.edition,
        vintages.year,
        counted.series,
        counted.channel,
        counted.position
    from observation_vintages as vintages
    inner join counted on vintages.series = counted.series
),

edition_years as (
    select distinct
        municipality,
        edition,
        year
    from counted_vintages
),

edition_series as (
    select distinct
        municipality,
        edition,
        series,
        channel,
        position
    from counted_vintages
),

grid as (
    select
        edition_years.municipality,
        edition_years.edition as view_edition,
        edition_years.year,
        edition_series.series,
        edition_series.channel,
        edition_series.position
    from edition_years
    inner join edition_series
        on
            edition_years.municipality = edition_series.municipality
            and edition_years.edition = edition_series.edition
    union
    select
        municipality,
        null as view_edition,
        year,
        series,
        channel,
        position
    from counted_vintages
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
),

covered as (
    select
        municipality,
        view_edition,
        year,
        string_agg(channel, ', ' order by position) as channels_covered
    from per_channel
    group by municipality, view_edition, year
)

select
    per_channel.municipality,
    per_channel.view_edition,
    per_channel.year,
    per_channel.channel,
    per_channel.contacts,
    case
        when count(per_channel.contacts) over per_year = count(*) over per_year
            then 100 * per_channel.contacts / nullif(sum(per_channel.contacts) over per_year, 0)
    end as share_pct,
    covered.channels_covered,
    per_channel.position
from per_channel
inner join covered
    on
        per_channel.municipality = covered.municipality
        and per_channel.view_edition is not distinct from covered.view_edition
        and per_channel.year = covered.year
window per_year as (partition by per_channel.municipality, per_channel.view_edition, per_channel.year)
