"""Readers keep reading during refreshes and never see a partial warehouse; refreshes at once never corrupt it."""

from __future__ import annotations

import bisect
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kanaalmonitor.build.lock import writer_lock
from tests.helpers import PROJECT_ROOT
from tests.ops_support import BIN, file_state, kanaalmonitor, prefect_env, stop
from tests.reliability import SIGNATURE_SQL, failed_checks, refresh_in_process, signature, snapshot

DUCKDB_READERS = 2
CHILD_REFRESHES = 2  # a pair started at the same moment as the two commands, each waiting for the writer lock


def start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with log.open("wb") as err:
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=PROJECT_ROOT)


def helper(log: Path, *args: str) -> subprocess.Popen:
    return start([sys.executable, "-m", "tests.reliability", *args], log)


def finish(procs: list[subprocess.Popen], timeout: float = 300) -> list[float]:
    """Wait for processes we started to end by themselves, stopping by PID those that do not; when each ended."""
    ended: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(ended) < len(procs):
        for i, p in enumerate(procs):
            if i not in ended and (p.poll() is not None or time.monotonic() > deadline):
                stop(p)
                ended[i] = time.time()
        time.sleep(0.02)
    return [ended[i] for i in range(len(procs))]


def query_loop(warehouse: Path, env: dict[str, str], stop_event: threading.Event, results: dict,
               max_seconds: float = 300, max_runs: int = 200, pause: float = 1.0) -> None:
    deadline = time.monotonic() + max_seconds
    while not stop_event.wait(pause) and results["runs"] < max_runs and time.monotonic() < deadline:
        r = kanaalmonitor("query", SIGNATURE_SQL, "--warehouse", str(warehouse), "--csv", env=env,
                          cwd=warehouse.parent, timeout=120)
        results["runs"] += 1
        if r.returncode != 0:
            results["errors"].append(r.stderr[-500:])
        else:
            sig = ",".join(r.stdout.splitlines()[1].split(","))
            results["seen"][sig] = results["seen"].get(sig, 0) + 1


@pytest.mark.slow
def test_readers_during_refreshes_never_fail_nor_see_a_partial_state(tmp_path, prefect_server, published_before):
    raw, warehouse = published_before
    before = signature(warehouse)
    stop_file = tmp_path / "stop"
    outs = [tmp_path / f"reader-{i}.json" for i in range(DUCKDB_READERS)]
    readers = [helper(o.with_suffix(".err"), "read", str(warehouse), str(stop_file), str(o)) for o in outs]
    query_results = {"runs": 0, "seen": {}, "errors": []}
    stop_event = threading.Event()
    env = prefect_env(tmp_path / "client", prefect_server)
    thread = threading.Thread(target=query_loop, args=(warehouse, env, stop_event, query_results))
    refreshes: list[subprocess.Popen] = []
    lifetimes: list[tuple[str, float, float]] = []  # each refresh: its log, when it started, when it ended

    def run_to_end(procs: list[subprocess.Popen], logs: list[Path], started: float) -> None:
        for p, log, ended in zip(procs, logs, finish(procs)):
            assert p.returncode == 0, log.read_text(errors="replace")[-3000:]
            lifetimes.append((log.name, started, ended))

    try:
        deadline = time.monotonic() + 120
        while not all(o.with_suffix(".ready").exists() for o in outs) and time.monotonic() < deadline:
            time.sleep(0.1)
        thread.start()

        args = ["run", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--wait", "300"]
        cli_logs = [tmp_path / f"command-{i}.err" for i in range(2)]
        cli_started = time.time()
        cli = [start([str(BIN / "kanaalmonitor"), *args], log, env=env) for log in cli_logs]
        refreshes += cli
        for n in range(CHILD_REFRESHES // 2):
            logs = [tmp_path / f"refresh-{n}-{i}.err" for i in range(2)]
            started = time.time()
            pair = [helper(log, "refresh", str(raw), str(warehouse), "300") for log in logs]
            refreshes += pair
            run_to_end(pair, logs, started)
        run_to_end(cli, cli_logs, cli_started)
    finally:
        stop_file.touch()
        stop_event.set()
        finish([p for p in refreshes + readers if p.poll() is None], timeout=60)
        if thread.is_alive():
            thread.join(timeout=180)

    after = signature(warehouse)
    # 2018 edition: 8 kerncijfers rows x 4 years + 4 grades x 1 year = 36; 2019: 8 x 4 + 4 x 2 = 40
    assert before.split(",")[0] == "2018:36" and after.split(",")[0] == "2018:36 2019:40"
    reports = [json.loads(o.read_text()) for o in outs]
    for r in reports:
        assert r["errors"] == [] and r["reads"] > 0
        assert set(r["seen"]) <= {before, after}, r["seen"]
    assert query_results["errors"] == [] and query_results["runs"] > 0
    assert set(query_results["seen"]) <= {before, after}, query_results["seen"]
    assert {before, after} == set().union(*(r["seen"] for r in reports))
    reads = sorted(t for r in reports for t in r["times"])
    for name, started, ended in lifetimes:
        assert bisect.bisect_right(reads, started) < bisect.bisect_left(reads, ended), f"no read during {name}"
    assert failed_checks(warehouse) == {}
    reference = tmp_path / "reference" / "kanaalmonitor.duckdb"
    reference.parent.mkdir()
    shutil.copy2(warehouse, reference)
    refresh_in_process(raw, reference)
    assert snapshot(warehouse) == snapshot(reference)
    print(f"readers: {DUCKDB_READERS} DuckDB ({sum(r['reads'] for r in reports)} reads), "
          f"kanaalmonitor query ({query_results['runs']} runs); refreshes: 2 commands + {CHILD_REFRESHES} in-process")


def test_a_refresh_while_another_holds_the_writer_lock_refuses_and_changes_nothing(tmp_path, prefect_server,
                                                                                   published_before):
    raw, warehouse = published_before
    before_file, before = file_state(warehouse), snapshot(warehouse)
    with writer_lock(warehouse):
        result = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse),
                               env=prefect_env(tmp_path / "client", prefect_server), cwd=tmp_path)
    assert result.returncode == 3, result.stderr[-3000:]
    assert (f"Another refresh is writing {warehouse} (process {os.getpid()}). Nothing was changed; "
            f"run again when it has finished.") in result.stderr
    assert file_state(warehouse) == before_file and snapshot(warehouse) == before
