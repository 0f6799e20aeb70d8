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

-- A figure as the chapter's running text prints it, in the unit and scale of its printed row: grades with
-- one decimal, durations as dutch_number prints them, percents with '%', a row printed '(in miljoenen)'
-- (scale 1000000) as '5,5 miljoen' and '(in duizenden)' as '5,5 duizend'; percents and scaled figures with
-- the decimals the row was printed with, other figures whole. signed puts '+' before a positive figure.
create or replace temp macro dutch_rounded(figure, unit, scale := 1, decimals := 0, signed := false) as
case
    when figure is null then '-'
    when unit = 'grade' then dutch_decimal(figure, 1, signed := signed)
    when unit = 'duration'
        then
            (case when figure < 0 then '-' when signed and figure > 0 then '+' else '' end)
            || dutch_number(abs(figure), unit)
    when unit = 'percent' then dutch_decimal(figure, decimals, signed := signed) || '%'
    when scale = 1000000 then dutch_decimal(figure / scale, decimals, signed := signed) || ' miljoen'
    when scale = 1000 then dutch_decimal(figure / scale, decimals, signed := signed) || ' duizend'
    else dutch_decimal(figure, 0, signed := signed)
end;

-- A change in percent as the chapter prints it: signed, whole, or with one decimal when it rounds to
-- less than 1 in size ('+12%', '-0,2%', '0,0%').
create or replace temp macro dutch_change_pct(change_pct) as
case
    when change_pct is null then '-'
    when abs(round(change_pct, 1)) < 1 then dutch_decimal(change_pct, 1, signed := true) || '%'
    else dutch_decimal(change_pct, 0, signed := true) || '%'
end;

-- A difference between two percents, in procentpunten with the decimals printed: '5 procentpunten',
-- '1 procentpunt', '0,5 procentpunt'; signed puts '+' before a positive difference.
create or replace temp macro dutch_points(change, decimals := 0, signed := false) as
case
    when change is null then '-'
    when abs(round(change, decimals)) <= 1 then dutch_decimal(change, decimals, signed := signed) || ' procentpunt'
    else dutch_decimal(change, decimals, signed := signed) || ' procentpunten'
end;

-- A revised figure's change: a percent in procentpunten; any other figure as the absolute difference in
-- the unit and scale of its row with the change in percent ('-660 (-0,2%)', '+12.000 (+12%)').
create or replace temp macro dutch_revision(change, change_pct, unit, scale := 1, decimals := 0) as
case
    when change is null then '-'
    when unit = 'percent' then dutch_points(change, decimals := decimals, signed := true)
    else
        dutch_rounded(change, unit, scale := scale, decimals := decimals, signed := true)
        || ' (' || dutch_change_pct(change_pct) || ')'
end;
