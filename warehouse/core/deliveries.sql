with cell_counts as (
    select
        file,
        municipality,
        count(*) as rows
    from staging.cells
    group by file, municipality
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
    from staging.files as files
    inner join cell_counts on files.file = cell_counts.file
)

select * from final
order by municipality, edition, file
