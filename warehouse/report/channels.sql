-- The channels the edition delivers (a series other than a report grade in its tables), in the order
-- the edition prints them, named as the catalogue names them, with the source lines printed under
-- the tables their series are printed in (the edition's source where those tables print none).
with delivered as (
    select
        series.channel,
        series.channel_name_nl as name_nl,
        series.channel_phrase_nl as phrase_nl,
        printed.table_title,
        printed.position
    from kerncijfers_by_edition as printed
    inner join series using (series)
    where
        printed.municipality = $municipality
        and printed.edition = $edition
        and series.unit <> 'grade'
),

sources as (
    select
        table_title,
        row,
        text
    from notes
    where
        municipality = $municipality
        and edition = $edition
        and marker is null
),

tables as (
    select
        channel,
        table_title,
        min(position) as position
    from delivered
    group by channel, table_title
),

lines as (
    select
        tables.channel,
        list(sources.text order by tables.position, sources.row) as source_lines
    from tables
    inner join sources on tables.table_title is not distinct from sources.table_title
    group by tables.channel
),

edition as (
    select source
    from editions
    where municipality = $municipality and edition = $edition
)

select
    delivered.channel,
    any_value(delivered.name_nl) as name_nl,
    any_value(delivered.phrase_nl) as phrase_nl,
    coalesce(
        any_value(lines.source_lines),
        [(select 'Bron: ' || edition.source from edition)]
    ) as source_lines
from delivered
left join lines using (channel)
group by delivered.channel
order by min(delivered.position)
