"""Read delivered files into raw cells: printed tables (CSV, XLSX) and tidy tables (CSV, Parquet)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from kanaalmonitor.catalogue import Catalogue, LabelError, split_label
from kanaalmonitor.config import MAX_XLSX_UNPACKED_BYTES
from kanaalmonitor.deliveries.manifest import Delivery, DeliveryFile
from kanaalmonitor.deliveries.tidy import TidyCells, read_tidy
from kanaalmonitor.errors import DeliveryError, Problem

MAX_PRINTED_BYTES = 5 * 1024 * 1024
CELL_COLUMNS = ["municipality", "edition", "file", "row", "label", "series", "year", "cell", "scale",
                "style", "number_format", "status", "delivery"]

_YEAR = re.compile(r"^(19|20)\d\d$")
_NOTE_START = re.compile(r"^(?P<marker>\*+|[\u00b9\u00b2\u00b3\u2070-\u2079]+|\(\d\)|\d\))\s*(?P<text>.+)$")


@dataclass
class Note:
    """A footnote or source line printed under a table."""

    file: str  # the table: its CSV file, or workbook[sheet]
    table_title: str
    row: int  # row in the file
    marker: str | None
    text: str


class PrintedTable(NamedTuple):
    """One printed table (a CSV file, a workbook sheet) as text cells by row number."""

    name: str  # the name its cells and problems carry: the file, or file[sheet] in a workbook of several sheets
    rows: list[tuple[int, list[str]]]
    formats: dict[int, list[str | None]] = {}  # workbooks: row -> each cell's Excel number format


@dataclass(frozen=True)
class Sheet:
    """A sheet of a delivered workbook: read as the printed table `table`, or not read (table None): hidden, or
    visible and empty."""

    file: str
    sheet: str
    table: str | None
    state: str  # visible, hidden or veryHidden (openpyxl's sheet_state)


@dataclass
class PrintedRow:
    row_number: int  # place in the table: 1 is the first row under the header
    series: str
    label_printed: str  # exactly as printed, marker and scale phrase included
    marker: str | None
    scale: int


@dataclass
class TableAsPrinted:
    """One printed table (a CSV file or a sheet) as printed: its title (first cell) and its rows in order."""

    file: str
    title: str
    head_row: int
    rows: list[PrintedRow] = field(default_factory=list)


@dataclass
class ParsedDelivery:
    """What a delivery's files say, before validation."""

    delivery: Delivery
    cells: pd.DataFrame  # raw cells of the printed tables (CELL_COLUMNS)
    notes: list[Note] = field(default_factory=list)
    tables: list[TableAsPrinted] = field(default_factory=list)  # in the order of the manifest's files and sheets
    markers: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (file, marker) -> series
    tidy: list[TidyCells] = field(default_factory=list)  # tidy files, read into Parquet files of raw cells
    sheets: list[Sheet] = field(default_factory=list)  # every sheet of the delivered workbooks, read or skipped


def parse_delivery(delivery: Delivery, catalogue: Catalogue, work: Path) -> ParsedDelivery:
    """Read every file of a delivery into raw cells (tidy files into Parquet files under work);
    one DeliveryError lists every problem found."""
    problems: list[Problem] = []
    frames, notes, tables, markers, tidy, sheets = [], [], [], {}, [], []
    folder = work / "tidy" / delivery.name
    for i, f in enumerate(delivery.files):
        try:
            if f.form == "tidy":
                tidy.append(read_tidy(f, delivery, catalogue, folder / f"{i}.parquet"))
            else:
                read, file_sheets = read_printed_rows(f)
                sheets.extend(file_sheets)
                for name, rows, formats in read:
                    cells, table, table_notes, table_markers = cells_from_rows(name, rows, delivery, catalogue,
                                                                               formats)
                    frames.append(cells)
                    tables.append(table)
                    notes.extend(table_notes)
                    markers.update(table_markers)
        except DeliveryError as exc:
            problems.extend(exc.problems)
    first: dict[str, TableAsPrinted] = {}
    for table in tables:
        if table.title in first:
            problems.append(Problem(table.file, table.head_row, table.title, None,
                                    f"table has the same title as {first[table.title].file}",
                                    "Give each table of an edition its own title in its first cell, as printed."))
        first.setdefault(table.title, table)
    if problems:
        raise DeliveryError(problems)
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CELL_COLUMNS)
    return ParsedDelivery(delivery, cells, notes, tables, markers, tidy, sheets)


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


