-- Report grade per channel in both views: current (view_edition NULL; grade, previous grade and
-- change from yoy_change) and inside each edition alone (view_edition is that edition; from
-- yoy_change_by_edition), so both years come from one edition and one method. Rank 1 = highest
-- grade among the channels graded that year in the view; equal grades share a rank.
with changes as (
    select
        * exclude (edition),
        null as view_edition
    from yoy_change
    union all by name
    select
        * exclude (edition),
        edition as view_edition
    from yoy_change_by_edition
),

grades as (
    select
        changes.*,
        series.channel
    from changes
    inner join series using (series)
    where series.unit = 'grade'
)

select
    municipality,
    view_edition,
    channel,
    year,
    value as grade,
    previous_value as previous_grade,
    round(change, 1) as change,
    case
        when value is not null
            then rank() over (partition by municipality, view_edition, year, value is null order by value desc)
    end as rank
from grades
