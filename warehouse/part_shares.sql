-- Per current figure of a part: the parent from the same edition and year, unless a later
-- restatement on a new method replaced the parent's figures of that edition.
with parts as (
    select observations.*, series.parent
    from observations
    join series using (series)
    where series.parent is not null
),

restatements as (
    select municipality, series, edition
    from staging.method_changes
    where kind = 'restate'
),

standing_parents as (
    select vintages.*
    from observation_vintages as vintages
    where not exists (
        select 1
        from restatements
        where restatements.municipality = vintages.municipality
            and restatements.series = vintages.series
            and restatements.edition > vintages.edition
    )
),

final as (
    select
        parts.municipality,
        parts.series,
        parts.parent,
        parts.year,
        parts.value,
        parents.value as parent_value,
        100 * parts.value / nullif(parents.value, 0) as share_pct
    from parts
    left join standing_parents as parents
        on parents.municipality = parts.municipality
        and parents.series = parts.parent
        and parents.year = parts.year
        and parents.edition = parts.edition
)

select * from final
order by municipality, series, year
