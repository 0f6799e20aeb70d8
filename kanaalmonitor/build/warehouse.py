"""Build the warehouse in a new file, check it, and publish it with an atomic rename."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from kanaalmonitor.build import fingerprint
from kanaalmonitor.build.lock import work_folder
from kanaalmonitor.build.models import Model, all_checks, build_models, load_models, run_checks
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import SQL_DIR, build_memory_limit
from kanaalmonitor.db import new_warehouse, query_published
from kanaalmonitor.deliveries.parse import ParsedDelivery
from kanaalmonitor.deliveries.validate import CheckedCells
from kanaalmonitor.errors import CheckFailed
from kanaalmonitor.faults import crash_point
from kanaalmonitor.progress import Step
from kanaalmonitor.words import plural


def previous_loads(warehouse: Path) -> dict[tuple[str, str], dt.datetime]:
    """(file, sha256) -> loaded_at of the published warehouse, so rebuilds keep first-load times."""
    rows = query_published(warehouse, "select file, sha256, min(loaded_at) from deliveries group by file, sha256")
    return {(f, s): t for f, s, t in rows or []}


def staging_frames(parsed: list[ParsedDelivery], cells: CheckedCells, catalogue: Catalogue,
                   loads: dict[tuple[str, str], dt.datetime], now: dt.datetime,
                   inputs: fingerprint.Inputs | None = None) -> dict[str, pd.DataFrame]:
    """The frames the SQL models read, one per staging table; the cells come from the work database (stage).
    The method changes and revision notes are those of each delivery's manifest (column delivery): stage gives
    each the municipalities the delivery delivered its series for.

    inputs: the build inputs of these deliveries, when the caller has them already."""
    files, changes, rnotes, notes, printed, sheets = [], [], [], [], [], []
    for p in parsed:
        d = p.delivery
        load_id = d.load_id()
        for f in d.files:
            sha = d.file_sha256(f.path)
            files.append((f.name, sha, d.name, d.municipality, d.edition, d.published_on, d.source, load_id,
                          loads.get((f.name, sha), now)))
        for c in d.method_changes:
            changes.append((d.name, d.edition, c.series, c.kind, c.method, c.from_year, c.note))
        for n in d.revision_notes:
            for y in (n.years or (None,)):
                rnotes.append((d.name, d.edition, n.series, y, n.note))
        for n in p.notes:
            notes.append((d.municipality, d.edition, n.file, n.table_title, n.row, n.marker, n.text))
        for number, t in enumerate(p.tables, start=1):
            for r in t.rows:
                printed.append((d.municipality, d.edition, t.file, number, t.title, r.row_number, r.series,
                                r.label_printed, r.marker, r.scale))
        for s in p.sheets:
            position = 1 + sum(1 for other in p.sheets[:p.sheets.index(s)] if other.file == s.file)
            sheets.append((d.name, s.file, position, s.sheet, s.table, s.state))
    channels = catalogue.channels
    series = pd.DataFrame([(s.series, s.label_nl, s.unit, s.channel, s.parent, s.description, s.counts_contacts,
                            s.position, s.noun_nl, channels[s.channel].name_nl, channels[s.channel].phrase_nl)
                           for s in catalogue.series.values()],
                          columns=["series", "label_nl", "unit", "channel", "parent", "description",
                                   "counts_contacts", "position", "noun_nl", "channel_name_nl", "channel_phrase_nl"])
    return {
        "series": series,
        "files": pd.DataFrame(files, columns=["file", "sha256", "delivery", "municipality", "edition",
                                              "published_on", "source", "load_id", "loaded_at"]),
        "method_changes": pd.DataFrame(changes, columns=["delivery", "edition", "series", "kind", "method",
                                                         "from_year", "note"]),
        "revision_notes": pd.DataFrame(rnotes, columns=["delivery", "edition", "series", "year", "note"]),
        "notes": pd.DataFrame(notes, columns=["municipality", "edition", "file", "table_title", "row", "marker",
                                              "text"]),
        "printed_rows": pd.DataFrame(printed, columns=["municipality", "edition", "file", "table_number",
                                                       "table_title", "row_number", "series", "label_printed",
                                                       "marker", "scale"]),
        "sheets": pd.DataFrame(sheets, columns=["delivery", "file", "position", "sheet", "table_name", "state"]),
        "build_inputs": fingerprint.as_frame(inputs or fingerprint.build_inputs([p.delivery for p in parsed])),
    }


CELL_COLUMNS = ["municipality", "series", "year", "edition", "value", "status", "method", "cell", "decimals", "file",
                "row", "label", "delivery", "load_id"]
STAGING_TYPES = {
    "series": {"position": "INTEGER", "counts_contacts": "BOOLEAN"},
    "files": {"edition": "INTEGER", "published_on": "DATE", "loaded_at": "TIMESTAMP"},
    "cells": {"year": "INTEGER", "edition": "INTEGER", "value": "DOUBLE", "decimals": "INTEGER", "row": "INTEGER",
              "method": "VARCHAR"},
    "method_changes": {"edition": "INTEGER", "from_year": "INTEGER"},
    "revision_notes": {"edition": "INTEGER", "year": "INTEGER"},
    "notes": {"edition": "INTEGER", "row": "INTEGER", "marker": "VARCHAR"},
    "printed_rows": {"edition": "INTEGER", "table_number": "INTEGER", "row_number": "INTEGER", "marker": "VARCHAR",
                     "scale": "BIGINT"},
    "sheets": {"position": "INTEGER", "table_name": "VARCHAR"},
}


# The staging tables whose frame holds what each delivery's manifest declares (column delivery); stage makes
# one row of each for every municipality the delivery delivered the series for, with these columns.
PER_MUNICIPALITY = {
    "method_changes": ["municipality", "edition", "series", "kind", "method", "from_year", "note"],
    "revision_notes": ["municipality", "edition", "series", "year", "note"],
}
_DELIVERED_BY = "(select distinct delivery, series, municipality from staging.cells)"


def stage(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], staged: list[Path] = ()) -> None:
    """Write the staging frames into schema staging, with fixed column types; add the validated cells of each
    work database in staged (its table `cells`) to staging.cells; then the declarations of PER_MUNICIPALITY,
    joined in SQL to the municipalities of the cells."""
    con.execute("create schema if not exists staging")
    for name, frame in frames.items():
        table = f"declared_{name}" if name in PER_MUNICIPALITY else f"staging.{name}"
        con.register("frame", frame)
        con.table("frame").project(_casts(name, frame.columns, frame.dtypes == object)).create(table)  # noqa: E721 (pandas dtypes)
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
    for name, columns in PER_MUNICIPALITY.items():
        if name in frames:
            con.execute(f"create table staging.{name} as select {', '.join(columns)} from declared_{name} "
                        f"inner join {_DELIVERED_BY} using (delivery, series)")
            con.execute(f"drop table declared_{name}")


def _casts(table: str, columns, text=None) -> str:
    """Each column cast to its staging type (STAGING_TYPES, else VARCHAR where text says so or always)."""
    types = STAGING_TYPES.get(table, {})
    text = [True] * len(columns) if text is None else list(text)
    return ", ".join(f"cast({c} as {types[c]}) as {c}" if c in types else f"cast({c} as VARCHAR) as {c}"
                     if is_text else c for c, is_text in zip(columns, text))


def build(target: Path, frames: dict[str, pd.DataFrame], models: list[Model] | None = None,
          sql_dir: Path = SQL_DIR, staged: list[Path] = (), progress: Callable[[Step], None] | None = None,
          cells: int = 0) -> Path:
    """Build and check the new warehouse beside the published one; return the new file's path.

    progress gets a step after each public table and one when the data rules hold; cells (the number of
    validated cells staged) sizes the memory cap."""
    tmp = Path(f"{target}.tmp")
    for stale in (tmp, Path(f"{tmp}.wal")):
        stale.unlink(missing_ok=True)
    con = new_warehouse(tmp, memory_limit=build_memory_limit(cells), preserve_insertion_order=False,
                        temp_directory=str(work_folder(target) / "spill-build"))
    try:
        stage(con, frames, staged)
        crash_point("staged")
        models = models or load_models()
        built = [0]

        def model_built(k: int, total: int, name: str) -> None:
            built[0] = total
            if progress:
                progress(Step("built", k, total, name))

        build_models(con, models, sql_dir, progress=model_built)
        failures = run_checks(con, models=models)
        if failures:
            raise CheckFailed(failures)
        if progress:
            rules = len(all_checks(models=models))
            progress(Step("built", built[0], built[0], f"{plural(rules, 'data rule')} checked, none broken"))
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
