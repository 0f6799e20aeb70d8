-- Method changes the edition declares, with the series label.
select
    series.label_nl,
    method_changes.series,
    method_changes.kind,
    method_changes.method,
    method_changes.from_year,
    method_changes.note
from method_changes
inner join series using (series)
where
    method_changes.municipality = $municipality
    and method_changes.edition = $edition
order by series.position
