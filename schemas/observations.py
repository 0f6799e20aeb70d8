"""pandera schemas: delivered cells -> typed observations, and the rules every edition obeys."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.numbers import readable

STATUSES = ("A", "B", "O", "P", "E")
MUNICIPALITY = r"^GM\d{4}$"


class RawCells(pa.DataFrameModel):
    """Cells as delivered, with the unit the catalogue gives their series."""

    municipality: Series[str] = pa.Field(str_matches=MUNICIPALITY)
    edition: Series[int] = pa.Field(ge=1990, le=2100)
    file: Series[str]
    row: Series[int] = pa.Field(ge=1)
    label: Series[str]
    series: Series[str]
    unit: Series[str] = pa.Field(isin=["count", "percent", "grade"])
    year: Series[int] = pa.Field(ge=1900, le=2100)
    cell: Series[str]
    scale: Series[int] = pa.Field(ge=1)
    style: Series[str] = pa.Field(isin=["nl", "plain"])
    status: Series[str] = pa.Field(nullable=True, isin=list(STATUSES))

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check
    def cell_is_readable(cls, df: pd.DataFrame) -> Series[bool]:
        """'-' or a number its unit's grammar reads without guessing."""
        return readable(df["cell"], df["unit"], df["scale"] > 1, df["style"])

    @pa.dataframe_check
    def year_not_after_edition(cls, df: pd.DataFrame) -> Series[bool]:
        """An edition reports on years up to its own publication year."""
        return df["year"] <= df["edition"]


class Observations(RawCells):
    """Typed observations of one delivery: ranges per unit, one row per key, parts within parents."""

    value: Series[float] = pa.Field(nullable=True)
    decimals: Series[int] = pa.Field(ge=0)
    status: Series[str] = pa.Field(isin=list(STATUSES))
    parent: Series[str] = pa.Field(nullable=True)
    method: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def count_not_negative(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "count") | df["value"].isna() | (df["value"] >= 0)

    @pa.dataframe_check
    def count_is_whole(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "count") | df["value"].isna() | (df["value"] % 1 == 0)

    @pa.dataframe_check
    def percent_within_0_100(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | df["value"].isna() | df["value"].between(0, 100)

    @pa.dataframe_check
    def grade_within_1_10(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "grade") | df["value"].isna() | df["value"].between(1, 10)

    @pa.dataframe_check
    def grade_one_decimal(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "grade") | (df["decimals"] <= 1)

    @pa.dataframe_check
    def missing_value_has_status_o(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].isna() == (df["status"] == "O")

    @pa.dataframe_check
    def one_row_per_key(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["municipality", "series", "year", "edition"], keep=False)

    @pa.dataframe_check
    def part_at_most_parent(cls, df: pd.DataFrame) -> Series[bool]:
        key = ["municipality", "edition", "year"]
        parents = (df.loc[df["value"].notna(), [*key, "series", "value"]]
                   .drop_duplicates([*key, "series"])
                   .rename(columns={"series": "parent", "value": "parent_value"}))
        merged = df[[*key, "parent", "value"]].merge(parents, how="left", on=[*key, "parent"])
        ok = merged["parent_value"].isna() | merged["value"].isna() | (merged["value"] <= merged["parent_value"])
        return pd.Series(ok.to_numpy(), index=df.index)


class RemeasuredSeries(Observations):
    """A series the delivery restates on a new method (the counter visits, "balie", in 2019):
    every year it prints is on the declared method, with no break inside it and no gap."""

    method: Series[str] = pa.Field(nullable=False)

    @pa.dataframe_check
    def no_break_in_restatement(cls, df: pd.DataFrame) -> Series[bool]:
        return df["status"] != "B"

    @pa.dataframe_check
    def restated_years_without_gap(cls, df: pd.DataFrame) -> Series[bool]:
        known = df["year"].where(df["value"].notna())
        g = known.groupby([df["municipality"], df["series"], df["edition"]])
        inside = (df["year"] > g.transform("min")) & (df["year"] < g.transform("max"))
        return ~(inside & df["value"].isna())


RULES: dict[str, tuple[str, str]] = {
    "cell_is_readable": (
        "cannot be read as a number without guessing ('.' groups thousands, ',' marks decimals, "
        "'-' means not available)",
        "Write the figure in Dutch number format as printed (e.g. 211.105 or 7,8), or '-' if it is not available."),
    "year_not_after_edition": (
        "year lies after the edition", "Check the year, or the edition in manifest.toml."),
    "count_not_negative": ("a count cannot be negative", "Correct the figure in the delivery."),
    "count_is_whole": ("a count must be a whole number",
                       "Correct the figure; if the row is printed in thousands or millions, say so in its label "
                       "(e.g. '(in miljoenen)')."),
    "percent_within_0_100": ("a percentage must lie between 0 and 100", "Correct the figure in the delivery."),
    "grade_within_1_10": ("a report grade must lie between 1 and 10", "Correct the figure in the delivery."),
    "grade_one_decimal": ("a report grade has at most one decimal", "Deliver the grade as printed, e.g. 7,8."),
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


def failures_to_rows(exc: pa.errors.SchemaErrors) -> list[tuple[object, str, object]]:
    """(index, check, failure value) per failing row, one entry per row and check."""
    fc = exc.failure_cases
    out, seen = [], set()
    for rec in fc.itertuples(index=False):
        check = str(rec.check)
        name = check.split("(")[0] if check not in RULES else check
        key = (rec.index, name)
        if key in seen:
            continue
        seen.add(key)
        out.append((rec.index, name, rec.failure_case))
    return out
