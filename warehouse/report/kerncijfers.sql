-- The tables as the edition published them, in printed order; grades_only marks a table of report
-- grades only (the chapter shows those in its satisfaction section).
-- The year columns come from the PIVOT that built kerncijfers_by_edition: only known when it ran.
select
    * exclude (municipality, edition),  -- noqa: AM04
    bool_and(unit = 'grade') over (partition by table_title) as grades_only
from kerncijfers_by_edition
where
    municipality = $municipality
    and edition = $edition
order by position