def read_printed_rows(f: DeliveryFile) -> tuple[list[PrintedTable], list[Sheet]]:
    """The rows of a printed table as text cells: one table per CSV, one per filled visible XLSX sheet; and the
    sheets of a workbook (none for a CSV)."""
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
    return [PrintedTable(f.name, rows)], []


def read_xlsx_rows(f: DeliveryFile) -> tuple[list[PrintedTable], list[Sheet]]:
    """Cells of every filled visible sheet of an .xlsx file as displayed (xlsx_text), with their number
    formats, and every sheet with its state; hidden sheets are never read. Refuses formulas, bombs and cells
    that cannot be a figure (dates, times of day, truth values, errors) outside the label column."""
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
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(f.path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _refuse(f.name, f"workbook cannot be read ({type(exc).__name__})",
                      "Open it in Excel and save it again as .xlsx.") from None
    tables, sheets, problems = [], [], []
    try:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                sheets.append(Sheet(f.name, ws.title, None, ws.sheet_state))
                continue
            where = f"{f.name}[{ws.title}]"
            rows, formats = [], {}
            for i, row in enumerate(ws.iter_rows(), start=1):
                cells, row_formats = [], []
                for col, cell in enumerate(row, start=1):
                    value, kind = cell.value, cell.data_type
                    fmt = cell.number_format if value is not None else None
                    if kind == "f" or (isinstance(value, str) and value.startswith("=")):
                        problems.append(Problem(where, i, None, value, "cell holds a formula, not a value",
                                                "Paste the table as values (Paste Special > Values) and save again."))
                        text = str(value)
                    else:
                        try:
                            text = xlsx_text(value, fmt, wb.epoch, label=col == 1, data_type=kind)
                        except NotAFigure as exc:
                            problems.append(Problem(where, i, cells[0].strip() if cells else None, exc.shown,
                                                    f"cell {get_column_letter(col)}{i} holds {exc.kind}, not a "
                                                    f"figure", exc.action))
                            text = exc.shown
                    cells.append(text)
                    row_formats.append(fmt)
                rows.append((i, cells))
                formats[i] = row_formats
            if any(any(c.strip() for c in cells) for _, cells in rows):
                name = f.name if len(visible) == 1 else where
                tables.append(PrintedTable(name, rows, formats))
                sheets.append(Sheet(f.name, ws.title, name, ws.sheet_state))
            else:
                sheets.append(Sheet(f.name, ws.title, None, ws.sheet_state))
    except Exception as exc:  # a sheet broken inside shows only when it is read; openpyxl raises many types
        raise _refuse(f.name, f"workbook cannot be read ({type(exc).__name__})",
                      "Open it in Excel and save it again as .xlsx.") from None
    finally:
        wb.close()
    if problems:
        raise DeliveryError(problems)
    if not tables:
        hidden = [s.sheet for s in sheets if s.state != "visible"]
        raise _refuse(f.name, "workbook has no filled sheet", "Export the table again." if not hidden else
                      f"Hidden sheets are never read ({', '.join(hidden)}): show the sheet that holds the table "
                      f"(right-click a sheet tab > Unhide) and save again.")
    return tables, sheets


class NotAFigure(Exception):
    """A workbook cell that no figure can be read from: a date, a time of day, a truth value or an error."""

    def __init__(self, kind: str, shown: str, action: str):
        super().__init__(kind)
        self.kind, self.shown, self.action = kind, shown, action


_TYPE_FIGURE = "Type the figure as a number (or '-' where it is not available) and save the workbook again."
_FORMAT_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)
_DURATION_PART = re.compile(r"\[(h+|m+|s+)\]|(h{1,2}|m{1,2}|s{1,2})", re.IGNORECASE)
_DIGITS = "0#?"


