-- No current figure may come from an edition older than a later edition that delivered the same
-- series and year on the same method.
select
    observations.municipality,
    observations.series,
    observations.year,
    observations.edition,
    newer.edition as newer_edition
from observations
inner join observation_vintages as newer
    on
        observations.municipality = newer.municipality
        and observations.series = newer.series
        and observations.year = newer.year
        and observations.edition < newer.edition
