"""The state of a warehouse in a few Dutch lines: its editions, the last refresh and the open warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kanaalmonitor.db import query_published
from kanaalmonitor.freshness import local_time, missing_editions

FLOW_NAME = "refresh"
RECENT_RUNS = 200


@dataclass(frozen=True)
class LastRun:
    """The latest refresh of a warehouse as the Prefect server knows it."""

    name: str
    deployment: str | None
    state: str  # the state's name: Completed, Editie ontbreekt, Failed, Crashed, Running, ...
    message: str | None
    at: dt.datetime | None  # naive UTC: when it ended, or started while it runs
    failed: bool


def last_run(warehouse: Path, api_url: str | None = None) -> LastRun | None:
    """The latest refresh of this warehouse on the Prefect server at api_url (default PREFECT_API_URL), if any."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import get_current_settings

    api_url = api_url or get_current_settings().api.url
    if not api_url:
        return None
    target = Path(warehouse).resolve()
    with SyncPrefectClient(api_url) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[
                StateType.RUNNING, StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]))),
            sort=FlowRunSort.START_TIME_DESC, limit=RECENT_RUNS)
        for run in runs:
            if Path(str(run.parameters.get("warehouse", ""))).resolve() != target:
                continue
            deployment = (f"{FLOW_NAME}/{client.read_deployment(run.deployment_id).name}"
                          if run.deployment_id else None)
            at = run.end_time or run.start_time
            return LastRun(run.name, deployment, run.state.name, run.state.message,
                           dt.datetime.fromtimestamp(at.timestamp(), dt.UTC).replace(tzinfo=None) if at else None,
                           run.state.type in (StateType.FAILED, StateType.CRASHED))
    return None


def _editions(warehouse: Path) -> list[str]:
    rows = query_published(warehouse, """
        select e.municipality, e.edition, e.loaded_at, string_agg(d.file, ', ' order by d.file)
        from editions e left join deliveries d using (municipality, edition)
        group by all order by e.municipality, e.edition""")
    if not rows:
        return ["Edities: geen"]
    return ["Edities:", *(f"- {m} editie {e}: geladen op {local_time(t)}; bestanden {files or '-'}"
                          for m, e, t, files in rows)]


def _last_run(run: LastRun | None, known: bool) -> str:
    if run is None:
        return ("Laatste verversing: geen run van dit warehouse op de Prefect-server" if known
                else "Laatste verversing: onbekend (geen Prefect-server ingesteld: PREFECT_API_URL)")
    where = f" ({run.deployment})" if run.deployment else " (kanaalmonitor run)"
    when = f", {local_time(run.at)}" if run.at else ""
    return f"Laatste verversing: run {run.name}{where}, {run.state}{when}"


def status_lines(warehouse: Path, expect_edition: int | None = None, now: dt.datetime | None = None,
                 api_url: str | None = None) -> list[str]:
    """Editions per municipality with their files and load times, the last refresh, the open warnings."""
    from prefect.settings import get_current_settings

    warehouse = Path(warehouse)
    known = bool(api_url or get_current_settings().api.url)
    run = last_run(warehouse, api_url) if known else None
    if not warehouse.exists():
        lines = [f"Warehouse: geen bestand op {warehouse}; start `kanaalmonitor run`."]
    else:
        lines = [f"Warehouse: {warehouse}", *_editions(warehouse)]
    lines.append(_last_run(run, known))
    warnings = [str(m) for m in missing_editions([], warehouse, expect_edition, now)]
    if run is not None and run.failed:
        first = (run.message or "").splitlines()[:1]
        warnings.insert(0, f"de laatste verversing is {'afgebroken' if run.state == 'Crashed' else 'mislukt'}"
                           + (f": {first[0]}" if first else ""))
    lines += ["Open waarschuwingen:", *(f"- {w}" for w in warnings)] if warnings else ["Open waarschuwingen: geen"]
    return lines
