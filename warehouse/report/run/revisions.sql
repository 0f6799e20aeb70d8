-- The figures an edition changed without a method change, as the run report prints them.
select
    series.label_nl,
    revisions.year,
    revisions.old_edition,
    dutch_number(revisions.old_value, series.unit) as old_value,
    revisions.new_edition,
    dutch_number(revisions.new_value, series.unit) as new_value,
    case
        when revisions.change_pct is not null then dutch_decimal(revisions.change_pct, 1, signed := true) || ' %'
        else '-'
    end as change_pct,
    coalesce(nullif(revisions.note, ''), 'geen toelichting in de levering') as note
from revisions
inner join series using (series)
where revisions.kind = 'restated'
order by series.position, revisions.year, revisions.new_edition
