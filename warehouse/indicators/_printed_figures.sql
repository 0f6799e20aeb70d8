-- The figures of the key-figures table in both views of _figures, as the monitor prints them.
select
    figures.municipality,
    figures.view_edition,
    series.position,
    series.series,
    series.label_nl,
    series.unit,
    figures.year,
    dutch_number(figures.value, series.unit) as shown
from _figures as figures
inner join series using (series)
where series.printed_table = 'kerncijfers'
