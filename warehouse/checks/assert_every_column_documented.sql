with

objects as (
    select
        database_name,
        schema_name,
        internal,
        table_name,
        column_name,
        comment
    from duckdb_columns()
    union all
    select
        database_name,
        schema_name,
        internal,
        table_name,
        null as column_name,
        comment
    from duckdb_tables()
)

select
    table_name,
    column_name
from objects
where
    database_name = current_database()
    and schema_name = 'main'
    and not internal
    and (comment is null or comment = '')
