-- Count series only; days are the calendar days of the year (366 in a leap year).
with counts as (
    select vintages.*
    from observation_vintages as vintages
    inner join series using (series)
    where series.unit = 'count'
),

final as (
    select
        municipality,
        series,
        year,
        value,
        dayofyear(make_date(year, 12, 31)) as days,
        value / dayofyear(make_date(year, 12, 31)) as per_day,
        edition
    from counts
)

select * from final
order by municipality, series, year, edition
