"""kill -9 of `kanaalmonitor run` without PREFECT_API_URL, at a few moments: nothing of it keeps running (its
temporary Prefect server included), nothing lands in the temp directory, and the next refresh clears its work
files beside the warehouse."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kanaalmonitor.faults import CRASH_ENV
from tests.ops_support import BIN, _healthy, prefect_env, wait_until
from tests.reliability import refresh_in_process

STARTUP_SECONDS = 240  # a cold temporary server on a busy machine


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, session id, command line) of every process, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid pgrp session ...
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), int(fields[3]), cmd)
    return found


def _descendants(pid: int) -> dict[int, str]:
    procs = _processes()
    out, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _, cmd) in procs.items():
            if ppid == parent and child not in out:
                out[child] = cmd
                todo.append(child)
    return out


def _alive(pids, session: int) -> dict[int, str]:
    """Which of pids still run, and every process left in the killed command's session."""
    procs = _processes()
    return {p: c for p, (_, sid, c) in procs.items() if p in pids or sid == session}


def _server_url(pid: int) -> str | None:
    """The API URL of the temporary server among the command's descendants, once it answers."""
    for cmd in _descendants(pid).values():
        if "uvicorn" in cmd and (port := re.search(r"--port (\d+)", cmd)):
            url = f"http://127.0.0.1:{port.group(1)}/api"
            return url if _healthy(url) else None
    return None


def _paused(stderr: Path, stage: str) -> bool:
    return f"paused at stage {stage}" in stderr.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["server-started", "staged", "checking"])
def test_kill_9_of_a_run_leaves_nothing_running_and_the_next_refresh_clears_its_files(moment, tmp_path,
                                                                                   published_before):
    raw, warehouse = published_before
    temp = tmp_path / "temp"
    temp.mkdir()
    extra = {"TMPDIR": str(temp)} if moment == "server-started" else {"TMPDIR": str(temp),
                                                                      CRASH_ENV: f"{moment}:pause"}
    env = prefect_env(tmp_path / "home", **extra)
    assert "PREFECT_API_URL" not in env
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as err:
        proc = subprocess.Popen([str(BIN / "kanaalmonitor"), "run", "--raw-dir", str(raw), "--warehouse",
                                 str(warehouse)], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    try:
        url = wait_until(lambda: proc.poll() is not None or _server_url(proc.pid), STARTUP_SECONDS,
                         "the temporary server")
        assert proc.poll() is None, stderr.read_text()[-3000:]
        if moment != "server-started":
            wait_until(lambda: proc.poll() is not None or _paused(stderr, moment), STARTUP_SECONDS, moment)
            assert proc.poll() is None, stderr.read_text()[-3000:]
        children = _descendants(proc.pid)
        assert any("uvicorn" in c for c in children.values()), children
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while _alive(children, proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive(children, proc.pid) == {}
        assert not _healthy(url)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert list(temp.iterdir()) == []

    refresh_in_process(raw, warehouse)
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["kanaalmonitor.duckdb", "kanaalmonitor.duckdb.lock"]
    assert list(temp.iterdir()) == []
