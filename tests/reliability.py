"""The reliability tests' own helpers: the refresh with its check against the published warehouse, whole
warehouse states, and a reader that keeps reading."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb

from kanaalmonitor.build.models import run_checks
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.refresh import run_refresh
from tests.helpers import FIXED_NOW


def refresh_in_process(raw_dir: Path, warehouse: Path, now: dt.datetime | None = None,
                       catalogue: Catalogue | None = None, wait_seconds: float = 0.0) -> None:
    """The refresh without Prefect."""
    run_refresh(raw_dir, warehouse, wait_seconds=wait_seconds, now=now or FIXED_NOW, catalogue=catalogue)


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
        return {name: len(rows) for name, rows in run_checks(con).items()}
    finally:
        con.close()


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


def read_in_a_loop(warehouse: Path, stop: Path, out: Path, max_seconds: float = 300, max_reads: int = 20000,
                   pause: float = 0.1) -> None:
    """Open the warehouse read-only again and again until stop exists (or time or count run out); write what
    was seen, and the wall-clock time of every read, to out (JSON)."""
    seen, errors, times = {}, [], []
    deadline = time.monotonic() + max_seconds
    while len(times) < max_reads and not stop.exists() and time.monotonic() < deadline:
        try:
            sig = signature(warehouse)
            seen[sig] = seen.get(sig, 0) + 1
        except Exception as exc:  # every failure is what the test looks for
            errors.append(f"{type(exc).__name__}: {exc}")
        times.append(time.time())
        if len(times) == 1:
            out.with_suffix(".ready").touch()
        time.sleep(pause)
    out.write_text(json.dumps({"reads": len(times), "seen": seen, "errors": errors[:20], "times": times}))


if __name__ == "__main__":
    # python -m tests.reliability refresh RAW_DIR WAREHOUSE [WAIT] | read WAREHOUSE STOP_FILE OUT_FILE
    if sys.argv[1] == "refresh":
        refresh_in_process(Path(sys.argv[2]), Path(sys.argv[3]),
                           wait_seconds=float(sys.argv[4]) if len(sys.argv) > 4 else 0.0)
    else:
        read_in_a_loop(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
