select
    table_name,
    column_name
from duckdb_columns()
where
    database_name = current_database()
    and schema_name = 'main'
    and not internal
    and (comment is null or comment = '')
union all
select
    table_name,
    null as column_name
from duckdb_tables()
where
    database_name = current_database()
    and schema_name = 'main'
    and not internal
    and (comment is null or comment = '')
