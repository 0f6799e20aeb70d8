"""Where the refresh reads its deliveries: in threads of the flow's own process (the default), or on the workers of
a Dask cluster through prefect-dask's DaskTaskRunner (the optional extra kanaalmonitor[dask]).

Only the reading of each delivery (`check_delivery`: its files parsed, codes and years checked, tidy files
written as Parquet under the run's work folder) runs on the workers. Everything that needs every delivery or
the warehouse stays in the flow's process: the one-pass validation of all cells, the rules across files and
deliveries, the check against the published warehouse, the build, the publish and the writer lock.

Importing this module imports neither Prefect nor Dask.
"""

from __future__ import annotations

import importlib.util
import logging
import os

DEFAULT, DASK = "default", "dask"
TASK_RUNNERS = (DEFAULT, DASK)
DASK_MISSING = ("--task-runner dask needs prefect-dask, which is not installed: install kanaalmonitor[dask] "
                "(pip install 'kanaalmonitor[dask]', or pip install -e '.[dask]' in a checkout).")


class DaskMissing(RuntimeError):
    """The Dask task runner was asked for, and prefect-dask is not installed."""

    def __init__(self) -> None:
        super().__init__(DASK_MISSING)


def dask_installed() -> bool:
    """Whether prefect-dask can be imported, found without importing it."""
    return importlib.util.find_spec("prefect_dask") is not None


def local_cluster_options() -> dict:
    """The LocalCluster of a Dask run without a scheduler address: one single-threaded worker process per core.

    Processes, not threads: every delivery, its result and its refusal cross a process boundary as they would to
    another machine, and each worker's DuckDB reader has its memory cap to itself, as the default runner has one
    reader per core. The scheduler's web server on a free port: two runs never compete for Dask's 8787."""
    return {"n_workers": os.cpu_count() or 1, "threads_per_worker": 1, "processes": True,
            "dashboard_address": "127.0.0.1:0"}


def delivery_runner(name: str, address: str | None = None):
    """The task runner that reads the deliveries: None for the flow's own (the default), else a DaskTaskRunner
    on the scheduler at address (tcp://host:port), or on a LocalCluster started with the first delivery."""
    if name == DEFAULT:
        if address:
            raise ValueError("a Dask scheduler address needs the task runner dask")
        return None
    if name != DASK:
        raise ValueError(f"unknown task runner {name!r}; use one of {', '.join(TASK_RUNNERS)}")
    if not dask_installed():
        raise DaskMissing()
    from prefect_dask import DaskTaskRunner

    # The cluster's own start and stop lines (scheduler, nannies, connections) are not the run's news.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_options())
