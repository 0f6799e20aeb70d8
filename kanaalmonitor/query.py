"""`kanaalmonitor query`: one read-only statement on the published warehouse, within a time limit, printed
as an aligned table, CSV or JSON, at most max_rows rows, fetched in chunks.

Imports only duckdb and the standard library, so the command starts without pandas, pandera or Prefect
(tests/test_import_weight.py holds it to that).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

import duckdb

from kanaalmonitor.words import plural

FORMATS = ("table", "csv", "json")
DEFAULT_MAX_ROWS = 1000
DEFAULT_TIMEOUT = 60.0
CHUNK_ROWS = 10_000
# After the shown rows, the rest is counted for at most this long, so a huge result still ends quickly.
COUNT_SECONDS = 1.0
NULL = "NULL"

READ_TYPES = {"SELECT", "EXPLAIN", "PRAGMA", "CALL"}
# A PIVOT whose columns come from the data is a statement of several steps (type MULTI); so is a
# CREATE TABLE ... AS PIVOT, which the first word tells apart.
PIVOT_WORDS = {"pivot", "pivot_wider", "with", "from"}
READ_WORDS = "select, pivot, unpivot, describe, show, summarize, explain, pragma or call"
NUMERIC_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"}
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")


class QueryError(Exception):
    """A statement refused, failed or stopped at its time limit; the message says which and what to do."""


def first_word(statement: str) -> str:
    """The statement's first keyword, lowercase, after comments and opening parentheses."""
    match = _WORD.match(statement, _LEADING.match(statement).end())
    return match.group().lower() if match else ""


def statement_name(statement: duckdb.Statement) -> str:
    """The statement as its user wrote it: its first keyword ("drop", "install", "begin"), or its kind when that
    keyword is a select's ("with ... insert")."""
    word = first_word(statement.query)
    if word in ("", "with", "from") and statement.type.name not in ("SELECT", "MULTI"):
        return statement.type.name.lower().replace("_", " ")
    return word or statement.type.name.lower()


def only_reads(statement: duckdb.Statement) -> bool:
    kind = statement.type.name
    return kind in READ_TYPES or (kind == "MULTI" and first_word(statement.query) in PIVOT_WORDS)


def check_statement(sql: str) -> None:
    """Refuse anything but one statement that only reads, naming what was given in the user's words."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"Query failed: {str(exc).strip()}") from None
    if len(statements) == 1 and only_reads(statements[0]):
        return
    names = [statement_name(st) for st in statements]
    got = "no statement" if not names else f"{len(names)} statement{'s' if len(names) > 1 else ''}: {', '.join(names)}"
    raise QueryError(f"Query refused: kanaalmonitor query runs one statement that only reads ({READ_WORDS}); "
                     f"got {got}. Nothing was changed.")


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt the connection's query after seconds (0: no limit), from a timer thread."""
    timer = threading.Timer(seconds, con.interrupt) if seconds else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.cancel()


# Values as text: one notation for NULL, whole numbers without ".0", a FLOAT with the digits it holds.

def text(value: object, single: bool = False) -> str | None:
    """The value as printed in a table or CSV cell; None for NULL. single: the column is a 32-bit FLOAT."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if single:
            value = float(f"{value:.7g}")
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(text(v) or NULL for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{text(k)}: {text(v) or NULL}" for k, v in value.items()) + "}"
    return str(value)


def json_value(value: object, single: bool = False) -> object:
    """The value as JSON: numbers as numbers (whole ones without ".0"), dates and times as ISO text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if single:
            value = float(f"{value:.7g}")
        return int(value) if value.is_integer() and abs(value) < 1e16 else value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(text(k)): json_value(v) for k, v in value.items()}
    if isinstance(value, (dt.timedelta, uuid.UUID)):
        return str(value)
    return text(value)


@dataclass
class Shown:
    """What was printed: the rows shown, and the rows left out (at least that many when not counted to the end)."""

    rows: int
    left_out: int = 0
    counted: bool = True

    def summary(self) -> str:
        if not self.left_out:
            return plural(self.rows, "row")
        if self.counted:
            return (f"{self.rows} of {self.rows + self.left_out} rows shown; {self.left_out} left out "
                    f"(--max-rows sets how many are shown).")
        return (f"{plural(self.rows, 'row')} shown; at least {self.left_out} more left out, counting stopped after "
                f"{COUNT_SECONDS:g} s (--max-rows sets how many are shown).")


