-- Within every edition, and in the current view where part and parent come from one edition.
select
    part.municipality,
    part.series,
    part.year,
    part.edition,
    part.value,
    whole.value as parent_value
from observation_vintages as part
inner join series on part.series = series.series
inner join observation_vintages as whole
    on
        part.municipality = whole.municipality
        and series.parent = whole.series
        and part.year = whole.year
        and part.edition = whole.edition
where part.value > whole.value
