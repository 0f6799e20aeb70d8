-- How many revisions of each other kind the table revisions holds.
select
    kind,
    count(*) as revisions
from revisions
where kind <> 'restated'
group by kind
order by kind
