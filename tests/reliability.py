"""Helpers of the reliability tests: raw folders, the in-process refresh, warehouse state, the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from flows.catalogue import Catalogue
from flows.manifest import discover
from flows.parse import parse_delivery
from flows.validate import check_against_published, validate_delivery
from flows import warehouse as wh

ROOT = Path(__file__).resolve().parent.parent
RAW_2019 = ROOT / "raw" / "2019"
EDITIONS = ROOT / "tests" / "data" / "editions"
CHECKS = sorted((ROOT / "warehouse" / "checks").glob("assert_*.sql"))
CLI = [sys.executable, "-m", "flows.cli"]


def make_raw(root: Path, folders: dict[str, Path]) -> Path:
    """A raw folder under root holding a copy of each source folder under its name."""
    root.mkdir(parents=True, exist_ok=True)
    for name, source in folders.items():
        shutil.copytree(source, root / name)
    return root


def refresh_in_process(raw_dir: Path, warehouse: Path, now: dt.datetime | None = None,
                       catalogue: Catalogue | None = None, wait_seconds: float = 0.0) -> None:
    """The refresh flow's steps without Prefect: discover, parse, validate, check, build, publish."""
    catalogue = catalogue or Catalogue.load()
    valid = [validate_delivery(parse_delivery(d, catalogue), catalogue) for d in discover(raw_dir)]
    with wh.writer_lock(warehouse, wait_seconds):
        check_against_published(valid, wh.published_cells(warehouse))
        frames = wh.staging_frames(valid, catalogue, wh.previous_loads(warehouse),
                                   now or dt.datetime(2020, 1, 1, 12, 0, 0))
        wh.publish(wh.build(warehouse, frames), warehouse)


def file_state(path: Path) -> tuple[str, int, int]:
    """sha256, mtime (ns) and size of a file."""
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of a warehouse, each as its sorted rows, read through a read-only connection."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()]
        return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def failed_checks(warehouse: Path) -> dict[str, int]:
    """Data rules of warehouse/checks that return rows on this warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = {p.stem: len(con.execute(p.read_text(encoding="utf-8")).fetchall()) for p in CHECKS}
    finally:
        con.close()
    return {k: v for k, v in counts.items() if v}


def cli_env(prefect: dict[str, str] | None, **extra: str) -> dict[str, str]:
    """Environment of a `kanaalmonitor` subprocess: offline Prefect against the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KANAALMONITOR_"))}
    env.update({"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING"})
    env.update(prefect or {})
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


# One row that changes with every part of a refresh: cells per edition, editions, current cells and their sum.
SIGNATURE_SQL = ("select (select string_agg(edition || ':' || n, ' ' order by edition) from "
                 "(select edition, count(*) as n from observation_vintages group by edition)) as vintages, "
                 "(select count(*) from editions) as editions, (select count(*) from observations) as observations, "
                 "(select round(sum(value), 3) from observations) as total")


def signature(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return ",".join(map(str, con.execute(SIGNATURE_SQL).fetchone()))
    finally:
        con.close()


def read_in_a_loop(warehouse: Path, stop: Path, out: Path, max_reads: int = 5000) -> None:
    """Open the warehouse read-only again and again until stop exists; write what was seen to out (JSON)."""
    seen, errors, reads = {}, [], 0
    while reads < max_reads and not stop.exists():
        try:
            sig = signature(warehouse)
            seen[sig] = seen.get(sig, 0) + 1
        except Exception as exc:  # every failure is what the test looks for
            errors.append(f"{type(exc).__name__}: {exc}")
        reads += 1
        if reads == 1:
            out.with_suffix(".ready").touch()
    out.write_text(json.dumps({"reads": reads, "seen": seen, "errors": errors[:20]}))


if __name__ == "__main__":
    # python tests/reliability.py refresh RAW_DIR WAREHOUSE [WAIT] | read WAREHOUSE STOP_FILE OUT_FILE
    if sys.argv[1] == "refresh":
        refresh_in_process(Path(sys.argv[2]), Path(sys.argv[3]), 
                           wait_seconds=float(sys.argv[4]) if len(sys.argv) > 4 else 0.0)
    else:
        read_in_a_loop(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
