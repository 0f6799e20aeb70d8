"""The README stays true: every example query runs on a built warehouse, and its exit-code table lists every
ExitCode and nothing else."""

from __future__ import annotations

import re

import duckdb
import pytest

from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import read_only_connection
from kanaalmonitor.errors import ExitCode

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of one '## ' section of the README."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def example_queries() -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", section("Example queries"), flags=re.DOTALL)
    return [st for block in blocks for st in (s.strip() for s in block.split(";")) if st]


def test_the_readme_has_an_example_query_for_every_public_table(built_2019):
    con = read_only_connection(built_2019)
    try:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main'"
                                            ).fetchall()}
    finally:
        con.close()
    queried = {t for q in example_queries() for t in re.findall(r"\bfrom (\w+)", q)}
    assert sorted(tables - queried) == []


@pytest.mark.parametrize("sql", example_queries(), ids=lambda sql: sql.splitlines()[0][:60])
def test_every_example_query_runs_on_the_users_connection(built_2019, sql):
    con = read_only_connection(built_2019)
    try:
        [statement] = duckdb.extract_statements(sql)
        con.execute(sql).fetchall()
    finally:
        con.close()
    assert statement.type.name in {"SELECT", "MULTI"}  # MULTI: PIVOT


def test_the_exit_code_table_lists_every_exit_code():
    table = section("Command line").split("exits with its code", 1)[1]
    codes = [int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)]
    assert codes == [code.value for code in ExitCode]
