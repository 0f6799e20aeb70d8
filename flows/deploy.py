"""The deployment of the refresh: served with its yearly schedule, or deployed to a process work pool."""

from __future__ import annotations

from pathlib import Path

DEPLOYMENT_NAME = "yearly"
DEFAULT_CRON = "0 6 1 6 *"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
WORK_POOL = "kanaalmonitor"


def deployment_description(cron: str, timezone: str) -> str:
    """The deployment's card text: what it does, and its schedule with the time zone the cron is read in."""
    return (f"Yearly refresh of the Kanaalmonitor warehouse from the deliveries under raw_dir. Schedule: cron "
            f"'{cron}' (minute hour day month weekday) in time zone {timezone}, local time there in summer and "
            f"winter alike.")


def serve_refresh(name: str, cron: str, timezone: str, raw_dir: Path, warehouse: Path, wait_seconds: float,
                  notify_url: str | None = None) -> None:
    """Serve the refresh deployment with its yearly schedule until stopped; the schedule stays active after."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.refresh import refresh

    if notify_url:
        from flows.notify import configure_notifications

        configure_notifications(notify_url)
    refresh.serve(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"raw_dir": str(Path(raw_dir).resolve()), "warehouse": str(Path(warehouse).resolve()),
                    "full_rebuild": False, "wait_seconds": wait_seconds},
        description=deployment_description(cron, timezone),
        tags=["kanaalmonitor"],
        pause_on_shutdown=False,
        limit=1,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


async def create_work_pool(name: str) -> bool:
    """Create the process work pool from the worker's own job template (no download); False if it exists."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(
                name=name, type="process", description="Runs the Kanaalmonitor refresh as a local process.",
                base_job_template=ProcessWorker.get_default_base_job_template()))
        except ObjectAlreadyExists:
            return False
    return True
