"""The run report: a Dutch summary and the kerncijfers table as Prefect artifacts with stable keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kanaalmonitor.build.fingerprint import Inputs
from kanaalmonitor.db import connect, query_published
from kanaalmonitor.deliveries.manifest import Delivery
from kanaalmonitor.errors import Problem
from kanaalmonitor.freshness import MissingEdition

SUMMARY_KEY = "kanaalmonitor-verslag"
KERNCIJFERS_KEY = "kanaalmonitor-kerncijfers"

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


def number(value: float | None, unit: str = "count") -> str:
    """A figure as the monitor prints it: 314.803, 7,8, 90."""
    if value is None:
        return "-"
    if unit == "count":
        return f"{value:,.0f}".replace(",", ".")
    if unit == "grade":
        return f"{value:.1f}".replace(".", ",")
    return f"{value:g}".replace(".", ",")


def percent(value: float) -> str:
    return f"{value:+.1f}".replace(".", ",") + " %"


def _delivery_status(outcome: Outcome, d: Delivery, sha: str) -> str:
    if outcome.status == "unchanged":
        return "ongewijzigd, niet opnieuw geladen"
    if outcome.status == "refused":
        own = [p for p in outcome.problems if p.file == d.name or p.file.startswith(d.name + "/")]
        if own:
            return f"geweigerd: {len(own)} probleem/problemen (zie hieronder)"
        return "niet geladen: een andere levering is geweigerd"
    if outcome.status == "checks-failed":
        return "niet gepubliceerd: het nieuwe warehouse breekt een controleregel"
    before = {name: s for kind, name, s in (outcome.previous or ()) if kind == "delivery"}
    if d.name not in before:
        return "geladen (nieuw)"
    return "geladen (ongewijzigd)" if before[d.name] == sha else "geladen (gewijzigd)"


def _deliveries(outcome: Outcome) -> list[str]:
    lines = ["## Leveringen", ""]
    if not outcome.deliveries:
        return lines + ["Geen levering gelezen.", ""]
    lines += ["| levering | gemeente | editie | bestanden | status |", "|---|---|---|---|---|"]
    current = set()
    for d in outcome.deliveries:
        sha = d.sha256()
        current.add(d.name)
        files = ", ".join(f.name for f in d.files)
        lines.append(f"| {d.name} | {d.municipality} | {d.edition} | {files} | {_delivery_status(outcome, d, sha)} |")
    if outcome.status == "published":
        for kind, name, _ in sorted(outcome.previous or ()):
            if kind == "delivery" and name not in current:
                lines.append(f"| {name} | | | | niet meer aanwezig: uit het warehouse verwijderd |")
    return lines + [""]


def _revisions(warehouse: Path) -> list[str]:
    rows = query_published(warehouse, """
        select s.label_nl, s.unit, r.year, r.old_edition, r.old_value, r.new_edition, r.new_value, r.change_pct, r.note
        from revisions r join series s using (series)
        where r.kind = 'restated' order by s.position, r.year, r.new_edition""")
    kinds = query_published(
        warehouse, "select kind, count(*) from revisions where kind <> 'restated' group by kind order by kind")
    if rows is None:
        return []
    lines = ["## Herzieningen", ""]
    if rows:
        lines += ["| reeks | jaar | oude editie | oude waarde | nieuwe editie | nieuwe waarde | verschil "
                  "| toelichting |",
                  "|---|---|---|---|---|---|---|---|"]
        for label, unit, year, oe, ov, ne, nv, pct, note in rows:
            lines.append(f"| {label} | {year} | {oe} | {number(ov, unit)} | {ne} | {number(nv, unit)} | "
                         f"{percent(pct) if pct is not None else '-'} | {note or 'geen toelichting in de levering'} |")
    else:
        lines.append("Geen editie wijzigt een eerder gepubliceerd cijfer zonder methodewijziging.")
    if kinds:
        lines += ["", "Verder in de tabel `revisions`: "
                  + ", ".join(f"{n} x {kind}" for kind, n in kinds) + "."]
    return lines + [""]


def _plausibility(warehouse: Path) -> list[str]:
    rows = query_published(warehouse, """
        select w.label_nl, w.unit, w.year, w.previous_value, w.value, w.change_pct
        from plausibility_warnings w join series s using (series)
        order by s.position, w.year""")
    if rows is None:
        return []
    lines = ["## Plausibiliteit", "",
             "Een verandering van meer dan 25 % ten opzichte van het jaar ervoor (zelfde meetmethode) "
             "is een waarschuwing, geen reden om te weigeren.", ""]
    if not rows:
        return lines + ["Geen waarschuwingen.", ""]
    lines += [f"{len(rows)} waarschuwing(en):", "", "| reeks | jaar | vorig jaar | dit jaar | verandering |",
              "|---|---|---|---|---|"]
    for label, unit, year, prev, value, pct in rows:
        lines.append(f"| {label} | {year} | {number(prev, unit)} | {number(value, unit)} | {percent(pct)} |")
    return lines + [""]


def _missing(missing: list[MissingEdition]) -> list[str]:
    if not missing:
        return []
    return ["## Waarschuwing: editie ontbreekt", "", *(f"- {m}" for m in missing), "",
            "Een waarschuwing, geen weigering: wat wel binnenkwam is geladen zoals altijd. Leg de editie in "
            "`raw/` en start de verversing opnieuw (of geef `expect_edition` op als een andere editie verwacht "
            "wordt).", ""]


def summary_markdown(outcome: Outcome) -> str:
    """The Dutch run summary."""
    lines = [f"# Verversing kanaalmonitor: {HEADLINES[outcome.status]}", "", f"Warehouse: `{outcome.warehouse}`", ""]
    if outcome.status == "unchanged":
        lines += ["Alle leveringen en de code die het warehouse vormt hebben dezelfde hash als bij de vorige "
                  "publicatie; het bestand is niet aangeraakt. Start met `full_rebuild` om toch te herbouwen.", ""]
    if outcome.status == "refused":
        lines += ["Het gepubliceerde warehouse is ongewijzigd. Los de problemen op en start de verversing opnieuw.", ""]
    if outcome.status in ("published", "unchanged"):
        lines += _missing(outcome.missing)
    lines += _deliveries(outcome)
    if outcome.problems:
        lines += ["## Problemen", "", *(f"- {p}" for p in outcome.problems), ""]
    if outcome.detail:
        lines += ["## Details", "", "```", outcome.detail, "```", ""]
    if outcome.status in ("published", "unchanged"):
        lines += _revisions(outcome.warehouse) + _plausibility(outcome.warehouse)
    return "\n".join(lines)


def kerncijfers_rows(warehouse: Path) -> list[dict]:
    """The published kerncijfers table as rows for a table artifact."""
    if not warehouse.exists():
        return []
    con = connect(warehouse, read_only=True)
    try:
        cur = con.execute("select * exclude (position) from kerncijfers order by municipality, position")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def create_artifacts(outcome: Outcome) -> None:
    """Write the summary and, when a warehouse is published, its kerncijfers as artifacts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(summary_markdown(outcome), key=SUMMARY_KEY,
                             description=f"Verslag van de verversing: {HEADLINES[outcome.status]}")
    if outcome.status in ("published", "unchanged"):
        create_table_artifact(kerncijfers_rows(outcome.warehouse),
                              key=KERNCIJFERS_KEY, description="Kerncijfers zoals gepubliceerd (huidige waarden)")
