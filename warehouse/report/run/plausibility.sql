-- The plausibility warnings of the current figures, as the run report prints them.
select
    warnings.label_nl,
    warnings.year,
    dutch_number(warnings.previous_value, warnings.unit) as previous_value,
    dutch_number(warnings.value, warnings.unit) as value,
    dutch_decimal(warnings.change_pct, 1, signed := true) || ' %' as change_pct
from plausibility_warnings as warnings
inner join series using (series)
order by series.position, warnings.year
