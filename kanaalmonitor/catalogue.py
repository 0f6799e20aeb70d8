"""The catalogue: channels, series and the labels a series is printed under (schemas/*.csv), and how a
printed label is read (footnote marker, scale phrase, spelling) to find its series.

A bad catalogue line is refused like a bad delivery: a DeliveryError whose Problems name the file, the
line, the value and what to change.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kanaalmonitor.config import CHANNELS_FILE, LABELS_FILE, SERIES_FILE
from kanaalmonitor.errors import DeliveryError, Problem
from schemas.numbers import UNITS

# How a unit is named for analysts (the Excel export).
UNIT_NAMES_NL = {"count": "aantal", "percent": "procent", "grade": "rapportcijfer", "duration": "tijdsduur"}
MAX_SUGGESTIONS = 3
# How the chapter puts a series' noun_nl in a sentence: a count as "het aantal <noun_nl>" (what it counts, in the
# plural, without article), any other unit as the noun phrase with its article ("de ...", "het ...").
_ARTICLE = re.compile(r"(de|het)\s", re.IGNORECASE)
_COUNTED = re.compile(r"(de|het|een|aantal|het\s+aantal|waarvan)\s", re.IGNORECASE)

_SPACE = re.compile(r"\s+")
# A footnote marker: stars or superscript digits anywhere in a label, "(1)" or " 1)" at its end.
_MARKER = re.compile(r"\s*(?P<marker>\*+|[\u00b9\u00b2\u00b3\u2070-\u2079]+)|\s*(?P<end>\(\d\)|(?<=\s)\d\))$")
_SCALE = re.compile(r"\s*\((?:in\s+)?(?P<scale>miljoenen|duizenden|x\s?1\.000\.000|x\s?1\.000|x\s?1\s?mln)\)",
                    re.IGNORECASE)
_SCALES = {"miljoenen": 1_000_000, "x1.000.000": 1_000_000, "x1mln": 1_000_000,
           "duizenden": 1_000, "x1.000": 1_000}


def split_label(printed: str) -> tuple[str, str | None, int]:
    """A printed label without footnote marker and scale phrase, its marker, and its scale factor."""
    label = _SPACE.sub(" ", printed.replace("\u00a0", " ")).strip()
    marker = None
    m = _MARKER.search(label)
    if m and label[: m.start()].strip():
        marker = m.group("marker") or m.group("end")
        label = (label[: m.start()] + label[m.end():]).strip()
    scale = 1
    s = _SCALE.search(label)
    if s:
        scale = _SCALES[re.sub(r"\s", "", s.group("scale").casefold())]
        label = (label[: s.start()] + label[s.end():]).strip()
    return _SPACE.sub(" ", label), marker, scale


def normalise(label: str) -> str:
    """The form labels are compared in: marker and scale phrase removed, case and spacing folded."""
    return split_label(label)[0].casefold()


@dataclass(frozen=True)
class Channel:
    channel: str
    name_nl: str
    phrase_nl: str  # the name as it reads in a sentence: "via de balie", "via e-mail"
    counts_contacts: bool
    description: str


@dataclass(frozen=True)
class Series:
    series: str
    label_nl: str
    noun_nl: str  # the series in a sentence: see _ARTICLE
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


def _shown(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _read(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a catalogue file, or nothing (with a Problem) when its header lacks a column; a line with
    more or fewer values than the header is a Problem, never read shifted."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        missing = [c for c in columns if c not in header]
        if missing:
            problems.append(Problem(_shown(path), 1, None, ",".join(header),
                                    f"header lacks the column(s) {', '.join(missing)}",
                                    f"The first line must be: {','.join(columns)}."))
            return []
        out = []
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                problems.append(Problem(_shown(path), reader.line_num, None, ",".join(values),
                                        f"line has {len(values)} values for the {len(header)} columns of the "
                                        "header", f"Write one value per column: {','.join(header)} (quote a "
                                        "value that holds a comma)."))
                continue
            out.append((reader.line_num, {k: v.strip() for k, v in zip(header, values)}))
        return out


def _flag(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value.casefold())


@dataclass
class Catalogue:
    series: dict[str, Series]
    labels: dict[str, set[str]]  # normalised label -> series codes
    channels: dict[str, Channel]
    shown: dict[str, str]  # normalised label -> the label as the catalogue writes it

    @classmethod
    def load(cls, series_file: Path = SERIES_FILE, labels_file: Path = LABELS_FILE,
             channels_file: Path = CHANNELS_FILE) -> Catalogue:
        """Read and check the catalogue; every bad line is a Problem of one DeliveryError."""
        problems: list[Problem] = []
        channels: dict[str, Channel] = {}
        where = _shown(Path(channels_file))
        for line, r in _read(channels_file, ("channel", "name_nl", "phrase_nl", "counts_contacts", "description"),
                             problems):
            counts = _flag(r["counts_contacts"])
            if not re.fullmatch(r"[a-z][a-z0-9_]*", r["channel"]):
                problems.append(Problem(where, line, None, r["channel"], "channel code is not a plain lower-case code",
                                        "Write a code of letters, digits and '_', e.g. social_media."))
            elif r["channel"] in channels:
                problems.append(Problem(where, line, None, r["channel"], "channel is listed twice",
                                        "Keep one line per channel."))
            elif counts is None or not r["name_nl"]:
                problems.append(Problem(where, line, r["channel"], r["counts_contacts"],
                                        "a channel needs a Dutch name and counts_contacts true or false",
                                        "Fill in name_nl, phrase_nl and counts_contacts (true/false)."))
            else:
                channels[r["channel"]] = Channel(r["channel"], r["name_nl"], r["phrase_nl"] or r["name_nl"], counts,
                                                 r["description"])

        series: dict[str, Series] = {}
        where = _shown(Path(series_file))
        rows = _read(series_file, ("series", "label_nl", "noun_nl", "unit", "channel", "parent", "counts_contacts",
                                   "description"), problems)
        for line, r in rows:
            code, counts = r["series"], _flag(r["counts_contacts"])
            rule = None
            if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
                rule = ("series code is not a plain lower-case code", code,
                        "Write a code of letters, digits and '_', e.g. website_visits.")
            elif code in series:
                rule = ("series code is listed twice", code, "Keep one line per series; add other labels to "
                        "schemas/labels.csv.")
            elif not r["label_nl"]:
                rule = ("series has no Dutch label", code, "Write the label as printed in label_nl.")
            elif r["unit"] not in UNITS:
                rule = (f"unknown unit (the units are {', '.join(UNITS)})", r["unit"], "Use one of the units.")
            elif r["unit"] == "count" and (not r["noun_nl"] or _COUNTED.match(r["noun_nl"])):
                rule = ("noun_nl of a count is what it counts, in the plural, without article or 'aantal' (the "
                        "chapter writes 'het aantal' before it)", r["noun_nl"],
                        "Write e.g. 'digitale aanvragen via Utrecht.nl' or 'bezoeken aan de website Utrecht.nl'.")
            elif r["unit"] != "count" and not _ARTICLE.match(r["noun_nl"]):
                rule = ("noun_nl of a percent, duration or grade is a noun phrase with its article", r["noun_nl"],
                        "Write e.g. 'het aandeel websitebezoek via mobiel of tablet' or 'de gemiddelde wachttijd'.")
            elif r["channel"] not in channels:
                rule = ("unknown channel", r["channel"],
                        f"Use a channel of schemas/channels.csv ({', '.join(channels)}) or add the channel there "
                        "in one line.")
            elif counts is None:
                rule = ("counts_contacts must be true or false", r["counts_contacts"], "Write true or false.")
            elif counts and not channels[r["channel"]].counts_contacts:
                rule = (f"series counts contacts on channel {r['channel']}, whose contacts are not counted",
                        r["counts_contacts"], "Set counts_contacts to false, or to true in schemas/channels.csv.")
            if rule:
                problems.append(Problem(where, line, code or None, rule[1], rule[0], rule[2]))
                continue
            series[code] = Series(code, r["label_nl"], r["noun_nl"], r["unit"], r["channel"], r["parent"] or None,
                                  counts, r["description"], len(series) + 1)
        for line, r in rows:
            s = series.get(r["series"])
            if s is not None and s.parent is not None and (s.parent not in series or s.parent == s.series):
                problems.append(Problem(where, line, s.series, s.parent, "parent is not another series of the "
                                        "catalogue", "Name the series this 'waarvan' row is a part of, or leave "
                                        "parent empty."))

        labels: dict[str, set[str]] = {}
        shown: dict[str, str] = {}
        first: dict[str, tuple[str, int]] = {}

        def add(label: str, code: str, file: str, line: int) -> None:
            key = normalise(label)
            if key in labels and code not in labels[key]:
                other = next(iter(labels[key]))
                problems.append(Problem(file, line, label, code, f"label is also a label of series {other} "
                                        f"({first[key][0]}, line {first[key][1]})",
                                        "Give each label to one series: labels are recognised wherever they are "
                                        "printed."))
                return
            labels.setdefault(key, set()).add(code)
            shown.setdefault(key, label)
            first.setdefault(key, (file, line))

        for line, r in rows:
            if r["series"] in series:
                add(r["label_nl"], r["series"], where, line)
        where = _shown(Path(labels_file))
        for line, r in _read(labels_file, ("series", "label"), problems):
            if r["series"] not in series:
                problems.append(Problem(where, line, r["label"], r["series"], "label names an unknown series",
                                        "Use a code from schemas/series.csv."))
            elif not normalise(r["label"]):
                problems.append(Problem(where, line, r["label"], r["series"], "label is empty",
                                        "Write the label as printed."))
            else:
                add(r["label"], r["series"], where, line)
        if problems:
            raise DeliveryError(problems)
        return cls(series, labels, channels, shown)

    def resolve(self, label: str, delivered: frozenset[str] = frozenset()) -> str:
        """The series code of a printed label, wherever it is printed; delivered (series the same table already
        has) only orders the suggestions for an unknown label."""
        codes = self.labels.get(normalise(label), set())
        if len(codes) == 1:
            return next(iter(codes))
        if len(codes) > 1:
            raise LabelError(f"label matches more than one series ({', '.join(sorted(codes))})",
                             "Rename the row as printed or remove the alias that makes it ambiguous "
                             "in schemas/labels.csv.")
        close = self.suggest(label, delivered)
        hint = " The closest known labels: " + ", ".join(f"{text!r} ({code})" for text, code in close) + "." \
            if close else ""
        raise LabelError("unknown label",
                         f"Add it as an alias in schemas/labels.csv (series,label) if it is a renamed row, "
                         f"or as a new series in schemas/series.csv.{hint}")

    def suggest(self, label: str, delivered: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """Up to three (label, series) closest to an unknown label, series not yet delivered first."""
        key = normalise(label)
        scored = []
        for known, codes in self.labels.items():
            if known == key:
                continue
            ratio = difflib.SequenceMatcher(None, key, known).ratio()
            for code in codes:
                scored.append((code in delivered, -ratio, self.shown[known], code))
        scored.sort()
        out, seen = [], set()
        for _, _, text, code in scored:
            if code not in seen:
                out.append((text, code))
                seen.add(code)
            if len(out) == MAX_SUGGESTIONS:
                break
        return out

    def code(self, code: str) -> str:
        """Check a series code from a tidy delivery."""
        if code in self.series:
            return code
        close = difflib.get_close_matches(code, list(self.series), n=MAX_SUGGESTIONS, cutoff=0.0)
        hint = f" The closest known codes: {', '.join(close)}." if close else ""
        raise LabelError("unknown series code", f"Use a code from schemas/series.csv.{hint}")
