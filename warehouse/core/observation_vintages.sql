-- The method of a cell is the one declared by the latest edition up to the cell's own
-- that covers its year (a restatement covers every year, a break the years from from_year on).
with cells as (
    select * from staging.cells
),

changes as (
    select * from staging.method_changes
),

applicable as (
    select
        municipality,
        series,
        cells.year,
        cells.edition,
        changes.kind,
        changes.method,
        changes.from_year
    from cells
    inner join changes using (municipality, series)
    where
        cells.edition >= changes.edition
        and (changes.kind = 'restate' or cells.year >= changes.from_year)
    qualify row_number() over (
        partition by municipality, series, cells.year, cells.edition
        order by changes.edition desc
    ) = 1
),

final as (
    select
        cells.municipality,
        cells.series,
        cells.year,
        cells.edition,
        cells.value,
        case
            when applicable.kind = 'break' and cells.year = applicable.from_year and cells.value is not null
                then 'B'
            else cells.status
        end as status,
        coalesce(applicable.method, 'standaard') as method,
        cells.cell,
        cells.file,
        cells.row,
        cells.label,
        cells.load_id
    from cells
    left join applicable using (municipality, series, year, edition)
)

select * from final
order by municipality, series, year, edition
