"""Find the deliveries under raw/ and read their manifests."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import DEFAULT_MUNICIPALITY, MANIFEST_NAME
from kanaalmonitor.errors import DeliveryError, Problem

DATA_SUFFIXES = {".csv": "printed", ".xlsx": "printed", ".parquet": "tidy"}
MUNICIPALITY_RE = re.compile(r"GM[0-9]{4}")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FIRST_EDITION = 1990
FIRST_YEAR, LAST_YEAR = 1900, 9999


@dataclass(frozen=True)
class MethodChange:
    """A method change the delivery declares for one series."""

    series: str
    kind: str  # "restate" or "break"
    method: str
    from_year: int | None
    footnote: str | None
    note: str


@dataclass(frozen=True)
class RevisionNote:
    """The delivery's explanation for changed values of one series."""

    series: str
    years: tuple[int, ...]
    note: str


@dataclass(frozen=True)
class DeliveryFile:
    path: Path
    form: str  # "printed" or "tidy"
    name: str  # path relative to the raw dir, as shown to users


@dataclass(frozen=True)
class Delivery:
    """One edition of one municipality: its manifest and files."""

    directory: Path
    name: str
    edition: int
    municipality: str
    published_on: dt.date | None
    source: str | None
    files: tuple[DeliveryFile, ...]
    method_changes: tuple[MethodChange, ...] = field(default=())
    revision_notes: tuple[RevisionNote, ...] = field(default=())

    def load_id(self) -> str:
        """The identifier of this exact delivery in the warehouse."""
        return self.sha256()[:16]

    def sha256(self) -> str:
        """Hash of the manifest and every file, in a fixed order."""
        h = hashlib.sha256()
        for p in [self.directory / MANIFEST_NAME, *(f.path for f in self.files)]:
            h.update(p.name.encode())
            h.update(self.file_sha256(p).encode())
        return h.hexdigest()

    def file_sha256(self, path: Path) -> str:
        """Hash of the manifest or one file of this delivery, read once per Delivery (one refresh)."""
        hashes = self.__dict__.setdefault("_hashes", {})
        if path not in hashes:
            hashes[path] = file_sha256(path)
        return hashes[path]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def discover(raw_dir: Path, series: Iterable[str] | None = None) -> list[Delivery]:
    """Every delivery under raw_dir, or one error listing every manifest problem. series: the catalogue's
    codes (default schemas/series.csv)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DeliveryError([Problem(str(raw_dir), None, None, None, "the raw folder does not exist",
                                     "Pass the folder that holds the deliveries (--raw-dir).")])
    problems: list[Problem] = []
    deliveries: list[Delivery] = []
    manifests = sorted(raw_dir.rglob(MANIFEST_NAME))
    delivery_dirs = [m.parent for m in manifests]
    series = _catalogue_series(series)
    for manifest in manifests:
        try:
            deliveries.append(read_manifest(manifest, raw_dir, series))
        except DeliveryError as exc:
            problems.extend(exc.problems)
    for path in sorted(raw_dir.rglob("*")):
        if path.suffix.lower() in DATA_SUFFIXES and path.is_file():
            if not any(d == path.parent or d in path.parents for d in delivery_dirs):
                problems.append(Problem(_rel(path, raw_dir), None, None, None,
                                        "data file outside any delivery",
                                        f"Put it in a folder with a {MANIFEST_NAME} (see raw/README.md)."))
    problems += duplicate_editions(deliveries)
    if not deliveries and not problems:
        problems.append(Problem(str(raw_dir), None, None, None, "no delivery found",
                                f"Add a folder with a {MANIFEST_NAME} and the tables (see raw/README.md)."))
    if problems:
        raise DeliveryError(problems)
    return sorted(deliveries, key=lambda d: (d.municipality, d.edition))


def duplicate_editions(deliveries: list[Delivery]) -> list[Problem]:
    """A problem for every delivery that claims the edition and municipality of an earlier one."""
    problems, seen = [], {}
    for d in deliveries:
        key = (d.municipality, d.edition)
        if key in seen:
            problems.append(Problem(d.name, None, None, str(d.edition),
                                    f"edition {d.edition} of {d.municipality} is also delivered in {seen[key]}",
                                    "Keep one folder per edition; put corrected files in that folder."))
        seen[key] = d.name
    return problems


def _rel(path: Path, raw_dir: Path) -> str:
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return str(path)


# --- the manifest's shape: one strict model; every way it can fail becomes a Problem (MANIFEST_RULES)

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _refused(rule: str, action: str, value: object = None, keyed: bool = True) -> PydanticCustomError:
    """A failure with its own rule and action (not the key's rule in MANIFEST_RULES)."""
    return PydanticCustomError("manifest", "{rule}", {"rule": rule, "action": action, "value": value, "keyed": keyed})


class FileEntry(_Table):
    path: str
    form: str | None = None

    @field_validator("path")
    @classmethod
    def _plain(cls, path: str) -> str:
        if CONTROL_RE.search(path):
            raise _refused("file path contains a control character",
                           "Write the file name as it is on disk, without control characters.", path)
        return path


def _file_tables(entries: Any) -> Any:
    """A [[files]] entry may also be written as just its path."""
    if isinstance(entries, list):
        return [{"path": e} if isinstance(e, str) else e for e in entries]
    return entries


Files = Annotated[list[FileEntry] | None, BeforeValidator(_file_tables)]
FILES = TypeAdapter(Files)


class MethodChangeEntry(_Table):
    series: Annotated[str, Field(min_length=1)]
    kind: Literal["restate", "break"]
    method: Annotated[str, Field(min_length=1)]
    from_year: Year | None = None
    footnote: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _from_year(self) -> MethodChangeEntry:
        if self.kind == "break" and self.from_year is None:
            raise _refused(f"a break for {self.series} needs from_year",
                           "Write from_year = the first year on the new method.", keyed=False)
        if self.kind == "restate" and self.from_year is not None:
            raise _refused(f"a restatement of {self.series} takes no from_year",
                           "Remove from_year or use kind = \"break\".", self.from_year, keyed=False)
        return self


class RevisionNoteEntry(_Table):
    series: str
    years: list[Year] = []
    note: str


class Manifest(_Table):
    """manifest.toml (raw/README.md)."""

    edition: int
    municipality: str = DEFAULT_MUNICIPALITY
    published_on: dt.date | None = None
    source: str | None = None
    files: Files = None
    method_changes: list[MethodChangeEntry] = []
    revision_notes: list[RevisionNoteEntry] = []

    @field_validator("edition")
    @classmethod
    def _edition_range(cls, edition: int) -> int:
        last = dt.date.today().year + 1
        if not FIRST_EDITION <= edition <= last:
            raise _refused(f"edition must lie between {FIRST_EDITION} and {last}",
                           "Write the publication year of the monitor.", edition, keyed=False)
        return edition

    @field_validator("municipality")
    @classmethod
    def _cbs_code(cls, municipality: str) -> str:
        if not MUNICIPALITY_RE.fullmatch(municipality):
            raise ValueError("not a CBS code")
        return municipality


TABLES = {"files": FileEntry, "method_changes": MethodChangeEntry, "revision_notes": RevisionNoteEntry}


class Rule(NamedTuple):
    rule: str
    action: str
    value: Literal["input", "entry", "none"] = "input"  # what Problem.value shows: the key's, its table's, none
    keyed: bool = False  # whether Problem.label names the key


ENTRY_NEEDS = Rule("a revision note needs series, years and note", "See raw/README.md.", "entry")
MANIFEST_RULES = {  # the rule broken when a key (ints: any [[table]] entry) is missing or of the wrong shape
    ("edition",): Rule("edition must be a whole year", "Write e.g. edition = 2020 (the publication year)."),
    ("municipality",): Rule("municipality must be a CBS code like GM0344",
                            "Write the CBS code, e.g. municipality = \"GM0344\"."),
    ("published_on",): Rule("published_on must be a date", "Write e.g. published_on = 2019-06-01 (no quotes)."),
    ("source",): Rule("source must be text", "Write e.g. source = \"gemeente Utrecht\"."),
    ("files",): Rule("the delivery lists no data files",
                     "Add [[files]] entries or put .csv/.xlsx/.parquet files beside the manifest.", "none"),
    ("files", int): Rule("each [[files]] entry needs a path", "Write path = \"table.csv\".", "entry"),
    ("files", int, "path"): Rule("each [[files]] entry needs a path", "Write path = \"table.csv\".", "entry"),
    ("files", int, "form"): Rule("unknown file form",
                                 "Use .csv, .xlsx or .parquet, with form = \"printed\" or \"tidy\".", keyed=True),
    ("method_changes",): Rule("method_changes must be a list of [[method_changes]] tables", "See raw/README.md.",
                              "none"),
    ("method_changes", int): Rule("method_changes must be a list of [[method_changes]] tables",
                                  "See raw/README.md.", keyed=True),
    ("method_changes", int, "series"): Rule("a method change needs the series code",
                                            "Write series = \"counter_visits\"."),
    ("method_changes", int, "kind"): Rule(
        "method change kind for {series} must be \"restate\" or \"break\"",
        "restate: the delivery replaces every earlier value; break: values from from_year on use the new method."),
    ("method_changes", int, "method"): Rule("method change for {series} needs a method name",
                                            "Write method = \"a short name of the new method\".", "none"),
    ("method_changes", int, "from_year"): Rule(
        f"from_year of the method change for {{series}} must be a year from {FIRST_YEAR} to {LAST_YEAR}",
        "Write from_year = the first year on the new method.", keyed=True),
    ("method_changes", int, "footnote"): Rule("footnote of the method change for {series} must be text",
                                              "Write e.g. footnote = \"*\".", keyed=True),
    ("method_changes", int, "note"): Rule("note of the method change for {series} must be text",
                                          "Write e.g. note = \"Vanaf 2019 inclusief e-formulieren.\".", keyed=True),
    ("revision_notes",): Rule("revision_notes must be a list of [[revision_notes]] tables", "See raw/README.md.",
                              "none"),
    ("revision_notes", int): ENTRY_NEEDS,
    ("revision_notes", int, "series"): ENTRY_NEEDS,
    ("revision_notes", int, "note"): ENTRY_NEEDS,
    ("revision_notes", int, "years"): ENTRY_NEEDS,
    ("revision_notes", int, "years", int): Rule(
        f"years of a revision note must be years from {FIRST_YEAR} to {LAST_YEAR}",
        "Write e.g. years = [2017, 2018], or leave years out for every year of the series.", keyed=True),
}


def _key(loc: tuple) -> str:
    """A key as the user finds it in the file: method_changes[2].kind is the second [[method_changes]]'s kind."""
    return "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _at(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _problem(name: str, error: dict, data: dict) -> Problem:
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "manifest":
        ctx = error["ctx"]
        value = ctx["value"]
        return Problem(name, None, _key(loc) if ctx["keyed"] and loc else None,
                       None if value is None else str(value), ctx["rule"], ctx["action"])
    if kind == "extra_forbidden":
        table = TABLES.get(loc[0]) if len(loc) > 1 else Manifest
        known = ", ".join(sorted(table.model_fields))
        if len(loc) == 1:
            return Problem(name, None, None, None, f"unknown manifest key {loc[0]!r}", f"Use only: {known}.")
        return Problem(name, None, _key(loc), None, f"unknown key {loc[-1]!r} in a [[{loc[0]}]] table",
                       f"Use only: {known}.")
    pattern = tuple(int if isinstance(p, int) else p for p in loc)
    rule = MANIFEST_RULES.get(pattern) or Rule(f"{_key(loc)} is not valid ({error['msg']})", "See raw/README.md.",
                                               keyed=True)
    series = _at(data, loc[:2] + ("series",)) if len(loc) > 2 else None
    if not isinstance(series, str) or not series:
        series = _key(loc[:2])
    if rule.value == "entry":
        value = _at(data, loc[:2])
    else:
        value = None if rule.value == "none" or kind == "missing" else error["input"]
    return Problem(name, None, _key(loc) if rule.keyed else None, None if value is None else str(value),
                   rule.rule.format(series=series), rule.action)


def _catalogue_series(series: Iterable[str] | None) -> frozenset[str]:
    return frozenset(Catalogue.load().series if series is None else series)


def read_manifest(manifest: Path, raw_dir: Path, series: Iterable[str] | None = None) -> Delivery:
    """Read and check one manifest.toml; series: the catalogue's codes (default schemas/series.csv)."""
    name = _rel(manifest, raw_dir)
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError([Problem(name, None, None, None, f"manifest is not valid TOML ({exc})",
                                     "Fix the manifest; raw/README.md shows a complete example.")]) from None
    try:
        model = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(name, e, data) for e in exc.errors(include_url=False)]
        if not any(e["loc"][:1] == ("files",) for e in exc.errors()):
            problems += _manifest_files(FILES.validate_python(data.get("files")), manifest.parent, raw_dir, name)[1]
        raise DeliveryError(problems) from None
    files, problems = _manifest_files(model.files, manifest.parent, raw_dir, name)
    problems += _revision_note_problems(model.revision_notes, _catalogue_series(series), name)
    if problems:
        raise DeliveryError(problems)
    return Delivery(manifest.parent, _rel(manifest.parent, raw_dir), model.edition, model.municipality,
                    model.published_on, model.source, tuple(files),
                    tuple(MethodChange(c.series, c.kind, c.method, c.from_year, c.footnote, c.note)
                          for c in model.method_changes),
                    tuple(RevisionNote(n.series, tuple(n.years), n.note) for n in model.revision_notes))


