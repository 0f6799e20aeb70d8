with vintages as (
    select * from observation_vintages
),

method_notes as (
    select
        municipality,
        series,
        edition,
        string_agg(note, ' ' order by method) as note
    from staging.method_changes
    group by municipality, series, edition
),

pairs as (
    select
        municipality,
        series,
        year,
        lag(edition) over by_edition as old_edition,
        lag(value) over by_edition as old_value,
        lag(method) over by_edition as old_method,
        edition as new_edition,
        value as new_value,
        method as new_method
    from vintages
    window by_edition as (partition by municipality, series, year order by edition)
),

changed as (
    select
        municipality,
        series,
        year,
        old_edition,
        old_value,
        new_edition,
        new_value,
        case
            when old_method <> new_method then 'remeasured'
            when old_value is null then 'filled'
            when new_value is null then 'withdrawn'
            else 'restated'
        end as kind
    from pairs
    where
        old_edition is not null
        and (old_value is distinct from new_value or old_method <> new_method)
),

-- The latest vintage before a restatement, for years the restatement does not deliver.
withdrawn as (
    select
        restated.municipality,
        restated.series,
        restated.year,
        restated.edition as old_edition,
        restated.value as old_value,
        restated.restated_in as new_edition,
        cast(null as double) as new_value,
        'withdrawn' as kind
    from _restated_vintages as restated
    where not exists (
        select 1
        from vintages as later
        where
            later.municipality = restated.municipality
            and later.series = restated.series
            and later.year = restated.year
            and later.edition > restated.edition
            and later.edition <= restated.restated_in
    )
),

unioned as (
    select * from changed
    union all
    select * from withdrawn
),

final as (
    select
        unioned.municipality,
        unioned.series,
        unioned.year,
        unioned.old_edition,
        unioned.old_value,
        unioned.new_edition,
        unioned.new_value,
        unioned.new_value - unioned.old_value as change,
        100 * (unioned.new_value - unioned.old_value) / nullif(unioned.old_value, 0) as change_pct,
        unioned.kind,
        coalesce(
            case when unioned.kind in ('remeasured', 'withdrawn') then method_notes.note end,
            revision_notes.note
        ) as note
    from unioned
    left join method_notes
        on
            unioned.municipality = method_notes.municipality
            and unioned.series = method_notes.series
            and unioned.new_edition = method_notes.edition
    left join staging.revision_notes as revision_notes
        on
            unioned.municipality = revision_notes.municipality
            and unioned.series = revision_notes.series
            and unioned.new_edition = revision_notes.edition
            and (revision_notes.year is null or unioned.year = revision_notes.year)
)

select * from final
order by municipality, series, year, new_edition
