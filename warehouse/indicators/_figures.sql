-- Every figure in the two views an indicator is computed in: inside each edition alone
-- (view_edition is that edition) and current (view_edition NULL).
select
    municipality,
    series,
    year,
    value,
    edition as view_edition
from observation_vintages
union all
select
    municipality,
    series,
    year,
    value,
    null as view_edition
from observations
