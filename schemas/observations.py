"""pandera schemas (ibis backend) of the delivered cells, checked as SQL inside DuckDB.

`Observations` is the one set of rules every delivered cell obeys, printed or tidy; `RemeasuredSeries` adds
the rules of a series a delivery restates. They validate the table `cells` of the refresh's work database
(kanaalmonitor/deliveries/validate.py), where each raw cell carries the unit and parent its series has in the
catalogue, its value and form (readable, or why not) read by the grammar of schemas/numbers.py, and the value
of its parent series that year.
"""

from __future__ import annotations

import ibis
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData

from schemas.numbers import MAX_DECIMALS, MAX_FIGURE, UNITS

DELIVERED_STATUSES = ("A", "O", "P", "E")  # B (a break) comes only from a method change the manifest declares
MUNICIPALITY = r"^GM\d{4}$"
KEY = ["municipality", "series", "year", "edition"]


class Observations(pa.DataFrameModel):
    """Every delivered cell: readable, in range for its unit, one per key, parts within their parents."""

    municipality: str = pa.Field(str_matches=MUNICIPALITY)
    edition: int = pa.Field(ge=1990, le=2100)
    file: str
    row: int = pa.Field(ge=1)
    label: str
    series: str
    unit: str = pa.Field(isin=list(UNITS))
    year: int = pa.Field(ge=1900, le=2100)
    cell: str
    scale: int = pa.Field(ge=1)
    style: str = pa.Field(isin=["nl", "plain"])
    status: str
    value: float = pa.Field(nullable=True)
    decimals: int = pa.Field(ge=0)
    form: str  # figure_form of schemas/numbers.py: readable, or why not
    parent: str = pa.Field(nullable=True)
    parent_value: float = pa.Field(nullable=True)
    method: str = pa.Field(nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check
    def cell_is_readable(cls, data: IbisData) -> ibis.Value:
        """'-' or a number its unit's grammar reads without guessing."""
        return (data.table.form != "unreadable").fill_null(False)

    @pa.dataframe_check
    def digits_are_ascii(cls, data: IbisData) -> ibis.Value:
        """Only the digits 0-9: no digit of another script, fullwidth or superscript digit, or letter O or l."""
        return (data.table.form != "lookalike").fill_null(True)

    @pa.dataframe_check
    def time_only_for_duration(cls, data: IbisData) -> ibis.Value:
        return (data.table.form != "time").fill_null(True)

    @pa.dataframe_check
    def duration_written_as_time(cls, data: IbisData) -> ibis.Value:
        return (data.table.form != "number").fill_null(True)

    @pa.dataframe_check
    def figure_held_exactly(cls, data: IbisData) -> ibis.Value:
        """Below MAX_FIGURE and with at most MAX_DECIMALS decimals: what a DOUBLE holds exactly."""
        t = data.table
        return (t.value.isnull() | ((t.value.abs() < MAX_FIGURE) & (t.decimals <= MAX_DECIMALS))).fill_null(False)

    @pa.dataframe_check
    def status_is_delivered_status(cls, data: IbisData) -> ibis.Value:
        return data.table.status.isin(DELIVERED_STATUSES).fill_null(False)

    @pa.dataframe_check
    def year_not_after_edition(cls, data: IbisData) -> ibis.Value:
        """An edition reports on years up to its own publication year."""
        return data.table.year <= data.table.edition

    @pa.dataframe_check
    def count_not_negative(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "count") | t.value.isnull() | (t.value >= 0)).fill_null(False)

    @pa.dataframe_check
    def count_is_whole(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "count") | t.value.isnull() | (t.value % 1 == 0)).fill_null(False)

    @pa.dataframe_check
    def percent_within_0_100(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "percent") | t.value.isnull() | t.value.between(0, 100)).fill_null(False)

    @pa.dataframe_check
    def grade_within_1_10(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "grade") | t.value.isnull() | t.value.between(1, 10)).fill_null(False)

    @pa.dataframe_check
    def grade_one_decimal(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "grade") | (t.decimals <= 1)).fill_null(False)

    @pa.dataframe_check
    def duration_not_negative(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return ((t.unit != "duration") | t.value.isnull() | (t.value >= 0)).fill_null(False)

    @pa.dataframe_check
    def missing_value_has_status_o(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return t.value.isnull() == (t.status == "O").fill_null(False)

    @pa.dataframe_check
    def one_row_per_key(cls, data: IbisData) -> dict[str, ibis.Value]:
        """One row per key inside each file; a key delivered by two files is refused by
        kanaalmonitor.deliveries.validate.duplicates_across_files, which names both."""
        t = data.table
        return {"one_row_per_key": t.series.count().over(ibis.window(group_by=[*KEY, "file"])) == 1}

    @pa.dataframe_check
    def part_at_most_parent(cls, data: IbisData) -> ibis.Value:
        t = data.table
        return t.parent_value.isnull() | t.value.isnull() | (t.value <= t.parent_value)


class RemeasuredSeries(pa.DataFrameModel):
    """A series the delivery restates on a new method (the counter visits, "balie", in 2019):
    every year it prints is on the declared method, with no break inside it and no gap."""

    method: str
    status: str

    class Config:
        strict = False

    @pa.dataframe_check
    def no_break_in_restatement(cls, data: IbisData) -> ibis.Value:
        return data.table.status != "B"

    @pa.dataframe_check
    def restated_years_without_gap(cls, data: IbisData) -> dict[str, ibis.Value]:
        """No year inside the range of known years is not available, or missing from the delivery."""
        t = data.table
        w = ibis.window(group_by=["municipality", "series", "edition"])
        known = t.value.notnull()
        inside = (t.year > t.year.min(where=known).over(w)) & (t.year < t.year.max(where=known).over(w))
        every_year = (t.year.max().over(w) - t.year.min().over(w) + 1) == t.year.count().over(w)
        return {"restated_years_without_gap": (~(inside & t.value.isnull())).fill_null(True) & every_year}


RULES: dict[str, tuple[str, str]] = {
    "cell_is_readable": (
        "cannot be read as a number without guessing ('.' groups thousands, ',' marks decimals, "
        "'-' means not available)",
        "Write the figure in Dutch number format as printed (e.g. 211.105 or 7,8), or '-' if it is not available."),
    "digits_are_ascii": (
        "figure holds a character that only looks like a digit (a digit of another script, a fullwidth or "
        "superscript digit, or a letter O or l)",
        "Type the figure again with the digits 0-9 (e.g. 211.105), or '-' if it is not available."),
    "time_only_for_duration": (
        "a time (m:ss) where a figure of another unit belongs",
        "Write the figure this row counts; if the row is a duration, give its series unit duration in "
        "schemas/series.csv."),
    "duration_written_as_time": (
        "a number where a duration belongs (written m:ss or h:mm:ss)",
        "Write the duration as printed, e.g. 4:52 for 4 minutes 52 seconds, or '-' if it is not available."),
    "figure_held_exactly": (
        f"figure is too large or too precise to be held exactly (below {MAX_FIGURE:,} and at most "
        f"{MAX_DECIMALS} decimals)".replace(",", "."),
        "Check the figure for extra digits; a figure printed in thousands or millions says so in its label "
        "(e.g. '(in miljoenen)')."),
    "status_is_delivered_status": (
        "status must be A (normal), O (not available), P (provisional) or E (estimated); B (a break) "
        "comes only from a declared method change",
        "For a break, declare the method change in manifest.toml: [[method_changes]] series = \"<code>\", "
        "kind = \"break\", from_year = the first year on the new method, method = a short name; and give "
        "the cell status A."),
    "year_not_after_edition": (
        "year lies after the edition", "Check the year, or the edition in manifest.toml."),
    "count_not_negative": ("a count cannot be negative", "Correct the figure in the delivery."),
    "count_is_whole": ("a count must be a whole number",
                       "Correct the figure; if the row is printed in thousands or millions, say so in its label "
                       "(e.g. '(in miljoenen)')."),
    "percent_within_0_100": ("a percentage must lie between 0 and 100", "Correct the figure in the delivery."),
    "grade_within_1_10": ("a report grade must lie between 1 and 10", "Correct the figure in the delivery."),
    "grade_one_decimal": ("a report grade has at most one decimal", "Deliver the grade as printed, e.g. 7,8."),
    "duration_not_negative": ("a duration cannot be negative", "Correct the figure in the delivery."),
    "missing_value_has_status_o": (
        "a missing value needs status O, and status O needs a missing value",
        "Write '-' for a figure that is not available, or give the figure."),
    "one_row_per_key": ("the same series and year are delivered more than once",
                        "Keep one row per series (check for a duplicated or renamed row)."),
    "part_at_most_parent": ("a part ('waarvan') is larger than its whole in the same year",
                            "Check both rows; a 'waarvan' row counts part of the row above it."),
    "no_break_in_restatement": ("a restated series cannot carry a break",
                                "Declare either kind = \"restate\" or kind = \"break\" for this series."),
    "restated_years_without_gap": ("a restated series leaves a year inside its range not available",
                                   "Deliver every year of the restated series, or declare a break instead."),
}

# Rules on how a cell is written, then on whether its figure can be held: a row that breaks one is reported
# for that alone (the rules on its value would only repeat it).
CELL_RULES = (("cell_is_readable", "digits_are_ascii", "time_only_for_duration", "duration_written_as_time"),
              ("figure_held_exactly",))
