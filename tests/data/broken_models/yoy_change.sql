-- Broken on purpose: takes the latest edition with a comparable pair, whatever the method of the
-- current figure.
with latest_pair as (
    select *
    from yoy_change_by_edition
    where comparable
    qualify row_number() over (partition by municipality, series, year order by edition desc) = 1
)

select
    observations.municipality,
    observations.series,
    observations.year,
    coalesce(latest_pair.value, observations.value) as value,
    latest_pair.previous_value,
    latest_pair.change,
    latest_pair.change_pct,
    latest_pair.edition is not null as comparable,
    coalesce(latest_pair.edition, observations.edition) as edition
from observations
left join latest_pair using (municipality, series, year)
order by municipality, series, year
