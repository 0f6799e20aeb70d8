-- Per current observation: the change from the latest edition that holds both years on the
-- current figure's method (outside editions a later restatement on a new method replaced).
-- Where no edition does, the current figure with change NULL and comparable false.
with current_figures as (
    select * from observations
),

comparable_pairs as (
    select
        by_edition.*,
        standing.method
    from yoy_change_by_edition as by_edition
    inner join _standing_vintages as standing using (municipality, series, year, edition)
    where by_edition.comparable
),

latest_pair as (
    select comparable_pairs.*
    from comparable_pairs
    inner join current_figures using (municipality, series, year, method)
    qualify row_number() over (
        partition by comparable_pairs.municipality, comparable_pairs.series, comparable_pairs.year
        order by comparable_pairs.edition desc
    ) = 1
),

final as (
    select
        current_figures.municipality,
        current_figures.series,
        current_figures.year,
        coalesce(latest_pair.value, current_figures.value) as value,
        latest_pair.previous_value,
        latest_pair.change,
        latest_pair.change_pct,
        latest_pair.edition is not null as comparable,
        coalesce(latest_pair.edition, current_figures.edition) as edition
    from current_figures
    left join latest_pair using (municipality, series, year)
)

select * from final
order by municipality, series, year
