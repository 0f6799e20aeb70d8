"""Find the deliveries under raw/ and read their manifests."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kanaalmonitor.config import DEFAULT_MUNICIPALITY, MANIFEST_NAME
from kanaalmonitor.errors import DeliveryError, Problem

DATA_SUFFIXES = {".csv": "printed", ".xlsx": "printed", ".parquet": "tidy"}
MUNICIPALITY_RE = re.compile(r"^GM\d{4}$")
FIRST_EDITION = 1990


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


def discover(raw_dir: Path) -> list[Delivery]:
    """Every delivery under raw_dir, or one error listing every manifest problem."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DeliveryError([Problem(str(raw_dir), None, None, None, "the raw folder does not exist",
                                     "Pass the folder that holds the deliveries (--raw-dir).")])
    problems: list[Problem] = []
    deliveries: list[Delivery] = []
    manifests = sorted(raw_dir.rglob(MANIFEST_NAME))
    delivery_dirs = [m.parent for m in manifests]
    for manifest in manifests:
        try:
            deliveries.append(read_manifest(manifest, raw_dir))
        except DeliveryError as exc:
            problems.extend(exc.problems)
    for path in sorted(raw_dir.rglob("*")):
        if path.suffix.lower() in DATA_SUFFIXES and path.is_file():
            if not any(d == path.parent or d in path.parents for d in delivery_dirs):
                problems.append(Problem(_rel(path, raw_dir), None, None, None,
                                        "data file outside any delivery",
                                        f"Put it in a folder with a {MANIFEST_NAME} (see raw/README.md)."))
    seen: dict[tuple[str, int], str] = {}
    for d in deliveries:
        key = (d.municipality, d.edition)
        if key in seen:
            problems.append(Problem(d.name, None, None, str(d.edition),
                                    f"edition {d.edition} of {d.municipality} is also delivered in {seen[key]}",
                                    "Keep one folder per edition; put corrected files in that folder."))
        seen[key] = d.name
    if not deliveries and not problems:
        problems.append(Problem(str(raw_dir), None, None, None, "no delivery found",
                                f"Add a folder with a {MANIFEST_NAME} and the tables (see raw/README.md)."))
    if problems:
        raise DeliveryError(problems)
    return sorted(deliveries, key=lambda d: (d.municipality, d.edition))


def _rel(path: Path, raw_dir: Path) -> str:
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return str(path)


def read_manifest(manifest: Path, raw_dir: Path) -> Delivery:
    """Read and check one manifest.toml."""
    name = _rel(manifest, raw_dir)
    problems: list[Problem] = []

    def bad(rule: str, action: str, value: object = None) -> None:
        problems.append(Problem(name, None, None, None if value is None else str(value), rule, action))

    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError([Problem(name, None, None, None, f"manifest is not valid TOML ({exc})",
                                     "Fix the manifest; raw/README.md shows a complete example.")]) from None
    known = {"edition", "municipality", "published_on", "source", "files", "method_changes", "revision_notes"}
    for key in sorted(set(data) - known):
        bad(f"unknown manifest key {key!r}", f"Use only: {', '.join(sorted(known))}.")

    edition = data.get("edition")
    this_year = dt.date.today().year
    if not isinstance(edition, int) or isinstance(edition, bool):
        bad("edition must be a whole year", "Write e.g. edition = 2020 (the publication year).", edition)
        edition = 0
    elif not FIRST_EDITION <= edition <= this_year + 1:
        bad(f"edition must lie between {FIRST_EDITION} and {this_year + 1}",
            "Write the publication year of the monitor.", edition)

    municipality = data.get("municipality", DEFAULT_MUNICIPALITY)
    if not isinstance(municipality, str) or not MUNICIPALITY_RE.match(municipality):
        bad("municipality must be a CBS code like GM0344", "Write the CBS code, e.g. municipality = \"GM0344\".",
            municipality)

    published_on = data.get("published_on")
    if published_on is not None and not isinstance(published_on, dt.date):
        bad("published_on must be a date", "Write e.g. published_on = 2019-06-01 (no quotes).", published_on)
        published_on = None
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        bad("source must be text", "Write e.g. source = \"gemeente Utrecht\".", source)

    files = _manifest_files(data.get("files"), manifest.parent, raw_dir, bad)
    changes = _method_changes(data.get("method_changes", []), bad)
    notes = _revision_notes(data.get("revision_notes", []), bad)
    if problems:
        raise DeliveryError(problems)
    return Delivery(manifest.parent, _rel(manifest.parent, raw_dir), edition, municipality, published_on,
                    source, tuple(files), tuple(changes), tuple(notes))


