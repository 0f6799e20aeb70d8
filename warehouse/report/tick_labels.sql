-- The labels of a chart's axis: each tick as a whole number in Dutch print.
select list_transform($ticks, lambda tick: dutch_decimal(tick, 0)) as labels
