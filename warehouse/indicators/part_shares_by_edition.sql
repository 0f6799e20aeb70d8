-- Share of a part ("waarvan" row) in its parent, both from the same edition and year.
with parts as (
    select
        vintages.*,
        series.parent
    from observation_vintages as vintages
    inner join series using (series)
    where series.parent is not null
),

final as (
    select
        parts.municipality,
        parts.series,
        parts.parent,
        parts.year,
        parts.value,
        parents.value as parent_value,
        100 * parts.value / nullif(parents.value, 0) as share_pct,
        parts.edition
    from parts
    left join observation_vintages as parents
        on
            parts.municipality = parents.municipality
            and parts.parent = parents.series
            and parts.year = parents.year
            and parts.edition = parents.edition
)

select * from final
order by municipality, series, year, edition
