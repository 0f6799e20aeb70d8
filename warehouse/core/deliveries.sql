-- A workbook's cells carry their sheet's table name (file[sheet] when it has several sheets):
-- staging.sheets maps each back to its file, so a workbook counts as one file with the cells of all its sheets.
with files as (
    select * from staging.files
),

sheets as (
    select * from staging.sheets
),

cell_files as (
    select
        cells.municipality,
        coalesce(sheets.file, cells.file) as file_path
    from staging.cells as cells
    left join sheets
        on
            cells.delivery = sheets.delivery
            and cells.file = sheets.table_name
),

cell_counts as (
    select
        file_path,
        municipality,
        count(*) as rows
    from cell_files
    group by file_path, municipality
),

final as (
    select
        files.file,
        files.sha256,
        cell_counts.municipality,
        files.edition,
        cell_counts.rows,
        files.load_id,
        files.loaded_at
    from files
    inner join cell_counts on files.file = cell_counts.file_path
)

select * from final
order by municipality, edition, file
