-- Share of a part ("waarvan" row) in its parent, both from the same edition and year.
with parts as (
    select
        vintages.*,
        series.parent
    from observation_vintages as vintages
    inner join series using (series)
    where series.parent is not null
),

parents as (
    select
        municipality,
        series as parent,
        year,
        edition,
        value as parent_value
    from observation_vintages
),

final as (
    select
        parts.municipality,
        parts.series,
        parts.parent,
        parts.year,
        parts.value,
        parents.parent_value,
        100 * parts.value / nullif(parents.parent_value, 0) as share_pct,
        parts.edition
    from parts
    left join parents using (municipality, parent, year, edition)
)

select * from final
order by municipality, series, year, edition
