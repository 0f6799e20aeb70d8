"""Read delivered files into raw cells: printed tables (CSV, XLSX) and tidy tables (CSV, Parquet)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kanaalmonitor.catalogue import Catalogue, LabelError, split_label
from kanaalmonitor.config import MAX_XLSX_UNPACKED_BYTES
from kanaalmonitor.deliveries.manifest import Delivery, DeliveryFile
from kanaalmonitor.deliveries.tidy import TidyCells, read_tidy
from kanaalmonitor.errors import DeliveryError, Problem

MAX_PRINTED_BYTES = 5 * 1024 * 1024
CELL_COLUMNS = ["municipality", "edition", "file", "row", "label", "series", "year", "cell", "scale",
                "style", "status", "delivery"]

_YEAR = re.compile(r"^(19|20)\d\d$")
_NOTE_START = re.compile(r"^(?P<marker>\*+|[\u00b9\u00b2\u00b3\u2070-\u2079]+|\(\d\)|\d\))\s*(?P<text>.+)$")


@dataclass
class Note:
    file: str
    row: int
    marker: str | None
    text: str


@dataclass
class ParsedDelivery:
    """What a delivery's files say, before validation."""

    delivery: Delivery
    cells: pd.DataFrame  # raw cells of the printed tables (CELL_COLUMNS)
    notes: list[Note] = field(default_factory=list)
    markers: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (file, marker) -> series
    tidy: list[TidyCells] = field(default_factory=list)  # tidy files, read into Parquet files of raw cells


def parse_delivery(delivery: Delivery, catalogue: Catalogue, work: Path) -> ParsedDelivery:
    """Read every file of a delivery into raw cells (tidy files into Parquet files under work);
    one DeliveryError lists every problem found."""
    problems: list[Problem] = []
    frames, notes, markers, tidy = [], [], {}, []
    folder = work / "tidy" / delivery.name
    for i, f in enumerate(delivery.files):
        try:
            if f.form == "tidy":
                tidy.append(read_tidy(f, delivery, catalogue, folder / f"{i}.parquet"))
            else:
                for name, rows in read_printed_rows(f):
                    cells, file_notes, file_markers = cells_from_rows(name, rows, delivery, catalogue)
                    frames.append(cells)
                    notes.extend(file_notes)
                    markers.update(file_markers)
        except DeliveryError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeliveryError(problems)
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CELL_COLUMNS)
    return ParsedDelivery(delivery, cells, notes, markers, tidy)


def _refuse(name: str, rule: str, action: str, row: int | None = None, label: str | None = None,
            value: str | None = None) -> DeliveryError:
    return DeliveryError([Problem(name, row, label, value, rule, action)])


