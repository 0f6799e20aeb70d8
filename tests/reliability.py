"""The reliability tests' own helpers: the refresh with its check against the published warehouse, whole
warehouse states, and a reader that keeps reading."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import duckdb

from kanaalmonitor.build.models import run_checks
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.refresh import run_refresh
from tests.helpers import EDITIONS, FIXED_NOW, RAW_2019, make_raw


def refresh_in_process(raw_dir: Path, warehouse: Path, now: dt.datetime | None = None,
                       catalogue: Catalogue | None = None, wait_seconds: float = 0.0) -> None:
    """The refresh without Prefect."""
    run_refresh(raw_dir, warehouse, wait_seconds=wait_seconds, now=now or FIXED_NOW, catalogue=catalogue)


def published_before(tmp_path: Path) -> tuple[Path, Path]:
    """A warehouse published from the 2018 edition alone, and its raw folder with the 2019 edition added."""
    raw = make_raw(tmp_path, EDITIONS / "2018-old-method")
    warehouse = tmp_path / "wh" / "kanaalmonitor.duckdb"
    warehouse.parent.mkdir()
    refresh_in_process(raw, warehouse)
    shutil.copytree(RAW_2019, raw / "2019")
    return raw, warehouse


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
    # python -m tests.reliability refresh RAW_DIR WAREHOUSE [WAIT] | read WAREHOUSE STOP_FILE OUT_FILE
    if sys.argv[1] == "refresh":
        refresh_in_process(Path(sys.argv[2]), Path(sys.argv[3]), 
                           wait_seconds=float(sys.argv[4]) if len(sys.argv) > 4 else 0.0)
    else:
        read_in_a_loop(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
