with files as (
    select * from staging.files
),

sheets as (
    select * from staging.sheets
),

cell_counts as (
    select
        delivery,
        file,
        count(*) as rows
    from staging.cells
    group by delivery, file
),

final as (
    select
        files.municipality,
        files.edition,
        sheets.file,
        sheets.sheet,
        sheets.position,
        sheets.state,
        sheets.table_name is not null as is_read,
        coalesce(cell_counts.rows, 0) as rows
    from sheets
    inner join files on sheets.file = files.file
    left join cell_counts
        on
            sheets.delivery = cell_counts.delivery
            and sheets.table_name = cell_counts.file
)

select * from final
order by municipality, edition, file, position
