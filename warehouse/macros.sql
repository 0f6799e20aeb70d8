-- Created (temporary, never published) before the first model, and on the connection the reports read with.

-- The digits of dutch_decimal (below), rounded as printf rounds (half to even on the exact binary value).
create or replace temp macro dutch_digits(figure, decimals) as
translate(format('{:,.{}f}', cast(figure as double), decimals), ',.', '.,');

-- A number in Dutch print: '.' groups thousands, ',' is the decimal mark, a fixed number of decimals,
-- '-' where there is no number; signed puts '+' before a positive number. A number that rounds to zero
-- is printed without a sign ('0,0', never '-0,0').
create or replace temp macro dutch_decimal(figure, decimals, signed := false) as
case
    when figure is null or isnan(cast(figure as double)) then '-'
    when regexp_full_match(dutch_digits(figure, decimals), '-?[0.,]+') then ltrim(dutch_digits(figure, decimals), '-')
    when signed and figure > 0 then '+' || dutch_digits(figure, decimals)
    else dutch_digits(figure, decimals)
end;

-- A figure as the monitor prints it: '-' where not available, counts with a thousands point,
-- grades with one decimal, durations (seconds) as m:ss or from an hour on h:mm:ss, other units
-- as short as exact, all with a decimal comma.
create or replace temp macro dutch_number(figure, unit) as
case
    when figure is null then '-'
    when unit = 'count' then dutch_decimal(figure, 0)
    when unit = 'grade' then dutch_decimal(figure, 1)
    when unit = 'duration' and figure >= 3600
        then format(
            '{}:{:02d}:{:02d}',
            cast(figure as bigint) // 3600,
            cast(figure as bigint) % 3600 // 60,
            cast(figure as bigint) % 60
        )
    when unit = 'duration'
        then format('{}:{:02d}', cast(figure as bigint) // 60, cast(figure as bigint) % 60)
    else replace(format('{:g}', figure), '.', ',')
end;

-- A figure as the chapter's running text prints it: grades with one decimal, percents whole with '%',
-- durations as dutch_number prints them, other units whole.
create or replace temp macro dutch_rounded(figure, unit) as
case
    when unit = 'grade' then dutch_decimal(figure, 1)
    when unit = 'duration' then dutch_number(figure, unit)
    when unit = 'percent' and figure is not null then dutch_decimal(figure, 0) || '%'
    else dutch_decimal(figure, 0)
end;
