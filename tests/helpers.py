"""Warehouses built from delivery folders in tests: the refresh's steps without Prefect."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from kanaalmonitor.build import warehouse as wh
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.deliveries.parse import parse_delivery
from kanaalmonitor.deliveries.validate import validate_cells
from kanaalmonitor.refresh import run_refresh

RAW_2019 = PROJECT_ROOT / "raw" / "2019"
EDITIONS = PROJECT_ROOT / "tests" / "data" / "editions"
FIXED_NOW = dt.datetime(2026, 6, 1, 6, 0, 0)


def make_raw(root: Path, *folders: Path) -> Path:
    """A raw dir under root holding copies of the given delivery folders."""
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        shutil.copytree(folder, raw / folder.name)
    return raw


def staging(raw: Path, target: Path | None = None, now: dt.datetime = FIXED_NOW) -> dict[str, pd.DataFrame]:
    """The staging frames the refresh builds from every delivery under raw, the validated cells among them
    (the work files go to a folder beside raw)."""
    catalogue = Catalogue.load()
    work = raw.parent / "staging.work"
    work.mkdir(exist_ok=True)
    parsed = [parse_delivery(d, catalogue, work) for d in discover(raw)]
    cells = validate_cells(parsed, catalogue, work / "cells.duckdb")
    frames = wh.staging_frames(parsed, cells, catalogue, wh.previous_loads(target) if target else {}, now)
    con = connect(cells.database, read_only=True)
    try:
        frames["cells"] = con.table("cells").select(*wh.CELL_COLUMNS).df()
    finally:
        con.close()
    return frames


def publish_frames(frames: dict[str, pd.DataFrame], target: Path, sql_dir: Path | None = None) -> Path:
    """Build, check and publish, as the refresh flow's last tasks do."""
    tmp = wh.build(target, frames) if sql_dir is None else wh.build(target, frames, sql_dir=sql_dir)
    wh.publish(tmp, target)
    return target


def build_warehouse(raw: Path, target: Path, now: dt.datetime = FIXED_NOW) -> Path:
    """Every delivery under raw refreshed into target by the refresh itself, without Prefect."""
    run_refresh(raw, target, now=now)
    return target


def warehouse_from(root: Path, *folders: Path) -> Path:
    """A published warehouse under root built from copies of the given delivery folders."""
    return build_warehouse(make_raw(root, *folders), root / "kanaalmonitor.duckdb")


def copy_warehouse(built: Path, folder: Path) -> Path:
    """A copy of a built warehouse file as folder/kanaalmonitor.duckdb, for a test that writes to it."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(built, folder / "kanaalmonitor.duckdb"))


def published_before(root: Path, built_2018: Path) -> tuple[Path, Path]:
    """Under root, a copy of the warehouse published from the 2018 edition alone, and a raw folder with 2018
    and 2019."""
    return make_raw(root, EDITIONS / "2018-old-method", RAW_2019), copy_warehouse(built_2018, root / "wh")


def fingerprint(path: Path) -> tuple[str, int]:
    """Content hash and modification time of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def digests(*roots: Path) -> dict[str, str]:
    """sha256 of every file under the given folders (or of the given files), by path."""
    files = [p for r in roots for p in ([r] if r.is_file() else sorted(r.rglob("*"))) if p.is_file()]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query on a published warehouse, read-only."""
    con = connect(warehouse, read_only=True)
    try:
        return rows(con, sql, params)
    finally:
        con.close()
