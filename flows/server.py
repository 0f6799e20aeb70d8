"""The temporary Prefect server of a `kanaalmonitor run` without PREFECT_API_URL, started as a child process that
the kernel kills when the command dies, however it dies.

Prefect's own temporary server (prefect.server.api.server.SubprocessASGIServer) is stopped by an atexit hook,
which a SIGKILL never runs: the server then stays behind, listening. This one is the same uvicorn process, started
with prctl(PR_SET_PDEATHSIG, SIGKILL) on Linux, and the flow is pointed at it through PREFECT_API_URL, so Prefect
never starts its own.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PR_SET_PDEATHSIG = 1


def _dies_with(parent: int):
    """A preexec function: the child gets SIGKILL when the thread that started it ends (Linux), and exits at once
    if that process is already gone."""
    def preexec() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: not Linux
            return
        if os.getppid() != parent:
            os._exit(1)
    return preexec


def _server_class():
    from prefect.server.api.server import SubprocessASGIServer

    class ChildServer(SubprocessASGIServer):
        """Prefect's temporary server process, which dies with the process that started it."""

        _instances: dict[int | None, Any] = {}  # its own, never the instance Prefect's clients look up

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            import prefect
            from prefect.settings import get_current_settings

            # The command of SubprocessASGIServer._run_uvicorn_command (prefect 3.9.1), with the preexec function.
            return subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "error", "--lifespan", "on"],
                env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                     "PREFECT__SERVER_FINAL": "1",
                     **get_current_settings().to_environment_variables(exclude_unset=True)},
                preexec_fn=_dies_with(os.getpid()), start_new_session=False)

    return ChildServer


@contextmanager
def temporary_server() -> Iterator[str]:
    """A temporary Prefect server for the duration of the block, the current settings pointed at it; its API URL.

    Start it from the main thread: the kernel kills it when the starting thread ends."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = _server_class()()
    server.start()
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            try:
                yield server.api_url
            finally:
                _drain()
    finally:
        server.stop()


def _drain() -> None:
    """Send the logs and events still queued to the server before it stops (Prefect does so only at exit)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)
