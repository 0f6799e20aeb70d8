-- The published key-figures table, current values, formatted as the monitor prints them.
with current_values as (
    select
        observations.municipality,
        series.position,
        series.series,
        series.label_nl,
        series.unit,
        observations.year,
        case
            when observations.value is null then '-'
            when series.unit = 'count' then replace(format('{:,}', cast(observations.value as bigint)), ',', '.')
            when series.unit = 'grade' then replace(format('{:.1f}', observations.value), '.', ',')
            else replace(format('{:g}', observations.value), '.', ',')
        end as shown
    from observations
    join series using (series)
    where series.printed_table = 'kerncijfers'
)

pivot current_values
on year
using any_value(shown)
group by municipality, position, series, label_nl, unit
order by municipality, position
