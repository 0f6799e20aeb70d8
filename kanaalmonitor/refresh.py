"""The refresh, once: find, parse, validate, check against the published warehouse, build, check, publish.

`run_refresh()` is the whole refresh. The Prefect flow `refresh` (flows/refresh.py) calls it with steps that
run each stage as a task; tests and the command line's fast paths call it with plain function calls.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kanaalmonitor.build.fingerprint import Inputs, build_inputs, published_inputs
from kanaalmonitor.build.lock import writer_lock
from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import DEFAULT_MUNICIPALITY, MANIFEST_NAME
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import Delivery, discover, duplicate_editions, read_manifest
from kanaalmonitor.errors import CheckFailed, DeliveryError, Problem
from kanaalmonitor.faults import crash_point
from kanaalmonitor.freshness import MissingEdition, missing_editions
from kanaalmonitor.paths import check_output
from kanaalmonitor.progress import Step, tell
from kanaalmonitor.words import plural

# The stages' own modules (pandas, pandera, the build) are imported where they run, so the unchanged fast path
# loads none of them (tests/test_import_weight.py).
if TYPE_CHECKING:
    from kanaalmonitor.deliveries.parse import ParsedDelivery
    from kanaalmonitor.deliveries.validate import CheckedCells
    from kanaalmonitor.report.run_report import Outcome

MAX_WARNINGS_SHOWN = 20  # of each kind, on the terminal and in the run's log


@dataclass
class RefreshResult:
    """What a refresh did."""

    status: str  # "published" or "unchanged"
    warehouse: str
    deliveries: list[str]
    observations: int
    warnings: list[str] = field(default_factory=list)  # restatements without a note
    missing: list[MissingEdition] = field(default_factory=list)
    plausibility: list[str] = field(default_factory=list)  # table plausibility_warnings

    def summary(self) -> str:
        """One line: what was published (or found unchanged) and how many warnings there are."""
        n = len(self.deliveries)
        if self.status == "unchanged":
            these = "this delivery" if n == 1 else f"these {plural(n, 'delivery', 'deliveries')}"
            return (f"Unchanged: {self.warehouse} already holds {these}; nothing was rebuilt "
                    "(--full-rebuild rebuilds anyway).")
        warnings = len(self.warnings) + len(self.plausibility) + len(self.missing)
        return (f"Published {self.warehouse}: {plural(n, 'delivery', 'deliveries')}, "
                f"{plural(self.observations, 'cell')}, {plural(warnings, 'warning') if warnings else 'no warnings'}.")

    def warning_lines(self, limit: int = MAX_WARNINGS_SHOWN) -> list[str]:
        """Every warning of the run, at most limit of each kind, then where to find the rest."""
        return [*map(str, self.missing), *warning_lines(self.warnings, self.plausibility, limit)]


def warning_lines(restated: list[str], plausibility: list[str], limit: int = MAX_WARNINGS_SHOWN,
                  loaded: bool = True) -> list[str]:
    """The warnings of a build, at most limit of each kind, then the query that lists the rest (of the published
    warehouse; for a build not yet loaded, once it is)."""
    lines = []
    for kind, found, where in (
            ("restatement", restated, "select * from revisions where kind = 'restated' and note is null"),
            ("plausibility warning", plausibility, "select * from plausibility_warnings")):
        lines += found[:limit]
        if len(found) > limit:
            lines.append(f"{plural(len(found) - limit, 'more ' + kind)}: kanaalmonitor query \"{where}\""
                         + ("" if loaded else " once they are loaded"))
    return lines


class Steps:
    """How the refresh runs its stages: here as plain calls; flows/refresh.py runs them as Prefect tasks."""

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def each(self, fn: Callable[..., Any], items: list, *args: Any) -> list[Callable[[], Any]]:
        """fn over every item; each result is read (or its error raised) by calling its thunk."""
        return [lambda item=item: fn(item, *args) for item in items]

    def report(self, outcome: Outcome) -> None:
        """Called once with the final outcome of every refresh that took the writer lock."""

    def progress(self, step: Step) -> None:
        """Called after every step of a stage (a delivery read, the cells validated, a model built, the publish)."""
        tell(step)


def check_delivery(delivery: Delivery, catalogue: Catalogue, work: Path) -> ParsedDelivery:
    """Parse one delivery into raw cells (its tidy files into Parquet files under the work folder)."""
    from kanaalmonitor.deliveries.parse import parse_delivery

    return parse_delivery(delivery, catalogue, work)


def check_cells(parsed: list[ParsedDelivery], catalogue: Catalogue, work: Path) -> CheckedCells:
    """Validate the raw cells of every delivery in one table of the work database, once, against the schemas."""
    from kanaalmonitor.deliveries.validate import validate_cells

    return validate_cells(parsed, catalogue, work / "cells.duckdb")


def check_published(cells: CheckedCells, warehouse: Path) -> None:
    """Refuse a delivery set that would drop or rewrite what the published warehouse holds."""
    from kanaalmonitor.deliveries.validate import check_against_published

    check_against_published(cells, warehouse)


def build_warehouse(parsed: list[ParsedDelivery], cells: CheckedCells, catalogue: Catalogue, warehouse: Path,
                    now: dt.datetime, inputs: Inputs | None = None,
                    progress: Callable[[Step], None] | None = None) -> Path:
    """Stage the validated cells, build every table in a new file and run the data rules."""
    from kanaalmonitor.build import warehouse as wh

    frames = wh.staging_frames(parsed, cells, catalogue, wh.previous_loads(warehouse), now, inputs)
    return wh.build(warehouse, frames, staged=[cells.database], progress=progress, cells=cells.count)


def cells_read(parsed: ParsedDelivery) -> int:
    """The raw cells of one delivery, printed and tidy."""
    return len(parsed.cells) + sum(t.rows for t in parsed.tidy)


_UNEXPLAINED = """
select municipality, series, year, old_edition, old_value, new_edition, new_value from revisions
where kind = 'restated' and note is null order by all
"""
_IMPLAUSIBLE = """
select municipality, series, year, previous_value, value, change_pct from plausibility_warnings order by all
"""


def _where(municipality: str) -> str:
    return "" if municipality == DEFAULT_MUNICIPALITY else f"{municipality} "


def publish_warehouse(tmp: Path, warehouse: Path) -> tuple[list[str], list[str]]:
    """Swap the new file in and return the warnings it holds (built_warnings)."""
    from kanaalmonitor.build import warehouse as wh

    wh.publish(tmp, warehouse)
    return built_warnings(warehouse)


def built_warnings(warehouse: Path) -> tuple[list[str], list[str]]:
    """The warnings a built warehouse holds: restatements without a note, and figures that changed more than
    25 % in a year (table plausibility_warnings)."""
    con = connect(warehouse, read_only=True)
    try:
        restated = con.execute(_UNEXPLAINED).fetchall()
        implausible = con.execute(_IMPLAUSIBLE).fetchall()
    finally:
        con.close()
    return ([f"{_where(m)}{s} {y}: edition {ne} restates {ov:g} (edition {oe}) as {nv:g} without a note"
             for m, s, y, oe, ov, ne, nv in restated],
            [f"{_where(m)}{s} {y}: {pv:g} in {y - 1}, {v:g} in {y} ({pct:+.1f}%), more than 25% in a year "
             f"on one method" for m, s, y, pv, v, pct in implausible])


def run_name(raw_dir: Path) -> str:
    """A name that says what a refresh of raw_dir loads: 'refresh-2021-3-editions', with the number of
    municipalities when there are several ('refresh-2026-25-editions-256-municipalities')."""
    try:
        deliveries = discover(Path(raw_dir))
    except (DeliveryError, OSError):
        return "refresh-deliveries-refused"
    editions = {d.edition for d in deliveries}
    name = f"refresh-{max(editions)}-{plural(len(editions), 'edition')}"
    municipalities = {d.municipality for d in deliveries}
    if len(municipalities) > 1:
        name += f"-{plural(len(municipalities), 'municipality', 'municipalities')}"
    return name.replace(" ", "-").replace(",", "")


def parse_and_validate(steps: Steps, deliveries: list[Delivery], catalogue: Catalogue,
                       work: Path) -> tuple[list[ParsedDelivery], CheckedCells]:
    """Parse every delivery and validate all their cells once; one DeliveryError lists every problem of every
    file, sheet and delivery."""
    parsed, problems, cells = [], [], None
    results = steps.each(check_delivery, deliveries, catalogue, work)
    for i, (d, result) in enumerate(zip(deliveries, results), 1):
        try:
            parsed.append(result())
            detail = f"{d.name} ({plural(len(d.files), 'file')}, {plural(cells_read(parsed[-1]), 'cell')})"
        except DeliveryError as exc:
            problems.extend(exc.problems)
            detail = f"{d.name} refused ({plural(len(exc.problems), 'problem')})"
        steps.progress(Step("read", i, len(deliveries), detail))
    if parsed:
        try:
            cells = steps.run(check_cells, parsed, catalogue, work)
            steps.progress(Step("validated", cells.count))
        except DeliveryError as exc:
            problems.extend(exc.problems)
            steps.progress(Step("validated", 0, None, f"refused ({plural(len(exc.problems), 'problem')})"))
    if problems:
        raise DeliveryError(problems)
    return parsed, cells


def unchanged_result(raw_dir: Path, warehouse: Path, expect_edition: int | None = None) -> RefreshResult | None:
    """The result of a refresh when the deliveries and the code are those of the published warehouse (nothing
    to rebuild), found without the writer lock or an orchestration server; None when there is work to do."""
    check_output(warehouse, "warehouse", raw_dir=raw_dir)
    previous = published_inputs(Path(warehouse))
    if previous is None:
        return None
    deliveries = discover(Path(raw_dir))
    if build_inputs(deliveries) != previous:
        return None
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return RefreshResult("unchanged", str(warehouse), [d.name for d in deliveries], 0,
                         missing=missing_editions(deliveries, Path(warehouse), expect_edition, now))


def run_refresh(raw_dir: Path, warehouse: Path, full_rebuild: bool = False, wait_seconds: float = 0.0,
                steps: Steps | None = None, now: dt.datetime | None = None,
                catalogue: Catalogue | None = None, expect_edition: int | None = None) -> RefreshResult:
    """Load every delivery under raw_dir into a new warehouse and publish it atomically, unless nothing changed.

    now (the load time of new files) and catalogue (schemas/*.csv) are fixed only by tests; expect_edition
    (default: the year of now) is the edition every municipality that delivered before should have delivered.
    """
    from kanaalmonitor.report.run_report import Outcome

    check_output(warehouse, "warehouse", raw_dir=raw_dir)
    steps = steps or Steps()
    raw_dir, warehouse = Path(raw_dir), Path(warehouse)
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(warehouse, wait_seconds) as work:
        outcome = Outcome("refused", warehouse, [], published_inputs(warehouse))
        cells = None
        try:
            outcome.deliveries = steps.run(discover, raw_dir)
            outcome.missing = steps.run(missing_editions, outcome.deliveries, warehouse, expect_edition, now)
            inputs = build_inputs(outcome.deliveries)
            if not full_rebuild and inputs == outcome.previous:
                outcome.status = "unchanged"
                return RefreshResult("unchanged", str(warehouse), [d.name for d in outcome.deliveries], 0,
                                     missing=outcome.missing)
            catalogue = catalogue or Catalogue.load()
            # Absolute, as the deliveries' file paths are: the deliveries may be read by workers in other
            # processes or on other machines (flows/task_runners.py), which write their Parquet files there.
            parsed, cells = parse_and_validate(steps, outcome.deliveries, catalogue, work.resolve())
            crash_point("parsed")
            steps.run(check_published, cells, warehouse)
            tmp = steps.run(build_warehouse, parsed, cells, catalogue, warehouse, now, inputs, steps.progress)
            warnings, plausibility = steps.run(publish_warehouse, tmp, warehouse)
            outcome.status = "published"
            steps.progress(Step("published", 1, 1, str(warehouse)))
        except DeliveryError as exc:
            outcome.problems = exc.problems
            raise
        except CheckFailed as exc:
            outcome.status, outcome.detail = "checks-failed", str(exc)
            raise
        finally:
            if outcome.status != "refused" or outcome.problems:
                steps.report(outcome)
    return RefreshResult("published", str(warehouse), [d.name for d in outcome.deliveries], cells.count, warnings,
                         outcome.missing, plausibility)


@dataclass
class DryRun:
    """What a refresh would load, found without changing anything."""

    deliveries: list[str]
    unchanged: bool = False
    cells: int = 0
    new_editions: list[tuple[str, int]] = field(default_factory=list)
    new_series: list[tuple[str, str]] = field(default_factory=list)  # (municipality, series)
    revised: int = 0  # published current figures the load would change or withdraw
    warnings: list[str] = field(default_factory=list)  # restatements without a note
    plausibility: list[str] = field(default_factory=list)  # table plausibility_warnings of the trial build

    def warning_lines(self, limit: int = MAX_WARNINGS_SHOWN) -> list[str]:
        return warning_lines(self.warnings, self.plausibility, limit, loaded=False)


_NEW_EDITIONS = """
select municipality, edition from built.editions
except select municipality, edition from published.editions
order by all
"""
_NEW_SERIES = """
select distinct municipality, series from built.observations
except select municipality, series from published.observations
order by all
"""
_REVISED = """
select count(*) from published.observations as p
left join built.observations as b using (municipality, series, year)
where b.series is null or b.value is distinct from p.value
"""


def delivery_set(raw_dir: Path, extra: Sequence[Path] = ()) -> list[Delivery]:
    """The deliveries under raw_dir plus the delivery folders in extra (each read as if it lay in raw_dir);
    one DeliveryError lists every problem."""
    raw = Path(raw_dir).resolve()
    deliveries, problems = discover(raw_dir), []
    for folder in extra:
        folder = Path(folder)
        if raw == folder.resolve() or raw in folder.resolve().parents:
            continue  # already part of the raw folder
        manifest = folder / MANIFEST_NAME
        if not manifest.is_file():
            problems.append(Problem(str(folder), None, None, None, f"no {MANIFEST_NAME} in the delivery folder",
                                    "Pass a folder that holds a manifest.toml and its tables (see raw/README.md)."))
            continue
        try:
            deliveries.append(read_manifest(manifest, folder.resolve().parent))
        except DeliveryError as exc:
            problems.extend(exc.problems)
    problems += duplicate_editions(deliveries)
    if problems:
        raise DeliveryError(problems)
    return sorted(deliveries, key=lambda d: (d.municipality, d.edition))


def dry_run(raw_dir: Path, warehouse: Path, extra: Sequence[Path] = (), catalogue: Catalogue | None = None,
            now: dt.datetime | None = None) -> DryRun:
    """Everything a refresh does short of publishing, on the deliveries under raw_dir plus the folders in extra:
    parse, validate, the rules against the published warehouse, the build and its data rules, in a temporary
    folder that is removed afterwards. No writer lock, no orchestration server; the published warehouse is only
    read. Raises DeliveryError (every problem of every delivery) or CheckFailed as the refresh would."""
    from kanaalmonitor.build import warehouse as wh

    warehouse = Path(warehouse)
    deliveries = delivery_set(raw_dir, extra)
    names = [d.name for d in deliveries]
    inputs = build_inputs(deliveries)
    if inputs == published_inputs(warehouse):
        return DryRun(names, unchanged=True)
    catalogue = catalogue or Catalogue.load()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="kanaalmonitor-check-") as folder:
        work = Path(folder)
        parsed, cells = parse_and_validate(Steps(), deliveries, catalogue, work)
        check_published(cells, warehouse)
        frames = wh.staging_frames(parsed, cells, catalogue, wh.previous_loads(warehouse), now, inputs)
        built = wh.build(work / "dry-run.duckdb", frames, staged=[cells.database])
        restated, plausibility = built_warnings(built)
        result = DryRun(names, cells=cells.count, warnings=restated, plausibility=plausibility)
        con = connect()
        try:
            con.execute("attach ? as built (read_only)", [str(built)])
            if warehouse.exists():
                con.execute("attach ? as published (read_only)", [str(warehouse)])
            else:  # nothing published: every edition and series is new
                con.execute("attach ':memory:' as published")
                for table in ("editions", "observations"):
                    con.execute(f"create table published.{table} as from built.{table} limit 0")
            result.new_editions = con.execute(_NEW_EDITIONS).fetchall()
            result.new_series = con.execute(_NEW_SERIES).fetchall()
            result.revised = con.execute(_REVISED).fetchone()[0]
        finally:
            con.close()
    return result