def _manifest_files(entries, directory: Path, raw_dir: Path, bad) -> list[DeliveryFile]:
    if entries is None:
        entries = [{"path": p.name} for p in sorted(directory.iterdir())
                   if p.is_file() and p.suffix.lower() in DATA_SUFFIXES]
    if not isinstance(entries, list) or not entries:
        bad("the delivery lists no data files", "Add [[files]] entries or put .csv/.xlsx/.parquet files beside the manifest.")
        return []
    root = raw_dir.resolve()
    files = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            bad("each [[files]] entry needs a path", "Write path = \"table.csv\".", entry)
            continue
        rel = entry["path"]
        target = (directory / rel).resolve()
        if Path(rel).is_absolute() or not target.is_relative_to(root):
            bad("file path points outside raw/", "Name a file inside the delivery folder.", rel)
            continue
        if not target.is_file():
            bad("listed file does not exist", "Check the file name in [[files]].", rel)
            continue
        form = entry.get("form", DATA_SUFFIXES.get(target.suffix.lower()))
        if form not in ("printed", "tidy") or target.suffix.lower() not in DATA_SUFFIXES:
            bad("unknown file form", "Use .csv, .xlsx or .parquet, with form = \"printed\" or \"tidy\".", rel)
            continue
        if form == "printed" and target.suffix.lower() == ".parquet":
            bad("a parquet file is always tidy", "Set form = \"tidy\" or deliver the printed table as .csv/.xlsx.", rel)
            continue
        files.append(DeliveryFile(target, form, _rel(target, root)))
    return files


def _method_changes(entries, bad) -> list[MethodChange]:
    changes = []
    if not isinstance(entries, list):
        bad("method_changes must be a list of [[method_changes]] tables", "See raw/README.md.")
        return changes
    for entry in entries:
        series, kind, method = entry.get("series"), entry.get("kind"), entry.get("method")
        from_year, note = entry.get("from_year"), entry.get("note", "")
        if not isinstance(series, str) or not series:
            bad("a method change needs the series code", "Write series = \"counter_visits\".", series)
            continue
        if kind not in ("restate", "break"):
            bad(f"method change kind for {series} must be \"restate\" or \"break\"",
                "restate: the delivery replaces every earlier value; break: values from from_year on use the new method.",
                kind)
            continue
        if not isinstance(method, str) or not method:
            bad(f"method change for {series} needs a method name", "Write method = \"a short name of the new method\".")
            continue
        if kind == "break" and not isinstance(from_year, int):
            bad(f"a break for {series} needs from_year", "Write from_year = the first year on the new method.")
            continue
        if kind == "restate" and from_year is not None:
            bad(f"a restatement of {series} takes no from_year", "Remove from_year or use kind = \"break\".", from_year)
            continue
        footnote = entry.get("footnote")
        changes.append(MethodChange(series, kind, method, from_year, footnote, str(note)))
    return changes


def _revision_notes(entries, bad) -> list[RevisionNote]:
    notes = []
    if not isinstance(entries, list):
        bad("revision_notes must be a list of [[revision_notes]] tables", "See raw/README.md.")
        return notes
    for entry in entries:
        series, years, note = entry.get("series"), entry.get("years", []), entry.get("note")
        if not isinstance(series, str) or not isinstance(note, str) or not isinstance(years, list):
            bad("a revision note needs series, years and note", "See raw/README.md.", entry)
            continue
        notes.append(RevisionNote(series, tuple(int(y) for y in years), note))
    return notes
