-- Footnote and source lines the edition printed under each table, in printed order.
with table_files as (
    select distinct observation_vintages.file, series.printed_table
    from observation_vintages
    join series using (series)
    where observation_vintages.municipality = $municipality
        and observation_vintages.edition = $edition
)

select table_files.printed_table, notes.marker, notes.text
from notes
join table_files using (file)
where notes.municipality = $municipality
    and notes.edition = $edition
order by table_files.printed_table, notes.file, notes.row
