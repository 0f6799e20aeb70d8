-- The count series the edition delivers, as known at the edition: per series and year the figure from the latest
-- edition up to it, and, flagged withdrawn, the figures a restatement on a new method replaced; scale is the
-- factor of the scale phrase of the series' printed label ('(in miljoenen)': 1000000), 1 without one.
with vintages as (
    select observation_vintages.*
    from observation_vintages
    inner join series using (series)
    where
        observation_vintages.municipality = $municipality
        and observation_vintages.edition <= $edition
        and series.unit = 'count'
        and observation_vintages.series in (
            select delivered.series
            from observation_vintages as delivered
            where delivered.municipality = $municipality and delivered.edition = $edition
        )
),

restatements as (
    select
        series,
        edition
    from method_changes
    where
        municipality = $municipality
        and kind = 'restate'
        and edition <= $edition
),

flagged as (
    select
        vintages.*,
        exists(
            select 1
            from restatements
            where
                restatements.series = vintages.series
                and restatements.edition > vintages.edition
        ) as withdrawn
    from vintages
),

printed as (
    select
        series,
        scale
    from kerncijfers_by_edition
    where municipality = $municipality and edition = $edition
),

final as (
    select
        flagged.series,
        coalesce(printed.scale, 1) as scale,
        series.label_nl,
        series.channel,
        series.position,
        flagged.year,
        flagged.value,
        flagged.status,
        flagged.method,
        flagged.edition,
        flagged.withdrawn
    from flagged
    inner join series using (series)
    left join printed using (series)
    qualify row_number() over (
        partition by
            flagged.series, flagged.year, flagged.withdrawn,
            case when flagged.withdrawn then flagged.method end
        order by flagged.edition desc
    ) = 1
)

select * from final
order by position, withdrawn, method, year
