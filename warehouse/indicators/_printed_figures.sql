-- The figures of the printed tables in both views of _figures, as the monitor prints them.
-- Each row keeps the layout of the table it was printed in (staging.printed_rows): title, place,
-- label as printed and scale. Inside an edition that is the edition's own table; in the current
-- view (view_edition NULL) the table of the latest edition that prints the series. A row printed
-- with a scale phrase shows its figures in that scale with as many decimals as its cells had.
-- Figures delivered in tidy form print in no table: they form one untitled group (table_title and
-- label_printed NULL) after the printed tables, in catalogue order.
with printed as (
    select
        printed_rows.municipality,
        printed_rows.edition,
        printed_rows.table_number,
        printed_rows.table_title,
        printed_rows.row_number,
        printed_rows.series,
        printed_rows.label_printed,
        printed_rows.scale,
        coalesce(max(cells.decimals), 0) as decimals
    from staging.printed_rows as printed_rows
    left join staging.cells as cells
        on
            printed_rows.municipality = cells.municipality
            and printed_rows.edition = cells.edition
            and printed_rows.file = cells.file
            and printed_rows.series = cells.series
    group by all
),

printed_keys as (
    select distinct
        municipality,
        edition as view_edition,
        series
    from printed
    union all
    select distinct
        municipality,
        null as view_edition,
        series
    from printed
),

unprinted as (
    select distinct
        figures.municipality,
        figures.view_edition,
        figures.series
    from _figures as figures
    anti join printed_keys
        on
            figures.municipality = printed_keys.municipality
            and figures.series = printed_keys.series
            and figures.view_edition is not distinct from printed_keys.view_edition
),

latest_printed as (
    select printed.*
    from printed
    semi join _figures as figures
        on
            printed.municipality = figures.municipality
            and printed.series = figures.series
            and figures.view_edition is null
    qualify row_number() over (partition by printed.municipality, printed.series order by printed.edition desc) = 1
),

layout as (
    select
        * exclude (edition),  -- noqa: AM04
        edition as view_edition,
        edition as table_edition
    from printed
    union all by name
    select
        * exclude (edition),  -- noqa: AM04
        null as view_edition,
        edition as table_edition
    from latest_printed
    union all by name
    select
        unprinted.municipality,
        unprinted.view_edition,
        null as table_edition,
        null as table_number,
        null as table_title,
        row_number() over (
            partition by unprinted.municipality, unprinted.view_edition order by series.position
        ) as row_number,
        unprinted.series,
        null as label_printed,
        1 as scale,
        0 as decimals
    from unprinted
    inner join series using (series)
),

placed as (
    select
        *,
        row_number() over (
            partition by municipality, view_edition
            order by table_edition desc nulls last, table_number asc, row_number asc
        ) as position
    from layout
),

final as (
    select
        placed.municipality,
        placed.view_edition,
        placed.table_edition,
        placed.table_title,
        placed.row_number,
        placed.series,
        placed.label_printed,
        series.label_nl,
        series.unit,
        placed.position,
        placed.scale,
        placed.decimals,
        figures.year,
        case
            when figures.value is not null and placed.scale > 1
                then dutch_decimal(figures.value / placed.scale, placed.decimals)
            else dutch_number(figures.value, series.unit)
        end as shown
    from placed
    inner join series using (series)
    inner join _figures as figures
        on
            placed.municipality = figures.municipality
            and placed.series = figures.series
            and placed.view_edition is not distinct from figures.view_edition
)

select * from final
