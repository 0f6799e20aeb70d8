-- A current figure that differs more than 25% from the year before, on the same method: worth a look, never a block.
with current_values as (
    select
        municipality,
        series,
        year,
        value,
        method,
        edition
    from observations
    where value is not null
),

pairs as (
    select
        this_year.municipality,
        this_year.series,
        this_year.year,
        previous_year.value as previous_value,
        this_year.value,
        this_year.value - previous_year.value as change,
        100 * (this_year.value - previous_year.value) / previous_year.value as change_pct,
        this_year.method,
        this_year.edition
    from current_values as this_year
    inner join current_values as previous_year
        on
            this_year.municipality = previous_year.municipality
            and this_year.series = previous_year.series
            and previous_year.year = this_year.year - 1
            and this_year.method = previous_year.method
    where previous_year.value <> 0
),

final as (
    select
        pairs.municipality,
        pairs.series,
        series.label_nl,
        series.unit,
        pairs.year,
        pairs.previous_value,
        pairs.value,
        pairs.change,
        round(pairs.change_pct, 1) as change_pct,
        pairs.method,
        pairs.edition
    from pairs
    inner join series using (series)
    where abs(pairs.change_pct) > 25
)

select * from final
order by municipality, series, year
