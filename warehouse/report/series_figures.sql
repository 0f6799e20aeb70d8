-- Per series other than the report grades (the satisfaction section has those): the edition's
-- latest year with a figure, its change against the year before, the average per day and the
-- share in the parent series, rounded as the monitor prints them (whole numbers and whole
-- percents), and the method change the edition declares for it.
with edition_values as (
    select
        series,
        year,
        value,
        status,
        method
    from observation_vintages
    where
        municipality = $municipality
        and edition = $edition
        and value is not null
),

latest as (
    select
        series,
        max(year) as year
    from edition_values
    group by series
),

yoy as (
    select * from yoy_change_by_edition
    where municipality = $municipality and edition = $edition
),

per_day as (
    select * from per_day_by_edition
    where municipality = $municipality and edition = $edition
),

changes as (
    select
        series,
        kind as method_change,
        from_year as method_from_year
    from method_changes
    where municipality = $municipality and edition = $edition
),

shares as (
    select * from part_shares_by_edition
    where municipality = $municipality and edition = $edition
),

labelled as (
    select
        series.series,
        series.position,
        series.channel,
        series.unit,
        series.parent,
        series.label_nl,
        regexp_replace(regexp_replace(series.label_nl, '^(waarvan |aantal )', ''), ' \(%\)$', '') as noun,
        regexp_replace(regexp_replace(parents.label_nl, '^(waarvan |aantal )', ''), ' \(%\)$', '') as parent_noun
    from series
    left join series as parents on series.parent = parents.series
    where series.unit <> 'grade'
),

final as (
    select
        labelled.series,
        labelled.position,
        labelled.channel,
        labelled.unit,
        labelled.parent,
        labelled.label_nl,
        labelled.noun,
        labelled.parent_noun,
        latest.year,
        latest.year - 1 as previous_year,
        edition_values.value,
        yoy.previous_value,
        coalesce(yoy.comparable, false) as comparable,
        round(yoy.change, 0) as change_whole,
        round(yoy.change_pct, 0) as change_pct_whole,
        abs(round(yoy.change_pct, 0)) as change_pct_size,
        edition_values.status = 'B' or coalesce(previous_values.method <> edition_values.method, false) as broken,
        case
            when yoy.change_pct is null or not coalesce(yoy.comparable, false) then null
            when labelled.unit = 'count' and round(yoy.change_pct, 0) > 0 then 'toegenomen'
            when labelled.unit = 'count' and round(yoy.change_pct, 0) < 0 then 'afgenomen'
            when labelled.unit <> 'count' and round(yoy.change, 0) > 0 then 'toegenomen'
            when labelled.unit <> 'count' and round(yoy.change, 0) < 0 then 'afgenomen'
            else 'gelijk gebleven'
        end as direction,
        round(per_day.per_day, 0) as per_day_whole,
        shares.parent_value,
        round(shares.share_pct, 0) as share_pct_whole,
        changes.method_change,
        changes.method_from_year,
        dutch_rounded(edition_values.value, labelled.unit) as value_text,
        dutch_rounded(yoy.previous_value, labelled.unit) as previous_value_text,
        dutch_decimal(abs(round(yoy.change_pct, 0)), 0) as change_pct_size_text,
        dutch_decimal(round(per_day.per_day, 0), 0) as per_day_text,
        dutch_decimal(shares.parent_value, 0) as parent_value_text,
        dutch_decimal(round(shares.share_pct, 0), 0) as share_pct_text
    from labelled
    inner join latest using (series)
    inner join edition_values using (series, year)
    left join edition_values as previous_values
        on
            latest.series = previous_values.series
            and previous_values.year = latest.year - 1
    left join yoy using (series, year)
    left join per_day using (series, year)
    left join shares using (series, year)
    left join changes using (series)
)

select * from final
order by position
