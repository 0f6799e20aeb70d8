"""The Prefect flow `refresh`: find, parse, validate, build, check and publish the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.catalogue import Catalogue
from flows.config import RAW_DIR, WAREHOUSE_PATH
from flows.errors import DeliveryError
from flows.manifest import Delivery, discover
from flows.parse import parse_delivery
from flows.tidy import discard, discard_staged, validate_tidy
from flows.validate import ValidDelivery, validate_delivery
from flows import warehouse as wh


@dataclass
class RefreshResult:
    """What a refresh did."""

    status: str  # "published"
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
    return validate_tidy(tidy, catalogue, {t.delivery.name: t.delivery.sha256()[:16] for t in tidy})


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


@flow(name="refresh", validate_parameters=True)
def refresh(raw_dir: Path = RAW_DIR, warehouse: Path = WAREHOUSE_PATH, wait_seconds: float = 0.0) -> RefreshResult:
    """Load every delivery under raw_dir into a new warehouse and publish it atomically."""
    logger = get_run_logger()
    raw_dir, warehouse = Path(raw_dir), Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue.load()
    deliveries = find_deliveries(raw_dir)
    futures = [check_delivery.submit(d, catalogue) for d in deliveries]
    valid, problems = [], []
    for fut in futures:
        try:
            valid.append(fut.result())
        except DeliveryError as exc:
            problems.extend(exc.problems)
    staged = None
    try:
        try:
            staged = check_tidy(valid, catalogue)
        except DeliveryError as exc:
            problems.extend(exc.problems)
        if problems:
            raise DeliveryError(problems)
        with wh.writer_lock(warehouse, wait_seconds):
            tmp = build_warehouse(valid, staged, catalogue, warehouse)
            warnings = publish_warehouse(tmp, warehouse)
    finally:
        for v in valid:
            discard(v.parsed.tidy)
        discard_staged(staged)
    observations = sum(len(v.observations) + sum(t.rows for t in v.parsed.tidy) for v in valid)
    for w in warnings:
        logger.warning(w)
    logger.info("Published %s: %d deliveries, %d cells", warehouse, len(valid), observations)
    return RefreshResult("published", str(warehouse), [d.name for d in deliveries], observations, warnings)
