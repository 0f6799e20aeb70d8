-- The key-figures table as each edition published it.
with edition_values as (
    select
        vintages.municipality,
        vintages.edition,
        series.position,
        series.series,
        series.label_nl,
        series.unit,
        vintages.year,
        case
            when vintages.value is null then '-'
            when series.unit = 'count' then replace(format('{:,}', cast(vintages.value as bigint)), ',', '.')
            when series.unit = 'grade' then replace(format('{:.1f}', vintages.value), '.', ',')
            else replace(format('{:g}', vintages.value), '.', ',')
        end as shown
    from observation_vintages as vintages
    join series using (series)
    where series.printed_table = 'kerncijfers'
)

pivot edition_values
on year
using any_value(shown)
group by municipality, edition, position, series, label_nl, unit
order by municipality, edition, position
