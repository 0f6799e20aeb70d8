with delivered as (
    select distinct
        municipality,
        edition,
        delivery
    from staging.cells
),

files as (
    select * from staging.files
),

final as (
    select
        delivered.municipality,
        delivered.edition,
        any_value(files.published_on) as published_on,
        any_value(files.source) as source,
        min(files.loaded_at) as loaded_at
    from delivered
    inner join files on delivered.delivery = files.delivery
    group by delivered.municipality, delivered.edition
)

select * from final
order by municipality, edition
