"""What both reports share: the queries under warehouse/report/ (with the macros of warehouse/macros.sql, so
that numbers are formatted in SQL, once) and the Jinja templates under kanaalmonitor/report/templates/."""

from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kanaalmonitor.config import SQL_DIR
from kanaalmonitor.db import create_macros

REPORT_SQL_DIR = SQL_DIR / "report"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def with_macros(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The connection with the warehouse macros (dutch_number, dutch_decimal) created on it, temporary."""
    create_macros(con)
    return con


def query(con: duckdb.DuckDBPyConnection, name: str, limit: int | None = None, **params: object) -> list[dict]:
    """Run warehouse/report/<name>.sql with bound parameters; rows as dicts (the first limit, when given)."""
    sql = (REPORT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    cur = con.execute(sql if limit is None else f"select * from ({sql}\n) limit {int(limit)}", params)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def count(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> int:
    """The number of rows warehouse/report/<name>.sql gives."""
    sql = (REPORT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return con.execute(f"select count(*) from ({sql}\n)", params).fetchone()[0]


def templates(**filters: object) -> Environment:
    """The Markdown templates: undefined names fail, block tags leave no lines of their own."""
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(filters)
    return env
