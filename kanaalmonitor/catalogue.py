"""The series catalogue: codes, Dutch labels and aliases, read from schemas/*.csv."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kanaalmonitor.config import LABELS_FILE, SERIES_FILE

UNITS = ("count", "percent", "grade")
CHANNELS = ("website", "email", "phone", "counter", "whatsapp")
_SPACE = re.compile(r"\s+")


def normalise(label: str) -> str:
    """The form labels are compared in: case, spacing and non-breaking spaces folded."""
    return _SPACE.sub(" ", label.replace("\u00a0", " ")).strip().casefold()


@dataclass(frozen=True)
class Series:
    series: str
    table: str
    label_nl: str
    unit: str
    channel: str
    parent: str | None
    counts_contacts: bool
    description: str
    position: int


class LabelError(LookupError):
    """A printed label names no series, or more than one."""

    def __init__(self, rule: str, action: str):
        super().__init__(rule)
        self.rule, self.action = rule, action


@dataclass
class Catalogue:
    series: dict[str, Series]
    labels: dict[str, set[str]]  # normalised label -> series codes

    @classmethod
    def load(cls, series_file: Path = SERIES_FILE, labels_file: Path = LABELS_FILE) -> "Catalogue":
        with Path(series_file).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        series = {}
        for pos, r in enumerate(rows, start=1):
            if r["unit"] not in UNITS or r["channel"] not in CHANNELS:
                raise ValueError(f"{series_file}: series {r['series']} has unit {r['unit']!r} "
                                 f"or channel {r['channel']!r} outside {UNITS} / {CHANNELS}")
            series[r["series"]] = Series(r["series"], r["table"], r["label_nl"], r["unit"], r["channel"],
                                         r["parent"] or None, r["counts_contacts"] == "true",
                                         r["description"], pos)
        for s in series.values():
            if s.parent is not None and s.parent not in series:
                raise ValueError(f"{series_file}: parent {s.parent!r} of {s.series} is not a series")
        labels: dict[str, set[str]] = {}
        for s in series.values():
            labels.setdefault(normalise(s.label_nl), set()).add(s.series)
        with Path(labels_file).open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["series"] not in series:
                    raise ValueError(f"{labels_file}: alias {r['label']!r} names unknown series {r['series']!r}")
                labels.setdefault(normalise(r["label"]), set()).add(r["series"])
        return cls(series, labels)

    def table_of(self, title: str) -> str | None:
        """The catalogue table a printed table's title names, if any."""
        t = normalise(title)
        hits = {s.table for s in self.series.values() if s.table.casefold() in t}
        return hits.pop() if len(hits) == 1 else None

    def resolve(self, label: str, table: str | None) -> str:
        """The series code of a printed label (marker and scale already removed)."""
        codes = self.labels.get(normalise(label), set())
        if table is not None and len(codes) > 1:
            codes = {c for c in codes if self.series[c].table == table}
        if len(codes) == 1:
            return next(iter(codes))
        if len(codes) > 1:
            raise LabelError(f"label matches more than one series ({', '.join(sorted(codes))})",
                             "Rename the row as printed or remove the alias that makes it ambiguous "
                             "in schemas/labels.csv.")
        scope = [s for s in self.labels if table is None or
                 any(self.series[c].table == table for c in self.labels[s])]
        close = difflib.get_close_matches(normalise(label), scope, n=1, cutoff=0.0)
        hint = f" The closest known label is {close[0]!r}." if close else ""
        raise LabelError("unknown label",
                         f"Add it as an alias in schemas/labels.csv (series,label) if it is a renamed row, "
                         f"or as a new series in schemas/series.csv.{hint}")

    def code(self, code: str) -> str:
        """Check a series code from a tidy delivery."""
        if code in self.series:
            return code
        close = difflib.get_close_matches(code, list(self.series), n=1, cutoff=0.0)
        hint = f" The closest known code is {close[0]!r}." if close else ""
        raise LabelError("unknown series code", f"Use a code from schemas/series.csv.{hint}")
