-- A cell without a value has status O, and a cell with status O has no value: the cell as delivered
-- (file, cell) beside the figure it was read as.
select
    municipality,
    series,
    year,
    edition,
    file,
    cell,
    value,
    status
from observation_vintages
where (value is null) <> (status = 'O')
