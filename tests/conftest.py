from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import warehouse as wh
from flows.catalogue import Catalogue
from flows.config import PROJECT_ROOT
from flows.manifest import discover
from flows.parse import parse_delivery
from flows.validate import validate_delivery

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


def build_warehouse(raw: Path, target: Path, now: dt.datetime = FIXED_NOW) -> Path:
    """Run the refresh's steps without Prefect: discover, parse, validate, build, check, publish."""
    catalogue = Catalogue.load()
    valid = [validate_delivery(parse_delivery(d, catalogue), catalogue) for d in discover(raw)]
    frames = wh.staging_frames(valid, catalogue, wh.previous_loads(target), now)
    wh.publish(wh.build(target, frames), target)
    return target


def fingerprint(path: Path) -> tuple[str, int]:
    """Content hash and modification time of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


@pytest.fixture
def warehouse_2019(tmp_path: Path) -> Path:
    """A published warehouse built from the shipped 2019 delivery."""
    raw = make_raw(tmp_path, RAW_2019)
    return build_warehouse(raw, tmp_path / "kanaalmonitor.duckdb")


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect server for the tests that run the real flow in-process."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import PREFECT_HOME, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings({PREFECT_HOME: str(home)}):
        with prefect_test_harness(server_startup_timeout=120):
            yield
