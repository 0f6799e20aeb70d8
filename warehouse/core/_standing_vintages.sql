-- The delivered cells (every column of observation_vintages) no later restatement on a new method replaced.
select vintages.*  -- noqa: AM04
from observation_vintages as vintages
anti join _restated_vintages using (municipality, series, year, edition)
