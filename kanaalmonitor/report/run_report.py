"""The run report: a Dutch summary and the kerncijfers table as Prefect artifacts with stable keys.

The figures come from the queries under warehouse/report/run/ (numbers formatted there, by the macros of
warehouse/macros.sql); templates/run_report.md.j2 words the summary; this module only gathers the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kanaalmonitor.build.fingerprint import Inputs
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import Delivery
from kanaalmonitor.errors import Problem
from kanaalmonitor.freshness import MissingEdition
from kanaalmonitor.report.queries import count, query, templates, with_macros

SUMMARY_KEY = "kanaalmonitor-verslag"
KERNCIJFERS_KEY = "kanaalmonitor-kerncijfers"
PUBLISHED_QUERIES = ("skipped_sheets", "revisions", "revision_kinds", "plausibility")  # warehouse/report/run/<name>.sql
# The lists an artifact shows at most: the first rows and how many there are; the warehouse holds them all.
LISTED = {"revisions": 100, "plausibility": 100}
MAX_KERNCIJFERS_ROWS = 1000
MORE = {"revisions": "select * from revisions where kind = 'restated'",
        "plausibility": "select * from plausibility_warnings"}

HEADLINES = {
    "published": "Gepubliceerd",
    "unchanged": "Ongewijzigd: niets herbouwd",
    "refused": "Geweigerd: niets geladen",
    "checks-failed": "Niet gepubliceerd: controleregels geschonden",
}


@dataclass
class Outcome:
    """What a refresh did, for the report."""

    status: str  # a key of HEADLINES
    warehouse: Path
    deliveries: list[Delivery]
    previous: Inputs | None
    problems: list[Problem] = field(default_factory=list)
    detail: str | None = None
    missing: list[MissingEdition] = field(default_factory=list)


def _delivery_state(outcome: Outcome, d: Delivery, current: dict[str, str]) -> dict:
    """One row of the deliveries table; the template words its state."""
    row = {"name": d.name, "municipality": d.municipality, "edition": d.edition,
           "files": [f.name for f in d.files], "problems": 0}
    if outcome.status == "refused":
        row["problems"] = sum(1 for p in outcome.problems if p.file == d.name or p.file.startswith(d.name + "/"))
        return {**row, "state": "refused" if row["problems"] else "not-loaded"}
    if outcome.status != "published":
        return {**row, "state": outcome.status}
    before = {name: sha for kind, name, sha in (outcome.previous or ()) if kind == "delivery"}
    if d.name not in before:
        return {**row, "state": "new"}
    return {**row, "state": "same" if before[d.name] == current[d.name] else "changed"}


def _published_rows(warehouse: Path) -> tuple[dict[str, list[dict] | None], dict[str, int]]:
    """The report's queries on the published warehouse (warehouse/report/run/), the lists of LISTED cut to their
    first rows; None for one that cannot run. Beside them, how many rows each list of LISTED has."""
    totals = dict.fromkeys(LISTED, 0)
    if not Path(warehouse).exists():
        return dict.fromkeys(PUBLISHED_QUERIES), totals
    try:
        con = with_macros(connect(warehouse, read_only=True))
    except duckdb.Error:
        return dict.fromkeys(PUBLISHED_QUERIES), totals
    rows: dict[str, list[dict] | None] = {}
    try:
        for name in PUBLISHED_QUERIES:
            try:
                rows[name] = query(con, f"run/{name}", limit=LISTED.get(name))
                if name in LISTED:
                    totals[name] = count(con, f"run/{name}") if len(rows[name]) == LISTED[name] else len(rows[name])
            except duckdb.Error:
                rows[name] = None
    finally:
        con.close()
    return rows, totals


def summary_markdown(outcome: Outcome) -> str:
    """The Dutch run summary (templates/run_report.md.j2)."""
    current = {d.name: d.sha256() for d in outcome.deliveries} if outcome.status == "published" else {}
    delivered = {d.name for d in outcome.deliveries}
    published = outcome.status in ("published", "unchanged")
    removed = [name for kind, name, _ in sorted(outcome.previous or ())
               if kind == "delivery" and name not in delivered] if outcome.status == "published" else []
    rows, totals = _published_rows(outcome.warehouse) if published else (dict.fromkeys(PUBLISHED_QUERIES),
                                                                         dict.fromkeys(LISTED, 0))
    text = templates().get_template("run_report.md.j2").render(
        headline=HEADLINES[outcome.status],
        status=outcome.status,
        warehouse=outcome.warehouse,
        missing=[str(m) for m in outcome.missing] if published else [],
        deliveries=[_delivery_state(outcome, d, current) for d in outcome.deliveries],
        removed=removed,
        problems=[str(p) for p in outcome.problems],
        detail=outcome.detail,
        skipped_sheets=rows["skipped_sheets"] or [],
        revisions=rows["revisions"],
        revision_kinds=rows["revision_kinds"] or [],
        plausibility=rows["plausibility"],
        totals=totals,
        more=MORE,
    )
    return text.rstrip("\n") + "\n"


def kerncijfers_rows(warehouse: Path, limit: int | None = None) -> tuple[list[dict], int]:
    """The published kerncijfers table as rows for a table artifact (warehouse/report/run/kerncijfers.sql), the
    first limit of them when given, and how many rows it has."""
    if not warehouse.exists():
        return [], 0
    con = connect(warehouse, read_only=True)
    try:
        rows = query(con, "run/kerncijfers", limit=limit)
        return rows, len(rows) if limit is None or len(rows) < limit else count(con, "run/kerncijfers")
    finally:
        con.close()


def create_artifacts(outcome: Outcome) -> None:
    """Write the summary and, when a warehouse is published, its kerncijfers as artifacts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(summary_markdown(outcome), key=SUMMARY_KEY,
                             description=f"Verslag van de verversing: {HEADLINES[outcome.status]}")
    if outcome.status in ("published", "unchanged"):
        rows, total = kerncijfers_rows(outcome.warehouse, MAX_KERNCIJFERS_ROWS)
        description = "Kerncijfers zoals gepubliceerd (huidige waarden)"
        if total > len(rows):
            description += (f"; de eerste {len(rows)} van {total} rijen, alle rijen met kanaalmonitor query "
                            "\"select * from kerncijfers\"")
        create_table_artifact(rows, key=KERNCIJFERS_KEY, description=description)
