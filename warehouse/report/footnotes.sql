-- The footnotes of each printed table of the edition. Rows with a series give the marker to add to
-- its printed label: one for each declared method change whose row prints no marker of a footnote of
-- its table, numbered (1), (2), ... per table (part 0). Rows without give the lines under the table:
-- first those printed (footnotes, part 1, in printed order), then the numbered notes of the declared
-- method changes (part 2), then the printed source lines (part 3).
with printed_rows as (
    select
        table_title,
        row_number,
        series,
        label_printed
    from kerncijfers_by_edition
    where
        municipality = $municipality
        and edition = $edition
),

printed_notes as (
    select
        table_title,
        row,
        marker,
        text
    from notes
    where
        municipality = $municipality
        and edition = $edition
),

marked as (
    select distinct printed_rows.series
    from printed_rows
    inner join printed_notes
        on
            printed_rows.table_title = printed_notes.table_title
            and printed_notes.marker is not null
            and contains(printed_rows.label_printed, printed_notes.marker)
),

declared_marks as (
    select
        printed_rows.table_title,
        method_changes.series,
        row_number() over (
            partition by printed_rows.table_title order by printed_rows.row_number
        ) as number,
        '(' || number || ')' as marker,
        method_changes.note
    from method_changes
    inner join printed_rows using (series)
    where
        method_changes.municipality = $municipality
        and method_changes.edition = $edition
        and method_changes.series not in (select marked.series from marked)
),

final as (
    select
        table_title,
        series,
        marker,
        null as text,
        0 as part,
        0 as row
    from declared_marks
    union all
    select
        table_title,
        null as series,
        marker,
        text,
        case when marker is null then 3 else 1 end as part,
        row
    from printed_notes
    union all
    select
        table_title,
        null as series,
        marker,
        note as text,
        2 as part,
        number as row
    from declared_marks
)

select
    table_title,
    series,
    marker,
    text
from final
order by table_title, part, row, series
