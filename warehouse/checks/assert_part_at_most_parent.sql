-- Within every edition, and in the current view where part and parent come from one edition.
select part.municipality, part.series, part.year, part.edition, part.value, whole.value as parent_value
from observation_vintages as part
join series on series.series = part.series
join observation_vintages as whole
    on whole.municipality = part.municipality
    and whole.series = series.parent
    and whole.year = part.year
    and whole.edition = part.edition
where part.value > whole.value
