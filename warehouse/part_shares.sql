-- Per current figure of a part: its row of part_shares_by_edition (parent from the same edition
-- and year), without the parent where a later restatement on a new method replaced the parent's
-- figures of that edition.
with restatements as (
    select municipality, series, edition
    from method_changes
    where kind = 'restate'
),

shares as (
    select
        by_edition.*,
        exists (
            select 1
            from restatements
            where restatements.municipality = by_edition.municipality
                and restatements.series = by_edition.parent
                and restatements.edition > by_edition.edition
        ) as parent_replaced
    from part_shares_by_edition as by_edition
    join observations using (municipality, series, year, edition)
),

final as (
    select
        municipality,
        series,
        parent,
        year,
        value,
        case when not parent_replaced then parent_value end as parent_value,
        case when not parent_replaced then share_pct end as share_pct
    from shares
)

select * from final
order by municipality, series, year