def write_table(columns: list[str], types: list[str], rows: list[tuple], out: TextIO) -> None:
    """Columns aligned, numbers to the right; the header, a rule, the rows."""
    right = [t.split("(")[0] in NUMERIC_TYPES for t in types]
    single = [t == "FLOAT" for t in types]
    cells = [[(text(v, f) or NULL).replace("\n", "\\n").replace("\t", "\\t") for v, f in zip(row, single)]
             for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Iterable[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right)).rstrip()

    out.write(line(columns) + "\n")
    out.write(line("-" * w for w in widths) + "\n")
    for r in cells:
        out.write(line(r) + "\n")


class _Stream:
    """The chunks of one result, at most max_rows rows of them (0: all), then the rest counted."""

    def __init__(self, result: duckdb.DuckDBPyConnection, max_rows: int):
        self.result, self.max_rows, self.shown = result, max_rows, 0
        self.pending: list[tuple] = []
        self.done = False

    def chunks(self) -> Iterator[list[tuple]]:
        while not self.done and not self.pending:
            room = self.max_rows - self.shown if self.max_rows else CHUNK_ROWS
            want = min(CHUNK_ROWS, room + 1)  # one row beyond the room tells whether rows are left out
            chunk = self.result.fetchmany(want)
            self.done = len(chunk) < want
            if len(chunk) > room:
                chunk, self.pending = chunk[:room], chunk[room:]
            if chunk:
                self.shown += len(chunk)
                yield chunk

    def rest(self) -> Shown:
        """Count the rows beyond max_rows, for at most COUNT_SECONDS."""
        if not self.pending:
            return Shown(self.shown)
        left, deadline = len(self.pending), time.monotonic() + COUNT_SECONDS
        try:
            while time.monotonic() < deadline:
                chunk = self.result.fetchmany(CHUNK_ROWS * 10)
                if not chunk:
                    return Shown(self.shown, left)
                left += len(chunk)
        except duckdb.InterruptException:
            pass
        return Shown(self.shown, left, counted=False)


def print_query(con: duckdb.DuckDBPyConnection, sql: str, out: TextIO, err: TextIO, fmt: str = "table",
                max_rows: int = DEFAULT_MAX_ROWS, timeout: float = DEFAULT_TIMEOUT) -> Shown:
    """Run one read-only statement and print its result; QueryError when refused, failed or stopped."""
    check_statement(sql)
    printed = False
    with time_limit(con, timeout):
        try:
            result = con.execute(sql)
            columns = [d[0] for d in result.description or []]
            types = [str(d[1]) for d in result.description or []]
            stream = _Stream(result, max_rows)
            if not columns:
                stream.done = True
            if fmt == "table":
                rows = [r for chunk in stream.chunks() for r in chunk]
                shown = stream.rest()
                if columns:
                    write_table(columns, types, rows, out)
                out.write(shown.summary() + "\n")
                return shown
            printed = True
            if fmt == "csv":
                _write_csv(columns, types, stream.chunks(), out)
            else:
                _write_json(columns, types, stream.chunks(), out)
            shown = stream.rest()
        except duckdb.InterruptException:
            incomplete = "; the output above is incomplete" if printed else ""
            raise QueryError(f"Query stopped after {timeout:g} s, its time limit{incomplete}. Nothing was changed. "
                             "Narrow it (a where clause, a limit) or allow longer with --timeout SECONDS "
                             "(0: no limit).") from None
        except duckdb.Error as exc:
            raise QueryError(f"Query failed: {str(exc).strip()}") from None
    if shown.left_out:
        err.write(shown.summary() + "\n")
    return shown


def _write_csv(columns: list[str], types: list[str], chunks: Iterable[list[tuple]], out: TextIO) -> None:
    """A header line, then the rows; NULL as an empty field."""
    if not columns:
        return
    single = [t == "FLOAT" for t in types]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for chunk in chunks:
        writer.writerows([[text(v, f) for v, f in zip(row, single)] for row in chunk])


def _write_json(columns: list[str], types: list[str], chunks: Iterable[list[tuple]], out: TextIO) -> None:
    """An array of objects, one per line."""
    single = [t == "FLOAT" for t in types]
    sep = "["
    for chunk in chunks:
        for row in chunk:
            record = {c: json_value(v, f) for c, v, f in zip(columns, row, single)}
            out.write(sep + json.dumps(record, ensure_ascii=False))
            sep = ",\n"
    out.write("[]\n" if sep == "[" else "\n]\n")
