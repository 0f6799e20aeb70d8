"""Turn parsed cells into validated observations; collect every failure in the user's terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.errors import DeliveryError, Problem
from kanaalmonitor.deliveries.parse import ParsedDelivery
from schemas.numbers import decimals, to_number
from schemas.observations import RULES, Observations, RawCells, RemeasuredSeries, failures_to_rows

METHOD_NOTE = re.compile(r"nieuwe (manier|wijze|methode)|andere (meet)?methode|vervangt (alle )?(voorgaande|eerdere)"
                         r"|trendbreuk|niet vergelijkbaar met (voorgaande|eerdere)", re.IGNORECASE)


@dataclass
class ValidDelivery:
    """A delivery that passed every rule: its observations, ready to stage."""

    parsed: ParsedDelivery
    observations: pd.DataFrame


def validate_delivery(parsed: ParsedDelivery, catalogue: Catalogue) -> ValidDelivery:
    """Apply the schemas lazily; raise one DeliveryError with every problem, or return the observations."""
    d = parsed.delivery
    problems = _method_change_problems(parsed, catalogue)
    if parsed.cells.empty:  # tidy files only: kanaalmonitor.deliveries.tidy checks them inside DuckDB
        if problems:
            raise DeliveryError(problems)
        return ValidDelivery(parsed, pd.DataFrame(columns=[*parsed.cells.columns, "value", "method"]))
    cells = parsed.cells.copy()
    meta = pd.DataFrame([(s.series, s.unit, s.parent) for s in catalogue.series.values()],
                        columns=["series", "unit", "parent"])
    cells = cells.merge(meta, on="series", how="left", validate="many_to_one")
    cells["status"] = cells["status"].astype("object").where(cells["status"].notna(), None)
    try:
        cells = RawCells.validate(cells, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DeliveryError(problems + _problems(cells, exc)) from None

    obs = cells.copy()
    obs["value"] = to_number(obs["cell"], obs["style"], obs["scale"])
    obs["decimals"] = decimals(obs["cell"])
    obs["status"] = obs["status"].where(obs["status"].notna(), obs["value"].isna().map({True: "O", False: "A"}))
    obs["method"] = _declared_methods(obs, d.method_changes)
    try:
        obs = Observations.validate(obs, lazy=True)
        restated = {c.series for c in d.method_changes if c.kind == "restate"}
        if restated:
            RemeasuredSeries.validate(obs[obs["series"].isin(restated)], lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _problems(obs, exc)
    if problems:
        raise DeliveryError(problems)
    return ValidDelivery(parsed, obs)


def _declared_methods(obs: pd.DataFrame, changes) -> pd.Series:
    method = pd.Series(None, index=obs.index, dtype="object")
    for c in changes:
        sel = obs["series"] == c.series
        if c.kind == "break":
            sel &= obs["year"] >= c.from_year
        method[sel] = c.method
    return method


def _problems(df: pd.DataFrame, exc: pa.errors.SchemaErrors) -> list[Problem]:
    problems = []
    for index, check, failure in failures_to_rows(exc):
        rule, action = RULES.get(check, (f"breaks rule {check}", "Correct the delivery."))
        if index is None or pd.isna(index) or index not in df.index:
            problems.append(Problem("(delivery)", None, None, str(failure), rule, action))
            continue
        r = df.loc[index]
        if check not in RULES:
            value = str(failure)
        elif check == "one_row_per_key":
            value = f"{r['cell']} (year {r['year']})"
        else:
            value, rule = r["cell"], f"{rule} [year {r['year']}]"
        problems.append(Problem(r["file"], int(r["row"]), r["label"], value, rule, action))
    return problems


def _method_change_problems(parsed: ParsedDelivery, catalogue: Catalogue) -> list[Problem]:
    """Method changes must be declared, and declarations must name delivered series."""
    d = parsed.delivery
    problems = []
    declared = {c.series for c in d.method_changes}
    delivered = set(parsed.cells["series"]).union(*(t.years for t in parsed.tidy))
    manifest = f"{d.name}/manifest.toml"
    for c in d.method_changes:
        if c.series not in catalogue.series:
            problems.append(Problem(manifest, None, c.series, None, "method change names an unknown series",
                                    "Use a code from schemas/series.csv."))
        elif c.series not in delivered:
            problems.append(Problem(manifest, None, c.series, None, "method change names a series this delivery "
                                    "does not contain", "Remove the declaration or add the series' table."))
        elif c.kind == "break":
            years = set(parsed.cells.loc[parsed.cells["series"] == c.series, "year"]).union(
                *(t.years.get(c.series, ()) for t in parsed.tidy))
            if c.from_year not in years:
                problems.append(Problem(manifest, None, c.series, str(c.from_year),
                                        "break year is not among the delivered years of the series",
                                        "Set from_year to the first year measured the new way."))
    for note in parsed.notes:
        if not METHOD_NOTE.search(note.text):
            continue
        marked = parsed.markers.get((note.file, note.marker), set()) if note.marker else set()
        for series in sorted(marked - declared):
            problems.append(Problem(
                note.file, note.row, catalogue.series[series].label_nl, note.text,
                f"footnote says series {series} is measured in a new way, but manifest.toml declares no method change",
                f"Add to manifest.toml: [[method_changes]] series = \"{series}\", kind = \"restate\" (the new figures "
                f"replace all earlier ones) or kind = \"break\" with from_year = the first new year, "
                f"method = a short name, note = the footnote."))
    return problems


PUBLISHED_COLUMNS = ["municipality", "edition", "series", "year", "value", "cell", "file", "row", "label"]


def check_against_published(valid: list[ValidDelivery], published: pd.DataFrame | None) -> None:
    """Rules across deliveries, against the cells of the published warehouse (None: nothing published yet).

    The caller leaves out the published cells of tidy files that are still delivered: bulk files are not
    compared cell by cell (a tidy file removed from raw/ is still caught, as its cells stay in `published`).

    A refresh rebuilds from every delivery under raw/, so it is refused when it would lose or rewrite what
    was published: an edition missing from raw/, or an edition delivered again with other cells. An older
    edition that arrives late and differs from a newer one is not refused: the result must not depend on
    the order editions arrived in, and a difference between editions is a restatement (a warning)."""
    if published is None or published.empty:
        return
    new = pd.concat([v.observations.assign(municipality=v.observations["municipality"].astype(str))
                     [PUBLISHED_COLUMNS] for v in valid], ignore_index=True)
    key = ["municipality", "edition"]
    delivered = set(new[key].itertuples(index=False, name=None))
    shown = set(published[key].itertuples(index=False, name=None))
    problems = []
    for m, e in sorted(shown - delivered):
        files = sorted(set(published.loc[(published["municipality"] == m) & (published["edition"] == e), "file"]))
        problems.append(Problem(files[0], None, None, str(e),
                                f"edition {e} of {m} is published but no longer under raw/ (files {', '.join(files)})",
                                "Put the delivery back: raw/ keeps every edition ever delivered, and a refresh "
                                "never drops a published one."))
    cell_key = [*key, "series", "year"]
    again = new[[k in shown for k in new[key].itertuples(index=False, name=None)]]
    before = published[[k in delivered for k in published[key].itertuples(index=False, name=None)]]
    both = again.merge(before, on=cell_key, how="outer", suffixes=("", "_published"), indicator="side")
    action = ("A published edition is never changed: put back the file as published (its sha256 is in the table "
              "deliveries) and deliver corrections in a new edition, where they show up in revisions.")
    for r in both.itertuples(index=False):
        if r.side == "right_only":
            problems.append(Problem(r.file_published, int(r.row_published), r.label_published, r.cell_published,
                                    f"edition {r.edition} was published with this cell ({r.series} {r.year}), "
                                    f"and the delivery no longer has it", action))
        elif r.side == "left_only":
            problems.append(Problem(r.file, int(r.row), r.label, r.cell,
                                    f"edition {r.edition} was published without {r.series} {r.year}; "
                                    f"the delivery adds it", action))
        elif not _same(r.value, r.value_published):
            problems.append(Problem(r.file, int(r.row), r.label, r.cell,
                                    f"edition {r.edition} was published with {r.cell_published!r} for "
                                    f"{r.series} {r.year}; the delivery changes it", action))
    if problems:
        raise DeliveryError(problems)


def _same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)
