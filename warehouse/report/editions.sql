-- The editions of one municipality, each with the edition before it.
select
    edition,
    published_on,
    source,
    lag(edition) over (order by edition) as previous_edition
from editions
where municipality = $municipality
order by edition
