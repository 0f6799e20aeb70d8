"""The Prefect flow `refresh`: find, parse, validate, build, check and publish the warehouse, then report."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import Field

from flows.catalogue import Catalogue
from flows.config import RAW_DIR, WAREHOUSE_PATH
from flows.errors import DeliveryError
from flows.faults import crash_point
from flows.fingerprint import build_inputs
from flows.manifest import Delivery, discover
from flows.parse import parse_delivery
from flows.run_report import Outcome, create_artifacts
from flows.tidy import discard, discard_staged, validate_tidy
from flows.validate import ValidDelivery, check_against_published, validate_delivery
from flows import warehouse as wh


@dataclass
class RefreshResult:
    """What a refresh did."""

    status: str  # "published" or "unchanged"
    warehouse: str
    deliveries: list[str]
    observations: int
    warnings: list[str] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def find_deliveries(raw_dir: Path) -> list[Delivery]:
    """Every delivery under the raw folder, with its manifest checked."""
    return discover(raw_dir)


@task(cache_policy=NO_CACHE)
def check_delivery(delivery: Delivery, catalogue: Catalogue) -> ValidDelivery:
    """Parse one delivery and validate it against the schemas."""
    parsed = parse_delivery(delivery, catalogue)
    try:
        return validate_delivery(parsed, catalogue)
    except BaseException:
        discard(parsed.tidy)
        raise


@task(cache_policy=NO_CACHE)
def check_tidy(valid: list[ValidDelivery], catalogue: Catalogue) -> Path | None:
    """Validate the tidy files of every delivery in one pass inside DuckDB; stage what passes as Parquet."""
    tidy = [t for v in valid for t in v.parsed.tidy]
    return validate_tidy(tidy, catalogue, {t.delivery.name: t.delivery.load_id() for t in tidy})


@task(cache_policy=NO_CACHE)
def check_published(valid: list[ValidDelivery], warehouse: Path) -> None:
    """Refuse a delivery set that would drop or rewrite what the published warehouse holds."""
    tidy_files = sorted(f.name for v in valid for f in v.parsed.delivery.files if f.form == "tidy")
    check_against_published(valid, wh.published_cells(warehouse, skip_files=tidy_files))


@task(cache_policy=NO_CACHE)
def build_warehouse(valid: list[ValidDelivery], staged: Path | None, catalogue: Catalogue, warehouse: Path) -> Path:
    """Stage the observations, build every table in a new file and run the data rules."""
    frames = wh.staging_frames(valid, catalogue, wh.previous_loads(warehouse),
                               dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
    return wh.build(warehouse, frames, staged=[staged] if staged else [])


@task(cache_policy=NO_CACHE)
def publish_warehouse(tmp: Path, warehouse: Path) -> list[str]:
    """Swap the new file in and return the warnings it holds."""
    wh.publish(tmp, warehouse)
    con = wh.connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select series, year, old_edition, old_value, new_edition, new_value from revisions "
            "where kind = 'restated' and note is null order by all").fetchall()
    finally:
        con.close()
    return [f"{s} {y}: edition {ne} restates {ov:g} (edition {oe}) as {nv:g} without a note"
            for s, y, oe, ov, ne, nv in rows]


@task(cache_policy=NO_CACHE)
def write_report(outcome: Outcome) -> None:
    """Publish the run report as artifacts (Dutch summary, kerncijfers table)."""
    create_artifacts(outcome)


@flow(name="refresh", validate_parameters=True)
def refresh(
    raw_dir: Path = RAW_DIR,
    warehouse: Path = WAREHOUSE_PATH,
    full_rebuild: bool = False,
    wait_seconds: Annotated[float, Field(ge=0, le=86400)] = 0.0,
) -> RefreshResult:
    """Load every delivery under raw_dir into a new warehouse and publish it atomically, unless nothing changed.

    Args:
        raw_dir: Folder with the deliveries, one subfolder with a manifest.toml per edition.
        warehouse: DuckDB file to publish.
        full_rebuild: Rebuild even when every delivery and the code are unchanged since the last publish.
        wait_seconds: How long to wait for another refresh of the same warehouse; 0 refuses at once.
    """
    logger = get_run_logger()
    raw_dir, warehouse = Path(raw_dir), Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with wh.writer_lock(warehouse, wait_seconds):
        previous = wh.published_inputs(warehouse)
        outcome = Outcome("refused", warehouse, [], previous)
        valid, staged = [], None
        try:
            outcome.deliveries = find_deliveries(raw_dir)
            if not full_rebuild and build_inputs(outcome.deliveries) == previous:
                outcome.status = "unchanged"
                write_report(outcome)
                logger.info("Unchanged: %s already holds these %d deliveries", warehouse, len(outcome.deliveries))
                return RefreshResult("unchanged", str(warehouse), [d.name for d in outcome.deliveries], 0)
            catalogue = Catalogue.load()
            futures = [check_delivery.submit(d, catalogue) for d in outcome.deliveries]
            for fut in futures:
                try:
                    valid.append(fut.result())
                except DeliveryError as exc:
                    outcome.problems.extend(exc.problems)
            try:
                staged = check_tidy(valid, catalogue)
            except DeliveryError as exc:
                outcome.problems.extend(exc.problems)
            if outcome.problems:
                raise DeliveryError(outcome.problems)
            crash_point("parsed")
            check_published(valid, warehouse)
            tmp = build_warehouse(valid, staged, catalogue, warehouse)
        except DeliveryError as exc:
            outcome.problems = exc.problems
            write_report(outcome)
            raise
        except wh.CheckFailed as exc:
            outcome.status, outcome.detail = "checks-failed", str(exc)
            write_report(outcome)
            raise
        finally:
            for v in valid:
                discard(v.parsed.tidy)
            discard_staged(staged)
        warnings = publish_warehouse(tmp, warehouse)
        outcome.status = "published"
        write_report(outcome)
    observations = sum(len(v.observations) + sum(t.rows for t in v.parsed.tidy) for v in valid)
    for w in warnings:
        logger.warning(w)
    logger.info("Published %s: %d deliveries, %d cells", warehouse, len(valid), observations)
    return RefreshResult("published", str(warehouse), [d.name for d in outcome.deliveries], observations, warnings)
