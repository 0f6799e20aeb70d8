-- The hidden and very hidden sheets of the delivered workbooks: never read as data.
select
    file,
    sheet
from workbook_sheets
where state <> 'visible'
order by file, position
