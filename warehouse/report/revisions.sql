-- Figures the edition changed against the edition before it, with the series label and unit, in the
-- unit and scale of the row the edition prints the series in: the figures, and the change as the
-- absolute difference with its percentage (one decimal below 1 %), a percent's change in procentpunten.
with printed as (
    select
        series,
        scale,
        decimals
    from kerncijfers_by_edition
    where municipality = $municipality and edition = $edition
)

select
    series.label_nl,
    series.unit,
    revisions.series,
    revisions.year,
    revisions.old_edition,
    revisions.old_value,
    revisions.new_edition,
    revisions.new_value,
    revisions.kind,
    revisions.note,
    dutch_rounded(
        revisions.old_value, series.unit,
        scale := coalesce(printed.scale, 1), decimals := coalesce(printed.decimals, 0)
    ) as old_value_text,
    dutch_rounded(
        revisions.new_value, series.unit,
        scale := coalesce(printed.scale, 1), decimals := coalesce(printed.decimals, 0)
    ) as new_value_text,
    dutch_revision(
        revisions.change, revisions.change_pct, series.unit,
        scale := coalesce(printed.scale, 1), decimals := coalesce(printed.decimals, 0)
    ) as change_text
from revisions
inner join series using (series)
left join printed using (series)
where
    revisions.municipality = $municipality
    and revisions.new_edition = $edition
order by series.position, revisions.year
