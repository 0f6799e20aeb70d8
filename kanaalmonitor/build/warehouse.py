"""Build the warehouse in a new file, check it, and publish it with an atomic rename."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kanaalmonitor.build import fingerprint
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.build.lock import WarehouseBusy, writer_lock  # noqa: F401  (the refresh takes them from here)
from kanaalmonitor.config import CHECKS_DIR, MODELS_FILE, SQL_DIR, WAREHOUSE_MEMORY_LIMIT
from kanaalmonitor.db import connect
from kanaalmonitor.faults import crash_point
from kanaalmonitor.deliveries.parse import ParsedDelivery
from kanaalmonitor.deliveries.validate import CheckedCells

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class CheckFailed(Exception):
    """A data rule found offending rows in the built warehouse; nothing was published."""

    def __init__(self, failures: dict[str, pd.DataFrame]):
        self.failures = failures
        lines = [f"Warehouse not published: {len(failures)} data rule(s) broken."]
        for name, rows in failures.items():
            lines.append(f"- {name}: {len(rows)} offending row(s)")
            lines.append("  " + rows.head(5).to_string(index=False).replace("\n", "\n  "))
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Model:
    name: str
    comment: str
    columns: dict[str, str]


def load_models(models_file: Path = MODELS_FILE) -> list[Model]:
    data = tomllib.loads(Path(models_file).read_text(encoding="utf-8"))
    models = [Model(m["name"], m["comment"], dict(m.get("columns", {}))) for m in data["model"]]
    for m in models:
        if not _IDENT.match(m.name) or not all(_IDENT.match(c) or c == "*" for c in m.columns):
            raise ValueError(f"{models_file}: {m.name} has a name that is not a plain identifier")
    return models


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def previous_loads(warehouse: Path) -> dict[tuple[str, str], dt.datetime]:
    """(file, sha256) -> loaded_at of the published warehouse, so rebuilds keep first-load times."""
    if not warehouse.exists():
        return {}
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute("select file, sha256, min(loaded_at) from deliveries group by file, sha256").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    return {(f, s): t for f, s, t in rows}


def query_published(warehouse: Path, sql: str, params: list | None = None) -> list[tuple] | None:
    """Rows of one read-only query on the published warehouse; None when there is no file or the query fails."""
    if not Path(warehouse).exists():
        return None
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def published_inputs(warehouse: Path) -> fingerprint.Inputs | None:
    """The inputs recorded in the published warehouse's build_info, or None when there is nothing to compare."""
    rows = query_published(warehouse, "select kind, name, sha256 from build_info")
    return None if rows is None else frozenset(rows)


def staging_frames(parsed: list[ParsedDelivery], cells: CheckedCells, catalogue: Catalogue,
                   loads: dict[tuple[str, str], dt.datetime], now: dt.datetime,
                   inputs: fingerprint.Inputs | None = None) -> dict[str, pd.DataFrame]:
    """The frames the SQL models read, one per staging table; the cells come from the work database (stage).

    inputs: the build inputs of these deliveries, when the caller has them already."""
    files, changes, rnotes, notes = [], [], [], []
    for p in parsed:
        d = p.delivery
        load_id = d.load_id()
        for f in d.files:
            sha = d.file_sha256(f.path)
            files.append((f.name, sha, d.name, d.municipality, d.edition, d.published_on, d.source, load_id,
                          loads.get((f.name, sha), now)))
        for c in d.method_changes:
            for m in cells.municipalities.get((d.name, c.series), ()):
                changes.append((m, d.edition, c.series, c.kind, c.method, c.from_year, c.note))
        for n in d.revision_notes:
            for m in cells.municipalities.get((d.name, n.series), ()):
                for y in (n.years or (None,)):
                    rnotes.append((m, d.edition, n.series, y, n.note))
        for n in p.notes:
            notes.append((d.municipality, d.edition, n.file, n.row, n.marker, n.text))
    series = pd.DataFrame([(s.series, s.label_nl, s.unit, s.channel, s.parent, s.description, s.counts_contacts,
                            s.table, s.position) for s in catalogue.series.values()],
                          columns=["series", "label_nl", "unit", "channel", "parent", "description",
                                   "counts_contacts", "printed_table", "position"])
    return {
        "series": series,
        "files": pd.DataFrame(files, columns=["file", "sha256", "delivery", "municipality", "edition",
                                              "published_on", "source", "load_id", "loaded_at"]),
        "method_changes": pd.DataFrame(changes, columns=["municipality", "edition", "series", "kind", "method",
                                                         "from_year", "note"]),
        "revision_notes": pd.DataFrame(rnotes, columns=["municipality", "edition", "series", "year", "note"]),
        "notes": pd.DataFrame(notes, columns=["municipality", "edition", "file", "row", "marker", "text"]),
        "build_inputs": fingerprint.as_frame(inputs or fingerprint.build_inputs([p.delivery for p in parsed])),
    }


