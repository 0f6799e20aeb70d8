-- Satisfaction grades of the edition's latest year per channel, with the change against the
-- year before (rounded to the printed one decimal) and the best and worst channel.
with edition_grades as (
    select * from satisfaction_by_edition
    where
        municipality = $municipality
        and edition = $edition
),

latest as (
    select max(year) as year
    from edition_grades
    where grade is not null
),

names as (
    select
        channel,
        label_nl as name_nl,
        channel_phrase_nl as phrase_nl,
        position
    from series
    where unit = 'grade'
),

final as (
    select
        edition_grades.channel,
        names.name_nl,
        names.phrase_nl,
        edition_grades.year,
        edition_grades.year - 1 as previous_year,
        edition_grades.grade,
        edition_grades.previous_grade,
        round(edition_grades.change, 1) as change,
        abs(round(edition_grades.change, 1)) as change_size,
        case
            when edition_grades.change is null then null
            when round(edition_grades.change, 1) > 0 then 'hoger'
            when round(edition_grades.change, 1) < 0 then 'lager'
            else 'gelijk'
        end as direction,
        edition_grades.rank,
        edition_grades.rank = min(edition_grades.rank) over () as best,
        edition_grades.rank = max(edition_grades.rank) over () as worst,
        dutch_decimal(edition_grades.grade, 1) as grade_text,
        dutch_decimal(edition_grades.previous_grade, 1) as previous_grade_text,
        dutch_decimal(round(edition_grades.change, 1), 1, signed := true) as change_text,
        dutch_decimal(abs(round(edition_grades.change, 1)), 1) as change_size_text
    from edition_grades
    inner join latest using (year)
    inner join names using (channel)
    where edition_grades.grade is not null
)

select * from final
order by rank, name_nl
