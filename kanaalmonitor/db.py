"""Every DuckDB connection the project opens: the build's, the readers' and the users' locked one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from kanaalmonitor.config import SQL_DIR
from kanaalmonitor.errors import PublishedUnreadable

MACROS_FILE = "macros.sql"

# No connection ever downloads or loads an extension on its own.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# The published warehouse is written for the oldest DuckDB storage that holds everything it uses (tables, their
# COMMENT ON texts on tables and columns): DuckDB 1.0 and every later client (the DuckDB CLI, DBeaver, R, Python)
# opens it. DuckDB 0.10.0 cannot open even a file written as v0.10.0 (a serialization error, comments or not);
# the default (the newest storage) opens in no 1.x client.
STORAGE_VERSION = "v1.0.0"


def connect(path: Path | str = ":memory:", read_only: bool = False, **settings: object) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file (or memory) with the offline settings and any others given."""
    return duckdb.connect(str(path), read_only=read_only, config={**OFFLINE, **settings})


def new_warehouse(path: Path | str, **settings: object) -> duckdb.DuckDBPyConnection:
    """A connection that creates the warehouse file to publish, in the storage of STORAGE_VERSION."""
    return connect(path, storage_compatibility_version=STORAGE_VERSION, **settings)


def read_only_connection(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can read the published warehouse and nothing else (the users' commands)."""
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"No warehouse at {warehouse}: run `kanaalmonitor run` first.")
    return connect(warehouse, read_only=True, enable_external_access=False, lock_configuration=True)


# The tables a refresh reads from the published warehouse; a file without them is of a schema it does not know.
PUBLISHED_TABLES = ("build_info", "deliveries", "editions", "observation_vintages")


def query_published(warehouse: Path, sql: str, params: list | None = None) -> list[tuple] | None:
    """Rows of one read-only query on the published warehouse; None when nothing is published (no file).

    Any other failure to read it (a damaged file, not DuckDB, a table of PUBLISHED_TABLES missing, a failing
    query) raises PublishedUnreadable: what is published is either read or the caller stops."""
    if not Path(warehouse).exists():
        return None
    try:
        con = connect(warehouse, read_only=True)
        try:
            found = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'")
                     .fetchall()}
            missing = [t for t in PUBLISHED_TABLES if t not in found]
            if missing:
                raise PublishedUnreadable(warehouse, f"it has no table {', '.join(missing)}, so it is not a warehouse "
                                                     f"this version of kanaalmonitor knows")
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise PublishedUnreadable(warehouse, exc) from None


def file_error(exc: BaseException) -> bool:
    """Whether a DuckDB error is about the database file (truncated, damaged, unreadable), not the statement."""
    return isinstance(exc, (duckdb.IOException, duckdb.FatalException)) or (
        isinstance(exc, duckdb.Error) and str(exc).startswith("Corrupt database file"))


def create_macros(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """The macros of warehouse/macros.sql on this connection, temporary (a read-only one included)."""
    con.execute((Path(sql_dir) / MACROS_FILE).read_text(encoding="utf-8"))
