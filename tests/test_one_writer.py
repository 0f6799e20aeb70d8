"""Two refreshes of one warehouse at once: the second refuses with the documented message, or waits its turn."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from kanaalmonitor.build.warehouse import run_checks
from kanaalmonitor.db import connect
from tests.ops_support import BIN, EDITIONS, RAW_2019, kanaalmonitor, make_raw, prefect_env, stop, wait_until


def holds_flock(pid: int, path: Path) -> bool:
    """Whether process pid holds an flock on path, as the kernel lists it in /proc/locks."""
    try:
        inode = os.stat(path).st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and str(pid) in fields and any(f.endswith(f":{inode}") for f in fields):
            return True
    return False


def start_run(tmp_path: Path, env: dict, raw: Path, warehouse: Path, name: str, *extra: str) -> subprocess.Popen:
    with (tmp_path / f"{name}.out").open("wb") as out, (tmp_path / f"{name}.err").open("wb") as err:
        return subprocess.Popen([str(BIN / "kanaalmonitor"), "run", "--raw-dir", str(raw), "--warehouse",
                                 str(warehouse), *extra], env=env, cwd=tmp_path, stdout=out, stderr=err)


@pytest.mark.slow
def test_second_refresh_refuses_or_waits_while_one_writes(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    lock = Path(f"{warehouse}.lock")
    first = start_run(tmp_path, env, raw, warehouse, "first")
    waiting = None
    try:
        wait_until(lambda: first.poll() is not None or holds_flock(first.pid, lock), 240,
                   "the first refresh to take the writer lock", interval=0.01)
        assert first.poll() is None, (tmp_path / "first.err").read_text()
        os.kill(first.pid, signal.SIGSTOP)  # the first refresh now holds the lock for as long as the test wants

        second = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), env=env, cwd=tmp_path)
        assert second.returncode == 3
        assert (f"Another refresh is writing {warehouse} (process {first.pid}). "
                "Nothing was changed; run again when it has finished.") in second.stderr.splitlines()
        assert "find_deliveries" not in second.stderr  # refused before reading a single delivery

        waiting = start_run(tmp_path, env, raw, warehouse, "waiting", "--wait", "240")
        wait_until(lambda: "Beginning flow run" in (tmp_path / "waiting.err").read_text(), 240,
                   "the waiting refresh to start its flow run")
        assert waiting.poll() is None
        assert not warehouse.exists()

        os.kill(first.pid, signal.SIGCONT)
        assert first.wait(timeout=240) == 0, (tmp_path / "first.err").read_text()
        assert waiting.wait(timeout=240) == 0, (tmp_path / "waiting.err").read_text()
    finally:
        for proc in (first, waiting):
            if proc is not None:
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGCONT)
                stop(proc)

    assert (tmp_path / "first.out").read_text().startswith(f"Published {warehouse}: 2 deliveries")
    # The waiting run found the warehouse the first one published, with the same inputs.
    assert (tmp_path / "waiting.out").read_text().startswith(f"Unchanged: {warehouse} already holds these 2 deliveries")
    assert not Path(f"{warehouse}.tmp").exists()
    con = connect(warehouse, read_only=True)
    try:
        assert run_checks(con) == {}
        got = con.execute(
            "select series, year, value from observations "
            "where (series, year) in (('phone_calls', 2018), ('web_requests', 2014)) order by all").fetchall()
    finally:
        con.close()
    assert got == [("phone_calls", 2018, 314803), ("web_requests", 2014, 198420)]
