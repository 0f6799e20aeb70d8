-- Figures the edition changed against the edition before it, with the series label and unit.
select
    series.label_nl,
    series.unit,
    revisions.series,
    revisions.year,
    revisions.old_edition,
    revisions.old_value,
    revisions.new_edition,
    revisions.new_value,
    round(revisions.change_pct, 0) as change_pct_whole,
    revisions.kind,
    revisions.note
from revisions
inner join series using (series)
where
    revisions.municipality = $municipality
    and revisions.new_edition = $edition
order by series.position, revisions.year
