-- No current figure may come from an edition older than a later edition that delivered the same
-- series and year on the same method.
select observations.municipality, observations.series, observations.year, observations.edition,
    newer.edition as newer_edition
from observations
join observation_vintages as newer
    on newer.municipality = observations.municipality
    and newer.series = observations.series
    and newer.year = observations.year
    and newer.edition > observations.edition
