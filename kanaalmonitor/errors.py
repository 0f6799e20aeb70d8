"""The error types of a refused delivery (with its report), of a broken data rule and of an unreadable published
warehouse, and the exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from kanaalmonitor.words import plural

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a delivery is refused, in the user's terms."""

    file: str
    row: int | None
    label: str | None
    value: str | None
    rule: str
    action: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        parts = [where]
        if self.label is not None:
            parts.append(f"label {self.label!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return f"{': '.join([', '.join(parts), self.rule])}. {self.action}"


class DeliveryError(Exception):
    """A delivery was refused; nothing was loaded or published."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__(self.report())

    def __reduce__(self):
        # Rebuilt from its problems (not from its message), so that it crosses a process boundary whole: a
        # delivery refused on a Dask worker reaches the flow as the same error.
        return type(self), (self.problems,)

    def report(self) -> str:
        head = f"Delivery refused: {plural(len(self.problems), 'problem')}; nothing was loaded."
        return "\n".join([head, *(f"- {p}" for p in self.problems)])


class PublishedUnreadable(Exception):
    """The published warehouse exists but cannot be read (damaged, not DuckDB, or of a schema this code does not
    know): nothing may be built on top of it, since what it holds cannot be kept."""

    def __init__(self, warehouse: Path | str, reason: str | BaseException):
        if isinstance(reason, BaseException):  # a database error: its first line
            reason = (str(reason).strip().splitlines() or [type(reason).__name__])[0].rstrip(".!")
        self.warehouse, self.reason = Path(warehouse), reason
        super().__init__(
            f"Cannot read the published warehouse {warehouse}: {reason}. Nothing was changed. Restore it from a "
            f"backup, or move it aside (e.g. mv {warehouse} {warehouse}.unreadable) to rebuild it on purpose from "
            f"the deliveries under raw/ with `kanaalmonitor run`.")


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.rule, p.label or "", p.value or "")


class CheckFailed(Exception):
    """A data rule found offending rows in the built warehouse; nothing was published."""

    def __init__(self, failures: dict[str, pd.DataFrame]):
        self.failures = failures
        lines = [f"Warehouse not published: {plural(len(failures), 'data rule')} broken."]
        for name, rows in failures.items():
            lines.append(f"- {name}: {plural(len(rows), 'offending row')}")
            lines.append("  " + rows.head(5).to_string(index=False).replace("\n", "\n  "))
        super().__init__("\n".join(lines))


class ExitCode(IntEnum):
    """Every exit code of the `kanaalmonitor` command (listed in README.md)."""

    OK = 0
    REFUSED = 1  # a delivery or the catalogue was refused; nothing was loaded
    CHECKS_FAILED = 2  # a data rule found offending rows; nothing was published
    BUSY = 3  # another refresh is writing the same warehouse
    CANNOT_READ = 4  # no warehouse, an unknown table or edition, a refused, failed or timed-out query, an unwritable file
    NO_SERVER = 5  # serve, work-pool and notify need a Prefect server that outlives them
    USAGE = 6  # a bad option or argument
    OUTPUT_REFUSED = 7  # the output would land on an input (raw/, the catalogue, the code, the warehouse)
    UNEXPECTED = 8  # an error the command did not expect: the traceback follows the message
