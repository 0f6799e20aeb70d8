"""The Prefect flow `refresh`: the refresh of kanaalmonitor.refresh with each stage as a task, and the run report."""

import functools
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger, runtime, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State
from pydantic import Field

from flows.task_runners import DEFAULT, TASK_RUNNERS, delivery_runner
from kanaalmonitor.config import RAW_DIR, WAREHOUSE_PATH
from kanaalmonitor.deliveries.manifest import FIRST_EDITION
from kanaalmonitor.freshness import MISSING_STATE, missing_message
from kanaalmonitor.progress import Step
from kanaalmonitor.refresh import RefreshResult, Steps, run_name, run_refresh
from kanaalmonitor.report.run_report import Outcome, create_artifacts


def _task(fn: Callable[..., Any]):
    """The library function as a Prefect task of the same name; each task calls exactly this one function."""
    return task(fn, name=fn.__name__.replace("_", "-"), cache_policy=NO_CACHE)


@task(name="write-report", cache_policy=NO_CACHE)
def write_report(outcome: Outcome) -> None:
    """Publish the run report as artifacts (Dutch summary, kerncijfers table)."""
    create_artifacts(outcome)


PROGRESS_KEY = "kanaalmonitor-voortgang"


def progress_artifact(step: Step, artifact_id=None):
    """Create the run's progress artifact at the first step and move it on at each next one; its id."""
    from prefect.artifacts import create_progress_artifact, update_progress_artifact

    if artifact_id is None:
        return create_progress_artifact(step.percent, key=PROGRESS_KEY, description=step.line())
    update_progress_artifact(artifact_id, step.percent, description=step.line())
    return artifact_id


@functools.cache
def _made_up_words() -> tuple[frozenset[str], frozenset[str]]:
    """The adjectives and animals Prefect makes a run's name of when it is given none ("excellent-otter"): the
    word lists of coolname's two-word slugs, which prefect.utilities.names.generate_slug(2) draws from."""
    from coolname.data import config

    def words(name: str) -> frozenset[str]:
        entry = config[name]
        return frozenset(entry["words"]) if entry["type"] == "words" else frozenset().union(
            *(words(n) for n in entry.get("lists", [])))

    first, second = config["an"]["lists"]
    return words(first), words(second)


def made_up(name: str) -> bool:
    """Whether a run's name is one Prefect made up rather than one given when the run was created."""
    adjectives, animals = _made_up_words()
    first, _, second = name.partition("-")
    return first in adjectives and second in animals


def flow_run_name() -> str:
    """The run's name from what it loads, e.g. refresh-2021-3-editions, unless the run was given a name."""
    given = runtime.flow_run.name
    if given and not made_up(given):
        return given
    return run_name(runtime.flow_run.parameters.get("raw_dir", RAW_DIR))


class TaskSteps(Steps):
    """Every stage of the refresh as a Prefect task; deliveries are checked as concurrent task runs, on the
    flow's own task runner or on the one given (a started DaskTaskRunner); every step is logged with its counts
    and moves the progress artifact on."""

    # The artifact moves on at each new stage, at the end of a stage, and otherwise at most once in this time:
    # each move is a call to the Prefect API, and a small refresh builds 23 tables within a second or two.
    ARTIFACT_SECONDS = 1.0

    def __init__(self, runner=None) -> None:
        self._artifact = None
        self._shown: tuple[str, float] | None = None  # the stage the artifact shows, and when it was moved
        self._runner = runner

    def run(self, fn, *args):
        return _task(fn)(*args)

    def each(self, fn, items, *args):
        t = _task(fn)
        if self._runner is None:
            futures = [t.submit(item, *args) for item in items]
        else:
            from prefect.utilities.callables import get_call_parameters

            futures = [self._runner.submit(t, get_call_parameters(fn, (item, *args), {})) for item in items]
        return [f.result for f in futures]

    def report(self, outcome: Outcome) -> None:
        write_report(outcome)

    def progress(self, step: Step) -> None:
        super().progress(step)
        get_run_logger().info(step.line())
        now = time.monotonic()
        if (self._shown is None or self._shown[0] != step.stage or step.done == step.total
                or now - self._shown[1] >= self.ARTIFACT_SECONDS):
            self._artifact = progress_artifact(step, self._artifact)
            self._shown = step.stage, now


@flow(name="refresh", flow_run_name=flow_run_name, validate_parameters=True)
def refresh(
    raw_dir: Path = RAW_DIR,
    warehouse: Path = WAREHOUSE_PATH,
    full_rebuild: bool = False,
    wait_seconds: Annotated[float, Field(ge=0, le=86400)] = 0.0,
    expect_edition: Annotated[int | None, Field(ge=FIRST_EDITION, le=9999)] = None,
    task_runner: Literal[TASK_RUNNERS] = DEFAULT,
    dask_address: str | None = None,
) -> RefreshResult | State:
    """Load every delivery under raw_dir into a new warehouse and publish it atomically, unless nothing changed.

    Args:
        raw_dir: Folder with the deliveries, one subfolder with a manifest.toml per edition.
        warehouse: DuckDB file to publish.
        full_rebuild: Rebuild even when every delivery and the code are unchanged since the last publish.
        wait_seconds: How long to wait for another refresh of the same warehouse; 0 refuses at once.
        expect_edition: The edition every municipality that delivered before should have delivered (default:
            the current year); a run that does not find it ends in the state "Editie ontbreekt".
        task_runner: Where the deliveries are read: "default" in threads of the flow's process, "dask" on the
            workers of a Dask cluster (needs kanaalmonitor[dask]); validation, build and publish stay here.
        dask_address: The Dask scheduler to use, e.g. tcp://10.0.0.5:8786; without it, "dask" starts a
            LocalCluster with one worker process per core for the run.
    """
    logger = get_run_logger()
    runner = delivery_runner(task_runner, dask_address)
    with runner or nullcontext():
        result = run_refresh(raw_dir, warehouse, full_rebuild, wait_seconds, steps=TaskSteps(runner),
                             expect_edition=expect_edition)
    logger.info(result.summary())
    for w in result.warning_lines():
        logger.warning(w)
    if not result.missing:
        return result
    return Completed(name=MISSING_STATE, message=missing_message(result.missing), data=result)
