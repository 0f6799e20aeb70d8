-- Per series other than the report grades (the satisfaction section has those) that the edition
-- delivers: the edition's latest year with a figure, its change against the year before, the
-- average per day (only for a series that counts contacts, or is a part of one) and the share in the
-- parent series, in the unit and scale of the row the edition prints it in ('4,1 miljoen', '61%'),
-- changes of percents in procentpunten, and the method change the edition declares for it.
-- noun_nl and channel_phrase_nl come from the catalogue: the series and its channel as a sentence
-- names them.
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

printed as (
    select
        series,
        scale,
        decimals,
        position
    from kerncijfers_by_edition
    where municipality = $municipality and edition = $edition
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

described as (
    select
        series.series,
        coalesce(printed.position, 1000000 + series.position) as position,
        series.channel,
        series.channel_phrase_nl,
        series.unit,
        series.parent,
        series.label_nl,
        series.noun_nl as noun,
        parents.noun_nl as parent_noun,
        series.counts_contacts or coalesce(parents.counts_contacts, false) as counts_contacts,
        coalesce(printed.scale, 1) as scale,
        coalesce(printed.decimals, 0) as decimals,
        coalesce(parent_printed.scale, 1) as parent_scale,
        coalesce(parent_printed.decimals, 0) as parent_decimals
    from series
    left join series as parents on series.parent = parents.series
    left join printed on series.series = printed.series
    left join printed as parent_printed on series.parent = parent_printed.series
    where series.unit <> 'grade'
),

final as (
    select
        described.series,
        described.position,
        described.channel,
        described.channel_phrase_nl,
        described.unit,
        described.parent,
        described.label_nl,
        described.noun,
        described.parent_noun,
        latest.year,
        latest.year - 1 as previous_year,
        edition_values.value,
        yoy.previous_value,
        coalesce(yoy.comparable, false) as comparable,
        round(yoy.change, described.decimals) as change_rounded,
        round(yoy.change_pct, 0) as change_pct_whole,
        edition_values.status = 'B' or coalesce(previous_values.method <> edition_values.method, false) as broken,
        case
            when yoy.change_pct is null or not coalesce(yoy.comparable, false) then null
            when described.unit = 'count' and round(yoy.change_pct, 0) > 0 then 'toegenomen'
            when described.unit = 'count' and round(yoy.change_pct, 0) < 0 then 'afgenomen'
            when described.unit = 'percent' and round(yoy.change, described.decimals) > 0 then 'gestegen'
            when described.unit = 'percent' and round(yoy.change, described.decimals) < 0 then 'gedaald'
            when described.unit not in ('count', 'percent') and round(yoy.change, 0) <> 0 then 'veranderd'
            else 'gelijk gebleven'
        end as direction,
        case when described.counts_contacts then round(per_day.per_day, 0) end as per_day_whole,
        shares.parent_value,
        round(shares.share_pct, 0) as share_pct_whole,
        changes.method_change,
        changes.method_from_year,
        dutch_rounded(
            edition_values.value, described.unit, scale := described.scale, decimals := described.decimals
        ) as value_text,
        dutch_rounded(
            yoy.previous_value, described.unit, scale := described.scale, decimals := described.decimals
        ) as previous_value_text,
        dutch_decimal(abs(round(yoy.change_pct, 0)), 0) as change_pct_size_text,
        dutch_points(abs(yoy.change), decimals := described.decimals) as change_points_size_text,
        dutch_decimal(round(per_day.per_day, 0), 0) as per_day_text,
        dutch_rounded(
            shares.parent_value, 'count', scale := described.parent_scale, decimals := described.parent_decimals
        ) as parent_value_text,
        dutch_decimal(round(shares.share_pct, 0), 0) as share_pct_text
    from described
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
