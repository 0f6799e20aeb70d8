"""The refresh, once: find, parse, validate, check against the published warehouse, build, check, publish.

`run_refresh()` is the whole refresh. The Prefect flow `refresh` (flows/refresh.py) calls it with steps that
run each stage as a task; tests and the command line's fast paths call it with plain function calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kanaalmonitor.build import warehouse as wh
from kanaalmonitor.build.fingerprint import build_inputs
from kanaalmonitor.build.lock import writer_lock
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import Delivery, discover
from kanaalmonitor.deliveries.parse import parse_delivery
from kanaalmonitor.deliveries.tidy import discard, discard_staged, validate_tidy
from kanaalmonitor.deliveries.validate import ValidDelivery, check_against_published, validate_delivery
from kanaalmonitor.errors import DeliveryError
from kanaalmonitor.faults import crash_point
from kanaalmonitor.paths import check_output
from kanaalmonitor.report.run_report import Outcome


@dataclass
class RefreshResult:
    """What a refresh did."""

    status: str  # "published" or "unchanged"
    warehouse: str
    deliveries: list[str]
    observations: int
    warnings: list[str] = field(default_factory=list)


class Steps:
    """How the refresh runs its stages: here as plain calls; flows/refresh.py runs them as Prefect tasks."""

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def each(self, fn: Callable[..., Any], items: list, *args: Any) -> list[Callable[[], Any]]:
        """fn over every item; each result is read (or its error raised) by calling its thunk."""
        return [lambda item=item: fn(item, *args) for item in items]

    def report(self, outcome: Outcome) -> None:
        """Called once with the final outcome of every refresh that took the writer lock."""


def check_delivery(delivery: Delivery, catalogue: Catalogue) -> ValidDelivery:
    """Parse one delivery and validate it against the schemas."""
    parsed = parse_delivery(delivery, catalogue)
    try:
        return validate_delivery(parsed, catalogue)
    except BaseException:
        discard(parsed.tidy)
        raise


def check_tidy(valid: list[ValidDelivery], catalogue: Catalogue) -> Path | None:
    """Validate the tidy files of every delivery in one pass inside DuckDB; stage what passes as Parquet."""
    tidy = [t for v in valid for t in v.parsed.tidy]
    return validate_tidy(tidy, catalogue, {t.delivery.name: t.delivery.load_id() for t in tidy})


def check_published(valid: list[ValidDelivery], warehouse: Path) -> None:
    """Refuse a delivery set that would drop or rewrite what the published warehouse holds."""
    tidy_files = sorted(f.name for v in valid for f in v.parsed.delivery.files if f.form == "tidy")
    check_against_published(valid, wh.published_cells(warehouse, skip_files=tidy_files))


def build_warehouse(valid: list[ValidDelivery], staged: Path | None, catalogue: Catalogue, warehouse: Path,
                    now: dt.datetime) -> Path:
    """Stage the observations, build every table in a new file and run the data rules."""
    frames = wh.staging_frames(valid, catalogue, wh.previous_loads(warehouse), now)
    return wh.build(warehouse, frames, staged=[staged] if staged else [])


def publish_warehouse(tmp: Path, warehouse: Path) -> list[str]:
    """Swap the new file in and return the warnings it holds."""
    wh.publish(tmp, warehouse)
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select series, year, old_edition, old_value, new_edition, new_value from revisions "
            "where kind = 'restated' and note is null order by all").fetchall()
    finally:
        con.close()
    return [f"{s} {y}: edition {ne} restates {ov:g} (edition {oe}) as {nv:g} without a note"
            for s, y, oe, ov, ne, nv in rows]


def run_refresh(raw_dir: Path, warehouse: Path, full_rebuild: bool = False, wait_seconds: float = 0.0,
                steps: Steps | None = None, now: dt.datetime | None = None,
                catalogue: Catalogue | None = None) -> RefreshResult:
    """Load every delivery under raw_dir into a new warehouse and publish it atomically, unless nothing changed.

    now (the load time of new files) and catalogue (schemas/*.csv) are fixed only by tests.
    """
    check_output(warehouse, "warehouse", raw_dir=raw_dir)
    steps = steps or Steps()
    raw_dir, warehouse = Path(raw_dir), Path(warehouse)
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(warehouse, wait_seconds):
        outcome = Outcome("refused", warehouse, [], wh.published_inputs(warehouse))
        valid, staged = [], None
        try:
            outcome.deliveries = steps.run(discover, raw_dir)
            if not full_rebuild and build_inputs(outcome.deliveries) == outcome.previous:
                outcome.status = "unchanged"
                return RefreshResult("unchanged", str(warehouse), [d.name for d in outcome.deliveries], 0)
            catalogue = catalogue or Catalogue.load()
            for result in steps.each(check_delivery, outcome.deliveries, catalogue):
                try:
                    valid.append(result())
                except DeliveryError as exc:
                    outcome.problems.extend(exc.problems)
            try:
                staged = steps.run(check_tidy, valid, catalogue)
            except DeliveryError as exc:
                outcome.problems.extend(exc.problems)
            if outcome.problems:
                raise DeliveryError(outcome.problems)
            crash_point("parsed")
            steps.run(check_published, valid, warehouse)
            tmp = steps.run(build_warehouse, valid, staged, catalogue, warehouse, now)
            warnings = steps.run(publish_warehouse, tmp, warehouse)
            outcome.status = "published"
        except DeliveryError as exc:
            outcome.problems = exc.problems
            raise
        except wh.CheckFailed as exc:
            outcome.status, outcome.detail = "checks-failed", str(exc)
            raise
        finally:
            for v in valid:
                discard(v.parsed.tidy)
            discard_staged(staged)
            if outcome.status != "refused" or outcome.problems:
                steps.report(outcome)
    observations = sum(len(v.observations) + sum(t.rows for t in v.parsed.tidy) for v in valid)
    return RefreshResult("published", str(warehouse), [d.name for d in outcome.deliveries], observations, warnings)
