-- Change against the year before, inside each edition alone: both years from the edition,
-- on the same method, and never into a break year (status B).
with vintages as (
    select * from observation_vintages
),

paired as (
    select
        this_year.municipality,
        this_year.series,
        this_year.year,
        this_year.edition,
        this_year.value,
        case
            when this_year.status <> 'B' and previous_year.method = this_year.method
                then previous_year.value
        end as previous_value
    from vintages as this_year
    left join vintages as previous_year
        on
            this_year.municipality = previous_year.municipality
            and this_year.series = previous_year.series
            and this_year.edition = previous_year.edition
            and previous_year.year = this_year.year - 1
),

final as (
    select
        * exclude (edition),
        value - previous_value as change,
        100 * (value - previous_value) / nullif(previous_value, 0) as change_pct,
        coalesce(value is not null and previous_value is not null, false) as comparable,
        edition
    from paired
)

select * from final
order by municipality, series, year, edition
