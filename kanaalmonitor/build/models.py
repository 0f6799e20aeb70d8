"""The SQL models of the warehouse: one select per file under warehouse/<layer>/, built in the order of
the tables each select reads, documented and checked as models.toml says.

A file whose name starts with `_` is a private model: a temporary view the public models read, never
published. The macros of warehouse/macros.sql are created (temporary too) before the first model.
"""

from __future__ import annotations

import functools
import graphlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import sqlglot
from sqlglot import exp

from kanaalmonitor.config import CHECKS_DIR, MODELS_FILE, SQL_DIR
from kanaalmonitor.db import create_macros
from kanaalmonitor.faults import crash_point

if TYPE_CHECKING:
    import pandas as pd

LAYERS = ("core", "indicators")
INPUT_SCHEMA = "staging"
GENERIC_CHECKS = "generic"

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Model:
    name: str
    comment: str
    columns: dict[str, str]
    grain: tuple[str, ...] = ()
    accepted_values: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Select:
    """One model file: its select and the models it reads."""
    name: str
    path: Path
    sql: str
    reads: frozenset[str]

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")


def load_models(models_file: Path = MODELS_FILE) -> list[Model]:
    """The public models' comments, column texts, grains and accepted values."""
    data = tomllib.loads(Path(models_file).read_text(encoding="utf-8"))
    models = [Model(m["name"], m["comment"], dict(m.get("columns", {})), tuple(m.get("grain", ())),
                    {c: tuple(v) for c, v in m.get("accepted_values", {}).items()}) for m in data["model"]]
    for m in models:
        names = [*m.columns, *m.grain, *m.accepted_values]
        if not _IDENT.match(m.name) or not all(_IDENT.match(c) or c == "*" for c in names):
            raise ValueError(f"{models_file}: {m.name} has a name that is not a plain identifier")
    return models


def _label(path: Path, sql_dir: Path) -> str:
    return f"warehouse/{path.relative_to(sql_dir).as_posix()}"


@functools.lru_cache(maxsize=256)
def references(sql: str, label: str) -> frozenset[str]:
    """Names of the tables a select reads, without its own CTEs and without the staging inputs."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        where = e.errors[0] if e.errors else {}
        raise ValueError(f"{label}: not a select sqlglot can read (line {where.get('line')}, column "
                         f"{where.get('col')}: {where.get('description')})") from None
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return frozenset(t.name for t in tree.find_all(exp.Table)
                     if isinstance(t.this, exp.Identifier) and t.db != INPUT_SCHEMA and t.name not in ctes)


def build_order(sql_dir: Path = SQL_DIR) -> list[Select]:
    """Every model file under the layers, each after the models it reads."""
    sql_dir = Path(sql_dir)
    selects: dict[str, Select] = {}
    for path in sorted(p for layer in LAYERS for p in (sql_dir / layer).glob("*.sql")):
        label = _label(path, sql_dir)
        if path.stem in selects:
            raise ValueError(f"{label}: a model named {path.stem} is already {_label(selects[path.stem].path, sql_dir)}")
        sql = path.read_text(encoding="utf-8")
        selects[path.stem] = Select(path.stem, path, sql, references(sql, label))
    graph = graphlib.TopologicalSorter()
    for s in selects.values():
        unknown = sorted(s.reads - selects.keys())
        if unknown:
            raise ValueError(f"{_label(s.path, sql_dir)} reads {', '.join(unknown)}: no model of that name "
                             f"under warehouse/{{{','.join(LAYERS)}}}/ and not a {INPUT_SCHEMA} table")
        graph.add(s.name, *sorted(s.reads))
    try:
        return [selects[name] for name in graph.static_order()]
    except graphlib.CycleError as e:
        cycle = " -> ".join(_label(selects[n].path, sql_dir) for n in e.args[1])
        raise ValueError(f"The warehouse models read each other in a cycle: {cycle}") from None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_models(con: duckdb.DuckDBPyConnection, models: list[Model], sql_dir: Path = SQL_DIR,
                 progress: Callable[[int, int, str], None] | None = None) -> None:
    """Create the macros, every private model as a temporary view and every public one as a commented table;
    progress(k, K, name) after the k-th of the K public tables."""
    sql_dir = Path(sql_dir)
    order = build_order(sql_dir)
    documented = {m.name: m for m in models}
    public = {s.name: s for s in order if s.public}
    undocumented = sorted(public.keys() - documented.keys())
    if undocumented:
        raise ValueError(f"{_label(public[undocumented[0]].path, sql_dir)}: models.toml has no entry for "
                         f"{undocumented[0]}")
    missing = sorted(documented.keys() - public.keys())
    if missing:
        raise ValueError(f"models.toml: {missing[0]} has no select file under warehouse/{{{','.join(LAYERS)}}}/")
    create_macros(con, sql_dir)
    built = 0
    for s in order:
        if not s.public:
            con.register(s.name, con.sql(s.sql))
            continue
        m = documented[s.name]
        con.sql(s.sql).create(m.name)
        crash_point("building")
        columns = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ? "
            "order by column_index", [m.name]).fetchall()]
        undocumented = [c for c in columns if c not in m.columns and "*" not in m.columns]
        if undocumented:
            raise ValueError(f"models.toml documents no text for {m.name}.{', '.join(undocumented)}")
        con.execute(f"comment on table {m.name} is {_literal(m.comment)}")
        for c in columns:
            text = m.columns.get(c, m.columns.get("*"))
            con.execute(f'comment on column {m.name}."{c}" is {_literal(text)}')
        built += 1
        if progress:
            progress(built, len(public), m.name)


def generic_checks(models: list[Model], checks_dir: Path = CHECKS_DIR) -> list[tuple[str, Path, dict]]:
    """(name, file, parameters) of each check models.toml asks for: a unique grain, a column's accepted values."""
    folder = Path(checks_dir) / GENERIC_CHECKS
    grain, accepted = folder / "assert_unique_grain.sql", folder / "assert_accepted_values.sql"
    out = []
    for m in models:
        if m.grain:
            out.append((f"{grain.stem}[{m.name}]", grain, {"model": m.name, "grain": list(m.grain)}))
        for column, values in m.accepted_values.items():
            out.append((f"{accepted.stem}[{m.name}.{column}]", accepted,
                        {"model": m.name, "column": column, "accepted": list(values)}))
    return out


def all_checks(checks_dir: Path = CHECKS_DIR, models: list[Model] | None = None) -> list[tuple[str, Path, dict]]:
    """(name, file, parameters) of every check: each assert_*.sql, then those models.toml asks for."""
    checks = [(p.stem, p, {}) for p in sorted(Path(checks_dir).glob("assert_*.sql"))]
    return checks + generic_checks(load_models() if models is None else models, checks_dir)


def run_checks(con: duckdb.DuckDBPyConnection, checks_dir: Path = CHECKS_DIR,
               models: list[Model] | None = None) -> dict[str, pd.DataFrame]:
    """Every check that returns rows, with those rows: each assert_*.sql, then those models.toml asks for."""
    failures = {}
    for name, path, params in all_checks(checks_dir, models):
        rows = con.execute(path.read_text(encoding="utf-8"), params).df()
        crash_point("checking")
        if len(rows):
            failures[name] = rows
    return failures
