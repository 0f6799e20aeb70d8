"""Warehouses built from delivery folders for the indicator tests, without Prefect."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd

from flows import warehouse as wh
from flows.catalogue import Catalogue
from flows.config import PROJECT_ROOT
from flows.manifest import discover
from flows.parse import parse_delivery
from flows.validate import validate_delivery

IND_RAW_2019 = PROJECT_ROOT / "raw" / "2019"
IND_EDITIONS = PROJECT_ROOT / "tests" / "data" / "editions"
IND_NOW = dt.datetime(2026, 6, 1, 6, 0, 0)


def ind_raw(root: Path, *folders: Path) -> Path:
    """A raw dir under root holding copies of the given delivery folders."""
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        shutil.copytree(folder, raw / folder.name)
    return raw


def ind_frames(raw: Path) -> dict[str, pd.DataFrame]:
    """The staging frames the refresh flow builds from every delivery under raw."""
    catalogue = Catalogue.load()
    valid = [validate_delivery(parse_delivery(d, catalogue), catalogue) for d in discover(raw)]
    return wh.staging_frames(valid, catalogue, {}, IND_NOW)


def ind_publish(frames: dict[str, pd.DataFrame], target: Path, sql_dir: Path | None = None) -> Path:
    """Build, check and publish, as the refresh flow's last two tasks do."""
    tmp = wh.build(target, frames) if sql_dir is None else wh.build(target, frames, sql_dir=sql_dir)
    wh.publish(tmp, target)
    return target


def ind_warehouse(root: Path, *folders: Path) -> Path:
    """A published warehouse under root built from copies of the given delivery folders."""
    return ind_publish(ind_frames(ind_raw(root, *folders)), root / "kanaalmonitor.duckdb")


def ind_rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = wh.connect(warehouse, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def ind_fingerprint(path: Path) -> tuple[str, int]:
    """Content hash and modification time of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns
