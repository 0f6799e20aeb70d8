"""Tidy deliveries (CSV, Parquet) read inside DuckDB into a Parquet file of raw cells; no row passes through pandas.

Each tidy file becomes one Parquet file of raw cells in the refresh's work folder (per file, so deliveries
can be read in parallel). kanaalmonitor/deliveries/validate.py loads them, with the printed cells, into the
one table of raw cells that is validated.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
from duckdb import sqltypes

from kanaalmonitor.catalogue import Catalogue, LabelError
from kanaalmonitor.config import MAX_FILE_BYTES, TIDY_MEMORY_LIMIT
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import Delivery, DeliveryFile
from kanaalmonitor.errors import DeliveryError, Problem
from schemas import numbers

TIDY_COLUMNS = {"series", "year", "value"}
TIDY_OPTIONAL = {"municipality", "status"}
_INTEGER = {"tinyint", "smallint", "integer", "bigint", "hugeint", "uhugeint", "utinyint", "usmallint", "uinteger",
            "ubigint"}
_FLOAT = {"float", "double"}
_NUMERIC = _INTEGER | _FLOAT | {"decimal"}

# Deliveries are parsed in parallel threads; more concurrent DuckDB readers than cores only adds memory.
_READERS = threading.BoundedSemaphore(os.cpu_count() or 1)

_CELLS = """
select
    coalesce(trim(cast(municipality as varchar)), ?) as municipality,
    cast(? as bigint) as edition,
    cast(? as varchar) as file,
    cast(row_number() over () + ? as bigint) as row,
    trim(cast(series as varchar)) as label,
    trim(cast(series as varchar)) as series,
    trim(cast(year as varchar)) as year_text,
    coalesce(cell, '') as cell,
    cast(1 as bigint) as scale,
    cast(? as varchar) as style,
    nullif(trim(cast(status as varchar)), '') as status,
    cast(? as varchar) as delivery
from tidy_input
"""

# A float that stands for no decimal of at most MAX_DECIMALS decimals, or a float32 that cannot hold its figure.
_FLOATS_REFUSED = f"""
select row, series, number, cell
from (
    select row_number() over () as row, trim(cast(series as varchar)) as series, number, cell, single
    from tidy_input
)
where number is not null and (cell is null
    or (single and (abs(number) > {numbers.SINGLE_MAX} or float_digits(cell) > {numbers.SINGLE_DIGITS})))
order by row
limit 20
"""


@dataclass
class TidyCells:
    """A tidy file read into a Parquet file of raw cells, before validation."""

    file: DeliveryFile
    delivery: Delivery
    cells: Path  # the Parquet file of raw cells
    rows: int


def _refuse(name: str, rule: str, action: str, row: int | None = None, label: str | None = None,
            value: str | None = None) -> DeliveryError:
    return DeliveryError([Problem(name, row, label, value, rule, action)])


def read_tidy(f: DeliveryFile, delivery: Delivery, catalogue: Catalogue, target: Path) -> TidyCells:
    """Read a tidy file into the Parquet file target: one row per (municipality, series, year, value[, status])."""
    size = f.path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(f.name, f"file is {size:,} bytes (more than {MAX_FILE_BYTES:,})",
                      "Split the delivery into several files.")
    if size == 0:
        raise _refuse(f.name, "file is empty", "Export the table again.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _READERS:
        con = connect(memory_limit=TIDY_MEMORY_LIMIT, preserve_insertion_order=True,
                      temp_directory=str(target.with_suffix(".spill")))
        try:
            # On a worker process of the Dask runner DuckDB would draw its progress bar into the run's output;
            # the refresh tells its progress itself (kanaalmonitor/progress.py).
            con.execute("set enable_progress_bar = false")
            _write_cells(con, f, delivery, target)
            rows = con.execute("select count(*) from read_parquet(?)", [str(target)]).fetchall()[0][0]
            if rows == 0:
                raise _refuse(f.name, "table has a header but no rows", "Export the whole table.")
            con.read_parquet(str(target)).create_view("cells")
            _check_codes_and_years(con, f, catalogue)
        finally:
            con.close()
    return TidyCells(f, delivery, target, rows)


def _write_cells(con: duckdb.DuckDBPyConnection, f: DeliveryFile, delivery: Delivery, target: Path) -> None:
    """The file as raw text cells with file row numbers, streamed into a Parquet file."""
    if f.path.suffix.lower() == ".parquet":
        try:
            source = con.read_parquet(str(f.path))
        except duckdb.Error as exc:
            raise _refuse(f.name, f"file is not a readable Parquet file ({type(exc).__name__})",
                          "Write the file again.") from None
        numbers.install(con)
        _select_columns(source, f, parquet=True).create_view("tidy_input")
        _check_floats(con, f)
        con.sql(_CELLS, params=[delivery.municipality, delivery.edition, f.name, 0, "plain", delivery.name]) \
            .to_parquet(str(target))
        return
    with f.path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise _refuse(f.name, "file is not UTF-8 or Windows-1252 text (it looks like UTF-16 or binary)",
                      "Save the table as CSV in UTF-8 or Windows-1252.")
    first = head.split(b"\n", 1)[0]
    sep, style = (";", "nl") if b";" in first else (",", "plain")
    for encoding in ("utf-8", "latin-1"):
        try:
            source = con.read_csv(str(f.path), header=True, all_varchar=True, sep=sep, quotechar='"',
                                  encoding=encoding)
            _select_columns(source, f, parquet=False).create_view("tidy_input", replace=True)
            con.sql(_CELLS, params=[delivery.municipality, delivery.edition, f.name, 1, style, delivery.name]) \
                .to_parquet(str(target))
            return
        except duckdb.InvalidInputException as exc:
            if encoding == "utf-8" and "unicode" in str(exc).casefold():
                continue
            raise _refuse(f.name, f"file cannot be read as a '{sep}' separated table "
                                  f"({str(exc).splitlines()[0][:160]})", "Export the table again.") from None
    raise AssertionError("unreachable")


def _select_columns(source: duckdb.DuckDBPyRelation, f: DeliveryFile, parquet: bool) -> duckdb.DuckDBPyRelation:
    """The tidy columns by their normalised names; value as text in column `cell`."""
    names = {str(c).strip().casefold(): c for c in source.columns}
    missing = TIDY_COLUMNS - set(names)
    extra = set(names) - TIDY_COLUMNS - TIDY_OPTIONAL
    if missing or extra:
        raise _refuse(f.name, f"tidy columns are wrong (missing: {', '.join(sorted(missing)) or 'none'}; "
                              f"unknown: {', '.join(sorted(extra)) or 'none'})",
                      "Use the columns municipality, series, year, value and optionally status.", row=1)
    value = duckdb.ColumnExpression(names["value"])
    picked = [duckdb.ColumnExpression(names[c]).alias(c) if c in names else
              duckdb.ConstantExpression(None).alias(c) for c in ("municipality", "series", "year", "status")]
    if not parquet:
        return source.project(*picked, value.cast(sqltypes.VARCHAR).alias("cell"))
    kind = dict(zip(source.columns, source.types))[names["value"]]
    if kind.id not in _NUMERIC:
        raise _refuse(f.name, f"column value holds {kind}, not numbers", "Write value as a number column.",
                      row=1)
    if kind.id in _FLOAT:  # the decimal the float stands for (schemas/numbers.py), not its binary expansion
        number = value.cast(sqltypes.DOUBLE)
        single = duckdb.ConstantExpression(kind.id == "float")
        cell = duckdb.FunctionExpression("float_figure", number, single)
        return source.project(*picked, cell.alias("cell"), number.alias("number"), single.alias("single"))
    text = value.cast(sqltypes.VARCHAR)
    cell = duckdb.FunctionExpression("decimal_text", text) if kind.id == "decimal" else text
    return source.project(*picked, cell.alias("cell"))


def _check_floats(con: duckdb.DuckDBPyConnection, f: DeliveryFile) -> None:
    """A float value column is read as the decimals it stands for, or refused."""
    if "number" not in con.table("tidy_input").columns:
        return
    problems = []
    for row, series, number, cell in con.execute(_FLOATS_REFUSED).fetchall():
        if cell is None:
            problems.append(Problem(f.name, int(row), series, repr(number),
                                    f"value is not a decimal figure of at most {numbers.MAX_DECIMALS} decimals "
                                    "(a float with more digits than any printed figure)",
                                    "Round the values to the decimals they are printed with before writing the "
                                    "file, or write value as a decimal or integer column."))
        else:
            problems.append(Problem(f.name, int(row), series, cell,
                                    f"a float32 (single precision) value holds only {numbers.SINGLE_DIGITS} "
                                    f"digits and whole numbers up to {numbers.SINGLE_MAX:,} exactly".replace(",", "."),
                                    "Write value as a double, decimal or integer column."))
    if problems:
        raise DeliveryError(problems)


def _check_codes_and_years(con: duckdb.DuckDBPyConnection, f: DeliveryFile, catalogue: Catalogue) -> None:
    problems = []
    for code, first_row in con.execute("select series, min(row) from cells where series is not null "
                                       "group by series order by series").fetchall():
        if code in catalogue.series:
            continue
        try:
            catalogue.code(code)
        except LabelError as exc:
            problems.append(Problem(f.name, int(first_row), code, None, exc.rule, exc.action))
    for row, code, year in con.execute(
            "select row, series, year_text from cells where try_cast(year_text as double) is null "
            "or try_cast(year_text as double) % 1 <> 0 order by row limit 20").fetchall():
        problems.append(Problem(f.name, int(row), code, year, "year is not a whole year",
                                "Write the year as four digits."))
    if problems:
        raise DeliveryError(problems)
