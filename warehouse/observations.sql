-- A vintage leaves the current view when a later edition restated its series on a new method.
with vintages as (
    select * from observation_vintages
),

restatements as (
    select municipality, series, edition
    from staging.method_changes
    where kind = 'restate'
),

standing as (
    select vintages.*
    from vintages
    where not exists (
        select 1
        from restatements
        where restatements.municipality = vintages.municipality
            and restatements.series = vintages.series
            and restatements.edition > vintages.edition
    )
),

final as (
    select municipality, series, year, value, status, method, edition
    from standing
    qualify row_number() over (partition by municipality, series, year order by edition desc) = 1
)

select * from final
order by municipality, series, year
