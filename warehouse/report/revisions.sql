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
    revisions.note,
    dutch_rounded(revisions.old_value, series.unit) as old_value_text,
    dutch_rounded(revisions.new_value, series.unit) as new_value_text,
    case
        when revisions.change_pct is not null
            then dutch_decimal(round(revisions.change_pct, 0), 0, signed := true) || '%'
        else '-'
    end as change_pct_text
from revisions
inner join series using (series)
where
    revisions.municipality = $municipality
    and revisions.new_edition = $edition
order by series.position, revisions.year
