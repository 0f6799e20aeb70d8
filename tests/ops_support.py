"""Real processes for the operations tests: a Prefect server, `kanaalmonitor` commands, stopped by PID."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import EDITIONS, RAW_2019, make_raw  # noqa: F401  (re-exported for the operations tests)

BIN = Path(sys.executable).parent
SERVER_START_SECONDS = 150
# The pytest-xdist group of the tests that serve deployments: one worker runs them one after another.
SERVING = "serving-deployments"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_env(home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """An offline Prefect environment with its own home; clients talk to api_url and never start a server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_RUNNER_POLL_FREQUENCY="1", PREFECT_LOGGING_LEVEL="INFO")
    if api_url:
        env.update(PREFECT_API_URL=api_url, PREFECT_SERVER_EPHEMERAL_ENABLED="false")
    env.update(extra)
    return env


def stop(proc: subprocess.Popen, timeout: float = 30) -> int:
    """Stop one process we started, by its PID: SIGINT, then SIGTERM, then SIGKILL; wait for it to exit."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextmanager
def running_server(root: Path) -> Iterator[str]:
    """`prefect server start` on a free loopback port with its own home under root; yields the API URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    home = root / "prefect-home"
    log = (root / "server.log").open("wb")
    env = prefect_env(home, PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME="P1100D")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                             "--analytics-off"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    try:
        wait_until(lambda: proc.poll() is not None or _healthy(url), SERVER_START_SECONDS, "the Prefect server")
        assert proc.poll() is None, (root / "server.log").read_text(errors="replace")
        yield url
    finally:
        stop(proc)
        log.close()


def kanaalmonitor(*args: str, env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run one `kanaalmonitor` command to the end."""
    return subprocess.run([str(BIN / "kanaalmonitor"), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def flow_run_id(output: str) -> str:
    """The flow run a `kanaalmonitor run` logged ("View at .../runs/flow-run/<id>")."""
    (run_id,) = set(re.findall(r"/runs/flow-run/([0-9a-f-]{36})", output))
    return run_id


def run_artifacts(api_url: str, run_id: str) -> dict:
    """The artifacts of one flow run, by key."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with SyncPrefectClient(api_url) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
    return {a.key: a for a in artifacts}


def file_state(path: Path) -> tuple[str, int, int]:
    """Content hash, modification time and inode of a file: any rewrite or swap changes one of them."""
    st = os.stat(path)
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_ino
