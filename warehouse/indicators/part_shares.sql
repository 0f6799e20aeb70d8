-- Per current figure of a part: its row of part_shares_by_edition (parent from the same edition
-- and year), without the parent where a later restatement on a new method replaced the parent's
-- figure of that edition.
select
    by_edition.municipality,
    by_edition.series,
    by_edition.parent,
    by_edition.year,
    by_edition.value,
    case when parents.edition is not null then by_edition.parent_value end as parent_value,
    case when parents.edition is not null then by_edition.share_pct end as share_pct
from part_shares_by_edition as by_edition
inner join
    observations
    on
        by_edition.municipality = observations.municipality
        and by_edition.series = observations.series
        and by_edition.year = observations.year
        and by_edition.edition = observations.edition
left join _standing_vintages as parents
    on
        by_edition.municipality = parents.municipality
        and by_edition.parent = parents.series
        and by_edition.year = parents.year
        and by_edition.edition = parents.edition
order by by_edition.municipality, by_edition.series, by_edition.year