def xlsx_text(value, number_format: str | None, epoch=None, label: bool = False, data_type: str = "n") -> str:
    """The text a workbook cell shows by its number format, in Dutch notation: 0.613 as `0.0%` is "61,3",
    1234567 as `#,##0` is "1.234.567", 3.64 as `0.0` is "3,6", 0.0034 as `m:ss` is "4:52", a General
    number is written without float noise; text stays text. Outside the label column, a date, time of day,
    truth value or error (data_type "e") raises NotAFigure."""
    if value is None:
        return ""
    if data_type == "e" and not label:
        raise NotAFigure("an Excel error", str(value), "Replace the error by the figure, or by '-' where it is not "
                         "available, and save the workbook again.")
    if isinstance(value, str):
        return value
    fmt = _format_section(number_format or "General")
    if isinstance(value, bool):
        if label:
            return str(value).upper()
        raise NotAFigure("a truth value", str(value).upper(), _TYPE_FIGURE)
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, to_excel

        if _is_duration(fmt):
            return _duration_text(to_excel(value, epoch or CALENDAR_WINDOWS_1900), fmt)
        is_time = isinstance(value, (dt.time, dt.timedelta)) or (
            not re.search(r"[dy]", fmt, re.IGNORECASE) and bool(re.search(r"[hs]", fmt, re.IGNORECASE)))
        if is_time:
            shown = str(value.time() if isinstance(value, dt.datetime) else value)
        elif isinstance(value, dt.datetime) and value.time() != dt.time():
            shown = value.isoformat(sep=" ")
        else:
            shown = (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        if label:
            return shown
        return _refuse_time(shown) if is_time else _refuse_date(shown)
    if not isinstance(value, (int, float)):
        return str(value)
    if _is_duration(fmt):
        return _duration_text(value, fmt)
    if fmt.casefold() in ("general", "@", "") or re.search(r"[eE][+-]|/", fmt) or not any(d in fmt for d in _DIGITS):
        text = _plain(value)
    else:
        text = _formatted(value, fmt)
    if not label and (words := _format_words(number_format or "")):
        raise NotAFigure(f"a number shown with the text '{words}' beside it", f"{text} ({number_format})",
                         "Write the figure in the unit its row's label names (for millions, '(in miljoenen)' in "
                         "the label), with a number format without words, such as 0.0 or #,##0, and save the "
                         "workbook again.")
    return text


def _refuse_date(shown: str):
    raise NotAFigure("a date", shown, "A figure is a number: type it as a number (not as a date), or '-' where it "
                     "is not available, and save the workbook again.")


def _refuse_time(shown: str):
    raise NotAFigure("a time of day", shown, "Type the figure as a number, or a duration with a duration format "
                     "(m:ss, [h]:mm:ss), or '-' where it is not available, and save the workbook again.")


@functools.lru_cache(maxsize=256)
def _format_section(number_format: str) -> str:
    """The first (positive) section of a number format without literal text, padding and colours."""
    return _FORMAT_LITERAL.sub("", number_format.split(";")[0]).strip()


@functools.lru_cache(maxsize=256)
def _format_words(number_format: str) -> str:
    """The literal text of a number format ("mln" of `0.0" mln"`, "k" of `0\\k`) where it holds a letter or digit:
    such text may carry a unit or scale (a thousand, a million) that the figure read from the cell would lose.
    Spaces, signs and a quoted % carry none."""
    pieces = [m.group(0) for m in re.finditer(r'"[^"]*"|\\.', number_format)]
    text = "".join(p[1:-1] if p.startswith('"') else p[1:] for p in pieces).strip()
    return text if any(c.isalnum() for c in text) else ""


@functools.lru_cache(maxsize=256)
def _is_duration(fmt: str) -> bool:
    parts = fmt.split(":")
    return len(parts) > 1 and all(_DURATION_PART.fullmatch(p) for p in parts)


def _duration_text(serial: float, fmt: str) -> str:
    """A duration as a format of hours, minutes and seconds shows it (m:ss, [h]:mm:ss, h:mm:ss, mm:ss)."""
    total = round(serial * 86400)
    text = []
    for part in fmt.split(":"):
        m = _DURATION_PART.fullmatch(part)
        letters = (m.group(1) or m.group(2)).lower()
        elapsed = m.group(1) is not None
        unit = {"h": 3600, "m": 60, "s": 1}[letters[0]]
        wrap = {"h": 24, "m": 60, "s": 60}[letters[0]]
        n = total // unit if elapsed else total // unit % wrap
        text.append(str(n).zfill(len(letters)))
    return ":".join(text)


def _plain(value: float) -> str:
    """A number as Excel's General shows it, to its 15 significant digits, in Dutch notation."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(f"{value:.15g}"), "f").replace(".", ",")


def _formatted(value: float, fmt: str) -> str:
    """A number as a numeric format shows it: percent times 100, rounded to the format's decimals, grouped
    by '.' where the format groups thousands, divided by 1000 per comma after the last digit."""
    shift, step, grouped = _numeric_format(fmt)
    number = Decimal(f"{value:.15g}").scaleb(shift).quantize(step, ROUND_HALF_UP)
    whole, _, fraction = f"{abs(number):f}".partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", ".")
    return ("-" if number < 0 else "") + whole + ("," + fraction if fraction else "")


@functools.lru_cache(maxsize=256)
def _numeric_format(fmt: str) -> tuple[int, Decimal, bool]:
    """Of a numeric format: the power of ten it shifts by (+2 for a percent, -3 per scaling comma), the step it
    rounds to, and whether it groups thousands."""
    scaling = re.search(rf"[{_DIGITS}.](,+)(?![{_DIGITS}])", fmt)
    shift = (2 if "%" in fmt else 0) - 3 * (len(scaling.group(1)) if scaling else 0)
    decimals = re.search(rf"\.([{_DIGITS}]+)", fmt)
    step = Decimal(1).scaleb(-len(decimals.group(1)) if decimals else 0)
    return shift, step, bool(re.search(rf"[{_DIGITS}],[{_DIGITS}]", fmt))


def cells_from_rows(name: str, rows: list[tuple[int, list[str]]], delivery: Delivery,
                    catalogue: Catalogue, formats: dict[int, list[str | None]] | None = None,
                    ) -> tuple[pd.DataFrame, TableAsPrinted, list[Note], dict]:
    """Raw cells of one printed table (header of years, data rows, then notes under a blank row), the table
    as printed (title, rows in order, labels as printed), its notes and the series each marker marks (formats:
    a workbook's number format of each cell, by row)."""
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

    table = TableAsPrinted(name, title, head_row)
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
            notes.append(Note(name, title, i, note.group("marker") if note else None,
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
            series = catalogue.resolve(label)
        except LabelError as exc:
            if exc.rule == "unknown label":
                unknown.append((i, label_text, label))
            else:
                problems.append(Problem(name, i, label_text, None, exc.rule, exc.action))
            continue
        resolved.add(series)
        table.rows.append(PrintedRow(len(table.rows) + 1, series, label_text, marker, scale))
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
        row_formats = (formats or {}).get(i, [])
        for pos, (year, cell) in enumerate(zip(years, values), start=1):
            number_format = row_formats[pos] if pos < len(row_formats) else None
            records.append((delivery.municipality, delivery.edition, name, i, label_text, series, year, cell,
                            scale, "nl", number_format, None, delivery.name))
    for i, label_text, label in unknown:  # suggested once the table's known rows are resolved
        try:
            catalogue.resolve(label, frozenset(resolved))
        except LabelError as exc:
            problems.append(Problem(name, i, label_text, None, exc.rule, exc.action))
    if not records and not problems:
        problems.append(Problem(name, head_row, title, None, "table has a header but no rows",
                                "Export the whole table, not only its header."))
    if problems:
        raise DeliveryError(problems)
    return pd.DataFrame.from_records(records, columns=CELL_COLUMNS), table, notes, markers


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
