-- Per current figure of a part: its row of part_shares_by_edition (parent from the same edition
-- and year), without the parent where a later restatement on a new method replaced the parent's
-- figure of that edition.
with standing_parents as (
    select
        municipality,
        series as parent,
        year,
        edition
    from _standing_vintages
)

select
    by_edition.municipality,
    by_edition.series,
    by_edition.parent,
    by_edition.year,
    by_edition.value,
    case when standing_parents.edition is not null then by_edition.parent_value end as parent_value,
    case when standing_parents.edition is not null then by_edition.share_pct end as share_pct
from part_shares_by_edition as by_edition
inner join observations using (municipality, series, year, edition)
left join standing_parents using (municipality, parent, year, edition)
order by by_edition.municipality, by_edition.series, by_edition.year
