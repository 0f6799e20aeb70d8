-- Report grade per channel inside each edition alone; previous grade and change follow the
-- rules of yoy_change_by_edition (same edition, same method, no break). Rank 1 = highest grade
-- among the channels graded that year; equal grades share a rank.
with grades as (
    select
        by_edition.*,
        series.channel
    from yoy_change_by_edition as by_edition
    inner join series using (series)
    where series.unit = 'grade'
),

final as (
    select
        municipality,
        channel,
        year,
        value as grade,
        previous_value as previous_grade,
        round(change, 1) as change,
        case
            when value is not null
                then rank() over (partition by municipality, edition, year, value is null order by value desc)
        end as rank,
        edition
    from grades
)

select * from final
order by municipality, edition, year, channel
