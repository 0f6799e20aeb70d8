"""Operations commands: `kanaalmonitor serve` (the yearly deployment) and `kanaalmonitor work-pool`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kanaalmonitor.config import RAW_DIR, WAREHOUSE_PATH

DEPLOYMENT_NAME = "yearly"
DEFAULT_CRON = "0 6 1 6 *"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
WORK_POOL = "kanaalmonitor"
EXIT_NO_SERVER = 5
NO_SERVER = ("kanaalmonitor {command} needs a Prefect server that outlives it: start one with "
             "`prefect server start --analytics-off` and set PREFECT_API_URL=http://127.0.0.1:4200/api.")


def timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Amsterdam") from None
    return name


def seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 86400 seconds")
    return value


def _api_url() -> str | None:
    """Apply the offline Prefect defaults and return the server URL the commands would use, if any."""
    from kanaalmonitor.config import prefect_environment

    prefect_environment()
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def cmd_serve(args: argparse.Namespace) -> int:
    if not _api_url():
        print(NO_SERVER.format(command="serve"), file=sys.stderr)
        return EXIT_NO_SERVER
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.refresh import refresh

    try:
        schedule = Cron(args.cron, timezone=args.timezone)
    except ValueError as exc:
        print(f"Invalid schedule {args.cron!r}: {exc}", file=sys.stderr)
        return 2
    notify_url = getattr(args, "notify_url", None)
    if notify_url:
        from flows.notify import configure_notifications

        configure_notifications(notify_url)
    refresh.serve(
        name=args.name,
        schedules=[schedule],
        parameters={"raw_dir": str(args.raw_dir.resolve()), "warehouse": str(args.warehouse.resolve()),
                    "full_rebuild": False, "wait_seconds": args.wait},
        description="Yearly refresh of the Kanaalmonitor warehouse from the deliveries under raw_dir.",
        tags=["kanaalmonitor"],
        pause_on_shutdown=False,
        limit=1,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return 0


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


def cmd_work_pool(args: argparse.Namespace) -> int:
    if not _api_url():
        print(NO_SERVER.format(command="work-pool"), file=sys.stderr)
        return EXIT_NO_SERVER
    created = asyncio.run(create_work_pool(args.name))
    print(f"Work pool {args.name!r} {'created' if created else 'already exists'}; "
          f"start a worker with: prefect worker start --pool {args.name}")
    return 0


def add_parsers(sub) -> None:
    serve = sub.add_parser("serve",
                           help="serve the refresh deployment with its yearly schedule (needs PREFECT_API_URL)")
    serve.add_argument("--name", default=DEPLOYMENT_NAME,
                       help=f"deployment name; trigger it as 'refresh/<name>' (default {DEPLOYMENT_NAME})")
    serve.add_argument("--cron", default=DEFAULT_CRON,
                       help=f"when the deliveries are due, as cron 'minute hour day month weekday' "
                            f"(default '{DEFAULT_CRON}': 1 June 06:00)")
    serve.add_argument("--timezone", type=timezone, default=DEFAULT_TIMEZONE,
                       help=f"time zone of the cron schedule (default {DEFAULT_TIMEZONE})")
    serve.add_argument("--raw-dir", type=Path, default=RAW_DIR,
                       help=f"default raw_dir of the deployment's runs (default {RAW_DIR})")
    serve.add_argument("--warehouse", type=Path, default=WAREHOUSE_PATH,
                       help=f"default warehouse of the deployment's runs (default {WAREHOUSE_PATH})")
    serve.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                       help="default wait_seconds: how long a run waits for another refresh (default 0: refuse)")
    serve.set_defaults(func=cmd_serve)

    pool = sub.add_parser("work-pool", help="create the process work pool prefect.yaml deploys to (no internet needed)")
    pool.add_argument("--name", default=WORK_POOL, help=f"work pool name (default {WORK_POOL})")
    pool.set_defaults(func=cmd_work_pool)
