"""The data rules of a pandera.ibis model in one SQL statement, compiled once and kept between processes.

pandera.ibis runs each data rule as a query of its own (about 40 for `Observations`). The statement here holds
every rule as the boolean expression pandera itself executes for it (`check_passed` of pandera's own check
backend, or the not-null rule of a column as pandera writes it), so it decides them all in one query.

Compiling the statement imports pandera and ibis and takes about a second in a fresh process, more than the
rest of validating a small delivery. So it is kept in a file of the user's cache (`cache_dir()`), under a key of
everything it follows from: the model's name, the table's name and DuckDB column types, the source of
`schemas/` and of this module, and the versions of pandera, ibis, sqlglot and DuckDB. A statement is stored
only after pandera has found the table's columns and types right, so a stored statement answers pandera's
schema check too. A file that does not read back exactly as written is a miss, never an answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

import duckdb

from kanaalmonitor.config import PROJECT_ROOT, SCHEMAS_DIR

CACHE_ENV = "KANAALMONITOR_CACHE_DIR"
LIBRARIES = ("pandera", "ibis-framework", "sqlglot", "duckdb")
FORMAT = 1

_COLUMNS = """
select column_name, data_type, is_nullable
from information_schema.columns
where table_name = ? and table_schema = current_schema() and table_catalog = current_database()
order by ordinal_position
"""


def cache_dir() -> Path:
    """Where compiled statements are kept: $KANAALMONITOR_CACHE_DIR, else kanaalmonitor/rules under
    $XDG_CACHE_HOME or ~/.cache."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kanaalmonitor" / "rules"


def _sources() -> list[Path]:
    return [*sorted(SCHEMAS_DIR.glob("*.py")), Path(__file__)]


def statement_key(con: duckdb.DuckDBPyConnection, table: str, model: str) -> str:
    """The key of the statement of model's rules on table as it is now in con's database."""
    h = hashlib.sha256(f"format {FORMAT}\0{model}\0{table}\0".encode())
    h.update(repr(con.execute(_COLUMNS, [table]).fetchall()).encode())
    for name in LIBRARIES:
        h.update(f"\0{name} {metadata.version(name)}".encode())
    for path in _sources():
        h.update(f"\0{path.relative_to(PROJECT_ROOT).as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cached_statement(key: str) -> str | None:
    """The stored statement of key, or None when none is stored or what is stored is not what was written."""
    try:
        entry = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
        sql = entry["sql"]
        if entry["key"] == key and entry["sha256"] == hashlib.sha256(sql.encode()).hexdigest():
            return sql
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def store_statement(key: str, sql: str) -> None:
    """Keep the statement of key, written whole (temporary file and rename); a cache that cannot be written
    only means the next process compiles again."""
    folder = cache_dir()
    text = json.dumps({"key": key, "sha256": hashlib.sha256(sql.encode()).hexdigest(), "sql": sql})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass


def rule_expressions(table, model) -> dict[str, object]:
    """Every data rule pandera.ibis runs for model on table, by name, as the boolean expression it executes for
    it (`check_passed` of pandera's own check backend, or the not-null rule of a column as pandera writes it)."""
    schema = model.to_schema()
    if schema.unique or any(col.unique for col in schema.columns.values()):
        raise NotImplementedError(f"{model.__name__}: uniqueness is a rule pandera runs apart; write it as a check")
    if any(check.raise_warning for check in [*schema.checks, *(c for col in schema.columns.values()
                                                              for c in col.checks)]):
        raise NotImplementedError(f"{model.__name__}: a check that only warns never refuses; leave it out")
    rules = {}
    for name, col in schema.columns.items():
        column = table[name]
        if not col.nullable:
            missing = column.isnull()
            if column.type().is_floating():
                missing |= column.isnan()
            rules[f"{name}: not_nullable"] = (~missing).all()
        for check in col.checks:
            rules[f"{name}: {check.name}"] = check(column, name).check_passed
    for check in schema.checks:
        rules[check.name] = check(table).check_passed
    return rules


def compile_statement(table, model) -> str:
    """One select of every data rule of model on the ibis table, one boolean column each."""
    import ibis

    return "select " + ", ".join(f"({ibis.to_sql(rule, dialect='duckdb')})"
                                 for rule in rule_expressions(table, model).values())


def rules_hold(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Whether every rule of the statement holds. A rule that is false, or null as on an empty table, fails, as
    in pandera."""
    (row,) = con.execute(sql).fetchall()
    return all(passed is True for passed in row)
