-- Report grade per channel, current; grade, previous grade and change come from yoy_change
-- (both years from one edition and one method). Rank 1 = highest grade among the channels
-- graded that year; equal grades share a rank.
with grades as (
    select
        yoy_change.*,
        series.channel
    from yoy_change
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
                then rank() over (partition by municipality, year, value is null order by value desc)
        end as rank
    from grades
)

select * from final
order by municipality, year, channel