CELL_COLUMNS = ["municipality", "series", "year", "edition", "value", "status", "method", "cell", "file", "row",
                "label", "delivery", "load_id"]
STAGING_TYPES = {
    "series": {"position": "INTEGER", "counts_contacts": "BOOLEAN"},
    "files": {"edition": "INTEGER", "published_on": "DATE", "loaded_at": "TIMESTAMP"},
    "cells": {"year": "INTEGER", "edition": "INTEGER", "value": "DOUBLE", "row": "INTEGER", "method": "VARCHAR"},
    "method_changes": {"edition": "INTEGER", "from_year": "INTEGER"},
    "revision_notes": {"edition": "INTEGER", "year": "INTEGER"},
    "notes": {"edition": "INTEGER", "row": "INTEGER", "marker": "VARCHAR"},
}


def stage(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], staged: list[Path] = ()) -> None:
    """Write the staging frames into schema staging, with fixed column types; add the validated cells of each
    work database in staged (its table `cells`) to staging.cells."""
    con.execute("create schema if not exists staging")
    for name, frame in frames.items():
        con.register("frame", frame)
        con.table("frame").project(_casts(name, frame.columns, frame.dtypes == object)).create(f"staging.{name}")
        con.unregister("frame")
    for database in staged:
        con.execute("attach ? as work (read_only)", [str(database)]).fetchall()
        cells = con.table("work.cells").project(_casts("cells", CELL_COLUMNS))
        if con.execute("select count(*) from duckdb_tables() where schema_name = 'staging' "
                       "and table_name = 'cells'").fetchall()[0][0]:
            cells.insert_into("staging.cells")
        else:
            cells.create("staging.cells")
        con.execute("detach work").fetchall()


def _casts(table: str, columns, text=None) -> str:
    """Each column cast to its staging type (STAGING_TYPES, else VARCHAR where text says so or always)."""
    types = STAGING_TYPES.get(table, {})
    text = [True] * len(columns) if text is None else list(text)
    return ", ".join(f"cast({c} as {types[c]}) as {c}" if c in types else f"cast({c} as VARCHAR) as {c}"
                     if is_text else c for c, is_text in zip(columns, text))


def build_models(con: duckdb.DuckDBPyConnection, models: list[Model], sql_dir: Path = SQL_DIR) -> None:
    """Create every public table from its select file, then write its comments."""
    for m in models:
        select = (Path(sql_dir) / f"{m.name}.sql").read_text(encoding="utf-8")
        con.sql(select).create(m.name)
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


def run_checks(con: duckdb.DuckDBPyConnection, checks_dir: Path = CHECKS_DIR) -> dict[str, pd.DataFrame]:
    """Every assert_*.sql that returns rows, with those rows."""
    failures = {}
    for path in sorted(Path(checks_dir).glob("assert_*.sql")):
        rows = con.sql(path.read_text(encoding="utf-8")).df()
        crash_point("checking")
        if len(rows):
            failures[path.stem] = rows
    return failures


def build(target: Path, frames: dict[str, pd.DataFrame], models: list[Model] | None = None,
          sql_dir: Path = SQL_DIR, staged: list[Path] = ()) -> Path:
    """Build and check the new warehouse beside the published one; return the new file's path."""
    tmp = Path(f"{target}.tmp")
    for stale in (tmp, Path(f"{tmp}.wal")):
        stale.unlink(missing_ok=True)
    con = connect(tmp, memory_limit=WAREHOUSE_MEMORY_LIMIT, preserve_insertion_order=False)
    try:
        stage(con, frames, staged)
        crash_point("staged")
        build_models(con, models or load_models(), sql_dir)
        failures = run_checks(con)
        if failures:
            raise CheckFailed(failures)
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    con.close()
    return tmp


def publish(tmp: Path, target: Path) -> None:
    """Atomically replace the published warehouse with the new file."""
    Path(f"{target}.wal").unlink(missing_ok=True)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    crash_point("before-publish")
    os.replace(tmp, target)
    crash_point("after-publish")
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
