-- Change against the year before, inside each edition alone: both years from the edition,
-- on the same method, and never into a break year (status B).
-- The year before is the previous row of the same municipality, series and edition when it is that year
-- (one row per key: a window, a sort that spills, instead of joining the vintages to themselves).
with paired as (
    select
        municipality,
        series,
        year,
        edition,
        value,
        case
            when
                status <> 'B'
                and lag(year) over by_year = year - 1
                and lag(method) over by_year = method
                then lag(value) over by_year
        end as previous_value
    from observation_vintages
    window by_year as (partition by municipality, series, edition order by year)
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
