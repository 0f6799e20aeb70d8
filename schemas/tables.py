"""The rules of schemas/observations.py on DuckDB tables, through pandera's ibis backend.

Column rules (types, nullability, ranges, allowed values, patterns) are taken from the pandas models
as they are; the number grammar comes from schemas/numbers.py. Only the frame-level checks need an
ibis expression (a window check returns {name: column}, so pandera computes it before aggregating), one per pandas check of the same name; `schema()` refuses a model whose checks
have no counterpart here, so the two sets cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.datatypes as dt
import pandera.ibis as pi
import pandera.pandas as pa
from pandera.api.ibis.types import IbisData

from schemas.numbers import DUTCH, NOT_AVAILABLE, PLAIN

KEY = ("municipality", "series", "year", "edition")
_DTYPES = {"str": dt.string, "string[pyarrow]": dt.string, "int64": dt.int64, "float64": dt.float64}


def clean(cell: ibis.Value) -> ibis.Value:
    """Cell text with outer spaces, non-breaking spaces and the Unicode minus normalised."""
    return cell.replace("\u00a0", " ").replace("\u2212", "-").strip()


def _full(text: ibis.Value, pattern: str) -> ibis.Value:
    return text.re_search(f"^(?:{pattern})$")


def cell_is_readable(data: IbisData) -> ibis.Value:
    t = data.table
    text = clean(t.cell)
    scaled = t.scale > 1
    ok = text == NOT_AVAILABLE
    for (unit, is_scaled), pattern in DUTCH.items():
        ok = ok | ((t["style"] == "nl") & (t.unit == unit) & (scaled == is_scaled) & _full(text, pattern))
    ok = ok | ((t["style"] == "plain") & (_full(text, PLAIN) | (text == "")))
    return ok.fill_null(False)


def year_not_after_edition(data: IbisData) -> ibis.Value:
    return data.table.year <= data.table.edition


def _unit_rule(unit: str, rule: Callable[[ibis.Value], ibis.Value]) -> Callable[[IbisData], ibis.Value]:
    def check(data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != unit) | t.value.isnull() | rule(t.value)).fill_null(False)
    return check


def grade_one_decimal(data: IbisData) -> ibis.Value:
    t = data.table
    return (t.unit != "grade") | (t.decimals <= 1)


def missing_value_has_status_o(data: IbisData) -> ibis.Value:
    t = data.table
    return t.value.isnull() == (t.status == "O").fill_null(False)


def one_row_per_key(data: IbisData) -> dict[str, ibis.Value]:
    t = data.table
    return {"one_row_per_key": t.series.count().over(ibis.window(group_by=list(KEY))) == 1}


def part_at_most_parent(parents: tuple[str, ...]) -> Callable[[IbisData], dict[str, ibis.Value]]:
    """Per (municipality, edition, year), a part is at most the value its parent series has there."""
    def check(data: IbisData) -> dict[str, ibis.Value]:
        t = data.table
        per_year = ibis.window(group_by=["municipality", "edition", "year"])
        parent_value = ibis.literal(None, type=dt.float64)
        for series in parents:
            own = t.value.max(where=t.series == series).over(per_year)
            parent_value = ibis.ifelse(t.parent == series, own, parent_value)
        return {"part_at_most_parent": parent_value.isnull() | t.value.isnull() | (t.value <= parent_value)}
    return check


def no_break_in_restatement(data: IbisData) -> ibis.Value:
    return data.table.status != "B"


def restated_years_without_gap(data: IbisData) -> dict[str, ibis.Value]:
    t = data.table
    w = ibis.window(group_by=["municipality", "series", "edition"])
    return {"restated_years_without_gap": (t.year.max().over(w) - t.year.min().over(w) + 1) == t.year.count().over(w)}


FRAME_CHECKS: dict[str, Callable[[IbisData], ibis.Value]] = {
    "cell_is_readable": cell_is_readable,
    "year_not_after_edition": year_not_after_edition,
    "count_not_negative": _unit_rule("count", lambda v: v >= 0),
    "count_is_whole": _unit_rule("count", lambda v: v % 1 == 0),
    "percent_within_0_100": _unit_rule("percent", lambda v: v.between(0, 100)),
    "grade_within_1_10": _unit_rule("grade", lambda v: v.between(1, 10)),
    "grade_one_decimal": grade_one_decimal,
    "missing_value_has_status_o": missing_value_has_status_o,
    "one_row_per_key": one_row_per_key,
    "no_break_in_restatement": no_break_in_restatement,
    "restated_years_without_gap": restated_years_without_gap,
}

def schema(model: type[pa.DataFrameModel], parents: tuple[str, ...]) -> pi.DataFrameSchema:
    """The pandas model as a pandera.ibis schema; parents are the series that have parts."""
    frame_checks = {**FRAME_CHECKS, "part_at_most_parent": part_at_most_parent(tuple(parents))}
    source = model.to_schema()
    columns = {}
    for name, col in source.columns.items():
        columns[name] = pi.Column(_DTYPES[str(col.dtype)], checks=list(col.checks), nullable=col.nullable)
    checks = []
    for check in source.checks:
        if check.name not in frame_checks:
            raise NotImplementedError(f"{model.__name__}.{check.name} has no ibis counterpart in {__name__}")
        checks.append(pi.Check(frame_checks[check.name], name=check.name))
    return pi.DataFrameSchema(columns, checks=checks, strict=False, name=model.__name__)