def _delivery_of(path: Path, root: Path) -> Path | None:
    """The delivery folder a path under the raw root lies in: the nearest folder with a manifest."""
    for folder in path.parents:
        if (folder / MANIFEST_NAME).is_file():
            return folder
        if folder == root:
            return None
    return None


def _manifest_files(entries: list[FileEntry] | None, directory: Path, raw_dir: Path,
                    name: str) -> tuple[list[DeliveryFile], list[Problem]]:
    problems: list[Problem] = []

    def bad(rule: str, action: str, value: str, i: int | None) -> None:
        problems.append(Problem(name, None, None if i is None else _key(("files", i, "path")), value, rule, action))

    listed = entries is not None
    if entries is None:
        entries = [FileEntry(path=p.name) for p in sorted(directory.iterdir())
                   if p.is_file() and p.suffix.lower() in DATA_SUFFIXES]
    if not entries:
        problems.append(Problem(name, None, None, None, "the delivery lists no data files",
                                "Add [[files]] entries or put .csv/.xlsx/.parquet files beside the manifest."))
        return [], problems
    root = raw_dir.resolve()
    files = []
    for i, entry in enumerate(entries):
        rel, key = entry.path, i if listed else None
        try:
            target = (directory / rel).resolve()
            if Path(rel).is_absolute() or not target.is_relative_to(root):
                bad("file path points outside raw/", "Name a file inside the delivery folder.", rel, None)
                continue
            if _delivery_of(target, root) != directory.resolve():
                bad("file path points outside its delivery folder",
                    "Name a file inside the delivery folder; each delivery lists only its own files.", rel, key)
                continue
            if not target.is_file():
                bad("listed file does not exist", "Check the file name in [[files]].", rel, None)
                continue
        except OSError as exc:
            bad(f"listed file cannot be read ({exc.strerror})", "Check the file name in [[files]].", rel, key)
            continue
        suffix = target.suffix.lower()
        form = entry.form if entry.form is not None else DATA_SUFFIXES.get(suffix)
        if form not in ("printed", "tidy") or suffix not in DATA_SUFFIXES:
            bad("unknown file form", "Use .csv, .xlsx or .parquet, with form = \"printed\" or \"tidy\".", rel, None)
            continue
        if form == "printed" and suffix == ".parquet":
            bad("a parquet file is always tidy", "Set form = \"tidy\" or deliver the printed table as .csv/.xlsx.",
                rel, None)
            continue
        files.append(DeliveryFile(target, form, _rel(target, root)))
    return files, problems


def _revision_note_problems(notes: list[RevisionNoteEntry], series: frozenset[str], name: str) -> list[Problem]:
    """Revision notes name catalogue series and explain each series and year once."""
    problems = []
    explained: dict[str, set[int] | None] = {}  # series -> the years its notes explain; None: every year
    for i, n in enumerate(notes):
        if n.series not in series:
            problems.append(Problem(name, None, _key(("revision_notes", i, "series")), n.series,
                                    "revision note names an unknown series", "Use a code from schemas/series.csv."))
            continue
        years = set(n.years)
        earlier = explained.get(n.series, set())
        every = n.series in explained and (earlier is None or not years)
        again = sorted(y for y in years if (earlier and y in earlier) or n.years.count(y) > 1)
        if every or again:
            problems.append(Problem(name, None, _key(("revision_notes", i)), ", ".join(map(str, again)) or None,
                                    f"more than one revision note explains {n.series} for the same year "
                                    "(a note without years explains every year)",
                                    "Keep one [[revision_notes]] per series and year; put the explanations together "
                                    "in one note."))
        explained[n.series] = None if earlier is None or not years else earlier | years
    return problems
