"""How far a refresh has come: each stage with its counts, as the refresh goes.

The refresh reports every step to its `Steps` object (kanaalmonitor/refresh.py) as a `Step`; the command line
shows them on a terminal (`TerminalProgress`), the Prefect flow logs them and keeps a progress artifact.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

STAGES = ("read", "validated", "built", "published")

# The share of a refresh done when a stage starts and when it ends, for a progress percentage.
_SPAN = {"read": (0, 40), "validated": (40, 55), "built": (55, 95), "published": (95, 100)}


@dataclass(frozen=True)
class Step:
    """One step of a stage: done of total (total None when not known), and what the step was about."""

    stage: str  # one of STAGES
    done: int
    total: int | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        return {"read": "deliveries read", "validated": "cells validated", "built": "models built",
                "published": "published"}[self.stage]

    @property
    def counts(self) -> str:
        if self.stage == "published":
            return ""
        if self.total is None:
            return f"{self.done:,}"
        return f"{self.done:,}/{self.total:,}"

    def line(self) -> str:
        """The step as one line: 'deliveries read 2/3: 2019 (61 cells)'."""
        text = f"{self.label} {self.counts}".rstrip()
        return f"{text}: {self.detail}" if self.detail else text

    @property
    def percent(self) -> float:
        """How much of the whole refresh is done after this step, 0-100."""
        start, end = _SPAN[self.stage]
        if self.total:
            return round(start + (end - start) * min(self.done, self.total) / self.total, 1)
        return float(end)


_LISTENERS: list[Callable[[Step], None]] = []


@contextmanager
def listening(listener: Callable[[Step], None]) -> Iterator[None]:
    """Give every step of the refreshes in this process to listener while the block runs."""
    _LISTENERS.append(listener)
    try:
        yield
    finally:
        _LISTENERS.remove(listener)


def tell(step: Step) -> None:
    """Give the step to every listener."""
    for listener in list(_LISTENERS):
        listener(step)


class TerminalProgress:
    """The steps of a refresh as bars on a terminal (rich), one per stage; prints nothing when not a terminal."""

    def __init__(self, console=None):
        self.console = console
        self.enabled = console.is_terminal if console is not None else sys.stderr.isatty()
        self._bars = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> TerminalProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.console = self.console or Console(stderr=True)

            self._bars = Progress(TextColumn("{task.description:<16}"), BarColumn(bar_width=30),
                                  TextColumn("{task.fields[counts]:>13}"), TimeElapsedColumn(),
                                  TextColumn("{task.fields[detail]}"), console=self.console, transient=False)
            self._bars.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bars is not None:
            self._bars.stop()

    def __call__(self, step: Step) -> None:
        if self._bars is None:
            return
        if step.stage not in self._tasks:
            self._tasks[step.stage] = self._bars.add_task(step.label, total=step.total, counts="", detail="")
        known = step.total is not None
        self._bars.update(self._tasks[step.stage], completed=step.done if known else 1,
                          total=step.total if known else 1, counts=step.counts, detail=step.detail)