def decode(data: bytes, name: str) -> str:
    """Text of a delivered CSV: UTF-8 (with or without BOM) or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise _refuse(name, "file is not UTF-8 or Windows-1252 text (it looks like UTF-16 or binary)",
                      "Save the table as 'CSV (semicolon separated)' in UTF-8 or Windows-1252.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _refuse(name, f"file is neither UTF-8 nor Windows-1252 (byte {exc.start})",
                      "Save the table as CSV in UTF-8 or Windows-1252.") from None


def read_printed_rows(f: DeliveryFile) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """The rows of a printed table as text cells: one table per CSV, one per non-empty XLSX sheet."""
    size = f.path.stat().st_size
    if size > MAX_PRINTED_BYTES:
        raise _refuse(f.name, f"file is {size:,} bytes, more than a printed table can be "
                              f"({MAX_PRINTED_BYTES:,})", "Check that this is the right file; "
                              "deliver bulk data in the tidy form (raw/README.md).")
    if size == 0:
        raise _refuse(f.name, "file is empty", "Export the table again.")
    if f.path.suffix.lower() == ".xlsx":
        return read_xlsx_rows(f)
    text = decode(f.path.read_bytes(), f.name)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip(" ;\t,")), "")
    if ";" not in first:
        sep = "," if "," in first else "\\t" if "\t" in first else None
        if sep:
            raise _refuse(f.name, f"table is separated by '{sep}', not ';'", "Save it as 'CSV (semicolon "
                          "separated)' from Excel, with Dutch number format.", row=1)
    try:
        rows = [(i, cells) for i, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=";"),
                                                     start=1)]
    except csv.Error as exc:
        raise _refuse(f.name, f"file is not a readable CSV table ({exc})",
                      "Save the table as 'CSV (semicolon separated)' from Excel.") from None
    return [(f.name, rows)]


def read_xlsx_rows(f: DeliveryFile) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Text cells of every non-empty sheet of an .xlsx file, refusing formulas and bombs."""
    try:
        with zipfile.ZipFile(f.path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise _refuse(f.name, "file is not an Excel workbook (.xlsx)",
                      "Save the table from Excel as .xlsx, or as CSV (semicolon separated).") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _refuse(f.name, f"workbook unpacks to {unpacked:,} bytes (more than {MAX_XLSX_UNPACKED_BYTES:,})",
                      "Check the file; a printed table is a few kilobytes.")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(f.path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _refuse(f.name, f"workbook cannot be read ({type(exc).__name__})",
                      "Open it in Excel and save it again as .xlsx.") from None
    tables, problems = [], []
    try:
        for ws in wb.worksheets:
            rows = []
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = []
                for value in row:
                    if isinstance(value, str) and value.startswith("="):
                        problems.append(Problem(f"{f.name}[{ws.title}]", i, None, value,
                                                "cell holds a formula, not a value",
                                                "Paste the table as values (Paste Special > Values) and save again."))
                    cells.append(_xlsx_text(value))
                rows.append((i, cells))
            if any(any(c.strip() for c in cells) for _, cells in rows):
                name = f.name if len(wb.worksheets) == 1 else f"{f.name}[{ws.title}]"
                tables.append((name, rows))
    except Exception as exc:  # a sheet broken inside shows only when it is read; openpyxl raises many types
        raise _refuse(f.name, f"workbook cannot be read ({type(exc).__name__})",
                      "Open it in Excel and save it again as .xlsx.") from None
    finally:
        wb.close()
    if problems:
        raise DeliveryError(problems)
    if not tables:
        raise _refuse(f.name, "workbook has no filled sheet", "Export the table again.")
    return tables


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    return str(value)


def cells_from_rows(name: str, rows: list[tuple[int, list[str]]], delivery: Delivery,
                    catalogue: Catalogue) -> tuple[pd.DataFrame, list[Note], dict]:
    """Raw cells of one printed table: header of years, data rows, then notes under a blank row."""
    problems: list[Problem] = []
    rows = [(i, [c.strip() for c in cells]) for i, cells in rows]
    filled = [(i, cells) for i, cells in rows if any(cells)]
    if not filled:
        raise _refuse(name, "file is empty", "Export the table again.")
    head_row, header = filled[0]
    title = header[0]
    year_cells = _trim(header[1:])
    years: list[int] = []
    for pos, text in enumerate(year_cells, start=2):
        if not _YEAR.match(text):
            problems.append(Problem(name, head_row, title, text, f"header column {pos} is not a year",
                                    "The first row must hold the table title and then one year per column."))
            continue
        years.append(int(text))
    if not year_cells:
        problems.append(Problem(name, head_row, title, None, "header row has no years",
                                "The first row must hold the table title and then one year per column."))
    if len(set(years)) != len(years):
        dup = sorted({y for y in years if years.count(y) > 1})
        problems.append(Problem(name, head_row, title, ", ".join(map(str, dup)), "a year appears twice in the header",
                                "Keep one column per year."))
    elif years != sorted(years):
        problems.append(Problem(name, head_row, title, " ".join(map(str, years)), "years are not in increasing order",
                                "Order the year columns from old to new, as printed."))
    for y in years:
        if y > delivery.edition:
            problems.append(Problem(name, head_row, title, str(y), f"year {y} lies after the edition "
                                    f"({delivery.edition})", "Check the edition in manifest.toml or the header."))
    if problems:
        raise DeliveryError(problems)

    table = catalogue.table_of(title)
    records, notes, markers = [], [], {}
    unknown: list[tuple[int, str, str]] = []
    resolved: set[str] = set()
    in_notes = False
    for i, cells in rows:
        if i <= head_row:
            continue
        if not any(cells):
            in_notes = True
            continue
        label_text = cells[0]
        values = cells[1:]
        only_label = not any(values)
        note = _NOTE_START.match(label_text)
        if only_label and (in_notes or note or label_text.casefold().startswith("bron")):
            notes.append(Note(name, i, note.group("marker") if note else None,
                              note.group("text") if note else label_text))
            in_notes = True
            continue
        if in_notes:
            problems.append(Problem(name, i, label_text, None, "row with values below the notes",
                                    "Keep the table rows together above the footnote and source lines."))
            continue
        if not label_text:
            problems.append(Problem(name, i, None, ";".join(values), "row has values but no label",
                                    "Give the row its printed label."))
            continue
        label, marker, scale = split_label(label_text)
        try:
            series = catalogue.resolve(label, table)
        except LabelError as exc:
            if exc.rule == "unknown label":
                unknown.append((i, label_text, label))
            else:
                problems.append(Problem(name, i, label_text, None, exc.rule, exc.action))
            continue
        resolved.add(series)
        if marker:
            markers.setdefault((name, marker), set()).add(series)
        extra = _trim(values[len(years):])
        if extra:
            problems.append(Problem(name, i, label_text, ";".join(extra), "row has more values than the header has years",
                                    "Remove the extra cells or add the missing year to the header."))
            continue
        if len(values) < len(years):
            problems.append(Problem(name, i, label_text, ";".join(values),
                                    f"row has {len(values)} cells for {len(years)} years (truncated row)",
                                    "Export the table again; write '-' where a figure is not available."))
            continue
        for year, cell in zip(years, values):
            records.append((delivery.municipality, delivery.edition, name, i, label_text, series, year, cell,
                            scale, "nl", None, delivery.name))
    for i, label_text, label in unknown:  # suggested once the table's known rows are resolved
        try:
            catalogue.resolve(label, table, frozenset(resolved))
        except LabelError as exc:
            problems.append(Problem(name, i, label_text, None, exc.rule, exc.action))
    if not records and not problems:
        problems.append(Problem(name, head_row, title, None, "table has a header but no rows",
                                "Export the whole table, not only its header."))
    if problems:
        raise DeliveryError(problems)
    return pd.DataFrame.from_records(records, columns=CELL_COLUMNS), notes, markers


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
