-- The footnotes of each printed table of the edition. Rows with a series give the marker its
-- label carries (part 0); rows without give the lines under the table: first those printed
-- (footnotes, part 1, in printed order), one for each declared method change whose series
-- carries no printed marker, numbered (1), (2), ... (part 2), then the printed source lines (part 3).
with printed_labels as (
    select distinct
        observation_vintages.series,
        observation_vintages.label,
        observation_vintages.file,
        series.printed_table,
        series.position
    from observation_vintages
    inner join series using (series)
    where
        observation_vintages.municipality = $municipality
        and observation_vintages.edition = $edition
),

table_files as (
    select distinct
        file,
        printed_table
    from printed_labels
),

printed_notes as (
    select
        notes.marker,
        notes.text,
        notes.file,
        notes.row,
        table_files.printed_table
    from notes
    inner join table_files using (file)
    where
        notes.municipality = $municipality
        and notes.edition = $edition
),

printed_marks as (
    select
        printed_labels.series,
        printed_labels.printed_table,
        min(printed_notes.marker) as marker
    from printed_labels
    inner join printed_notes
        on
            printed_labels.file = printed_notes.file
            and printed_notes.marker is not null
            and ends_with(printed_labels.label, printed_notes.marker)
    group by printed_labels.series, printed_labels.printed_table
),

declared_marks as (
    select
        method_changes.series,
        series.printed_table,
        row_number() over (partition by series.printed_table order by series.position) as number,
        '(' || number || ')' as marker,
        method_changes.note
    from method_changes
    inner join series using (series)
    where
        method_changes.municipality = $municipality
        and method_changes.edition = $edition
        and method_changes.series not in (select printed_marks.series from printed_marks)
),

marks as (
    select
        printed_table,
        series,
        marker
    from printed_marks
    union all
    select
        printed_table,
        series,
        marker
    from declared_marks
),

final as (
    select
        printed_table,
        series,
        marker,
        null as text,
        0 as part,
        0 as row
    from marks
    union all
    select
        printed_table,
        null as series,
        marker,
        text,
        case when marker is null then 3 else 1 end as part,
        row
    from printed_notes
    union all
    select
        printed_table,
        null as series,
        marker,
        note as text,
        2 as part,
        number as row
    from declared_marks
)

select
    printed_table,
    series,
    marker,
    text
from final
order by printed_table, part, row, series
