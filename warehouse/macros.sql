-- Created (temporary, never published) before the first model.

-- A figure as the monitor prints it: '-' where not available, counts with a thousands point,
-- grades with one decimal, other units as short as exact, all with a decimal comma.
create or replace temp macro dutch_number(figure, unit) as
case
    when figure is null then '-'
    when unit = 'count' then replace(format('{:,}', cast(figure as bigint)), ',', '.')
    when unit = 'grade' then replace(format('{:.1f}', figure), '.', ',')
    else replace(format('{:g}', figure), '.', ',')
end;
