"""Tidy deliveries (CSV, Parquet) read, typed and validated inside DuckDB, then staged as Parquet.

No row passes through pandas. Each tidy file is read into a Parquet file of raw cells (per delivery,
so deliveries can be read in parallel). All tidy cells of a run are then checked together in one
DuckDB database against the pandera schemas (schemas/tables.py derives them from
schemas/observations.py): every rule on every row in one validation per run, instead of a fixed cost of some
seconds per delivery. What passes is written as one Parquet file with the columns of staging.cells,
which the warehouse build reads directly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from duckdb import sqltypes

from kanaalmonitor.catalogue import Catalogue, LabelError
from kanaalmonitor.config import MAX_FILE_BYTES, TIDY_MEMORY_LIMIT, WAREHOUSE_MEMORY_LIMIT
from kanaalmonitor.db import connect
from kanaalmonitor.errors import DeliveryError, Problem
from kanaalmonitor.deliveries.manifest import Delivery, DeliveryFile
from schemas.observations import RULES, Observations, RemeasuredSeries

TIDY_COLUMNS = {"series", "year", "value"}
TIDY_OPTIONAL = {"municipality", "status"}
STAGED_COLUMNS = ["municipality", "series", "year", "edition", "value", "status", "method", "cell", "file", "row",
                  "label", "delivery", "load_id"]
MAX_PROBLEMS_PER_RULE = 50
_NUMERIC = {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger",
            "ubigint", "float", "double", "decimal"}

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

_TYPED = """
select
    cells.municipality, cells.edition, cells.file, cells.row, cells.label, cells.series,
    catalogue.unit, catalogue.parent, cast(cast(cells.year_text as double) as bigint) as year, cells.cell,
    cells.scale, cells.style, cells.status,
    cells.delivery
from read_parquet(?) as cells
left join catalogue using (series)
"""

_OBSERVATIONS = """
with typed as (""" + _TYPED + """),

numbers as (
    select
        *,
        replace(replace(trim(replace(replace(cell, chr(160), ' '), chr(8722), '-')), '%', ''), ' ', '') as text
    from typed
),

read as (
    select
        *,
        round(try_cast(nullif(nullif(
            case when style = 'nl' then replace(replace(text, '.', ''), ',', '.') else text end,
            '-'), '') as double) * scale, 6) as value,
        case when regexp_full_match(text, '-?\\d{1,3}(\\.\\d{3})+') then 0
            else coalesce(length(regexp_extract(text, '[.,](\\d+)$', 1)), 0) end as decimals
    from numbers
)

select
    read.* exclude (text, status),
    coalesce(read.status, case when read.value is null then 'O' else 'A' end) as status,
    (select declared.method from declared
        where declared.delivery = read.delivery and declared.series = read.series and (declared.kind = 'restate' or read.year >= declared.from_year)
        order by declared.position desc limit 1) as method
from read
"""

_STAGED = """
select municipality, series, cast(year as integer) as year, cast(edition as integer) as edition, value, status,
    method, cell, file, cast(row as integer) as row, label, delivery, loads.load_id
from observations
join loads using (delivery)
"""


@dataclass
class TidyCells:
    """A tidy file read into a Parquet file of raw cells, before validation."""

    file: DeliveryFile
    delivery: Delivery
    work: Path  # holds cells.parquet
    rows: int
    years: dict[str, set[int]] = field(default_factory=dict)  # series -> delivered years
    municipalities: dict[str, set[str]] = field(default_factory=dict)  # series -> municipalities


def _connect(path: Path | str = ":memory:", memory_limit: str = TIDY_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    return connect(path, memory_limit=memory_limit, preserve_insertion_order=True)


def _refuse(name: str, rule: str, action: str, row: int | None = None, label: str | None = None,
            value: str | None = None) -> DeliveryError:
    return DeliveryError([Problem(name, row, label, value, rule, action)])


def read_tidy(f: DeliveryFile, delivery: Delivery, catalogue: Catalogue) -> TidyCells:
    """Read a tidy file into a Parquet work file: one row per (municipality, series, year, value[, status])."""
    size = f.path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(f.name, f"file is {size:,} bytes (more than {MAX_FILE_BYTES:,})",
                      "Split the delivery into several files.")
    if size == 0:
        raise _refuse(f.name, "file is empty", "Export the table again.")
    work = Path(tempfile.mkdtemp(prefix="kanaalmonitor-tidy-"))
    try:
        with _READERS:
            return _load(f, delivery, catalogue, work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _load(f: DeliveryFile, delivery: Delivery, catalogue: Catalogue, work: Path) -> TidyCells:
    con = _connect()
    try:
        _write_cells(con, f, delivery, work / "cells.parquet")
        con.read_parquet(str(work / "cells.parquet")).create_view("cells")
        rows = con.execute("select count(*) from cells").fetchone()[0]
        if rows == 0:
            raise _refuse(f.name, "table has a header but no rows", "Export the whole table.")
        _check_codes_and_years(con, f, catalogue)
        years, municipalities = {}, {}
        for series, year, municipality in con.execute(
                "select distinct series, cast(cast(year_text as double) as bigint), municipality "
                "from cells").fetchall():
            years.setdefault(series, set()).add(year)
            municipalities.setdefault(series, set()).add(municipality)
        return TidyCells(f, delivery, work, rows, years, municipalities)
    finally:
        con.close()


def _write_cells(con: duckdb.DuckDBPyConnection, f: DeliveryFile, delivery: Delivery, target: Path) -> None:
    """The file as raw text cells with file row numbers, streamed into a Parquet file."""
    if f.path.suffix.lower() == ".parquet":
        try:
            source = con.read_parquet(str(f.path))
        except duckdb.Error as exc:
            raise _refuse(f.name, f"file is not a readable Parquet file ({type(exc).__name__})",
                          "Write the file again.") from None
        _select_columns(source, f, parquet=True).create_view("tidy_input")
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
    if parquet:
        kind = dict(zip(source.columns, source.types))[names["value"]]
        if kind.id not in _NUMERIC:
            raise _refuse(f.name, f"column value holds {kind}, not numbers", "Write value as a number column.",
                          row=1)
        value = value.cast(sqltypes.DOUBLE)
    picked = [duckdb.ColumnExpression(names[c]).alias(c) if c in names else
              duckdb.ConstantExpression(None).alias(c) for c in ("municipality", "series", "year", "status")]
    return source.project(*picked, value.cast(sqltypes.VARCHAR).alias("cell"))


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


def validate_tidy(tidy: list[TidyCells], catalogue: Catalogue, load_ids: dict[str, str]) -> Path | None:
    """Check tidy files against the schemas in one pass; return the staged Parquet file, or raise every problem.

    load_ids maps a delivery's name to its load id. The staged file lies in a folder of its own:
    remove it with discard_staged().
    """
    if not tidy:
        return None
    work = Path(tempfile.mkdtemp(prefix="kanaalmonitor-staged-"))
    con = _connect(work / "check.duckdb", WAREHOUSE_MEMORY_LIMIT)
    try:
        con.execute("create table catalogue (series varchar, unit varchar, parent varchar)")
        con.executemany("insert into catalogue values (?, ?, ?)",
                        [(s.series, s.unit, s.parent) for s in catalogue.series.values()])
        con.execute("create table declared (delivery varchar, position integer, series varchar, kind varchar, "
                    "method varchar, from_year bigint, load_id varchar)")
        deliveries = {t.delivery.name: t.delivery for t in tidy}
        rows = [(name, i, c.series, c.kind, c.method, c.from_year, load_ids[name])
                for name, d in deliveries.items() for i, c in enumerate(d.method_changes)]
        if rows:
            con.executemany("insert into declared values (?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("create table loads (delivery varchar, load_id varchar)")
        con.executemany("insert into loads values (?, ?)", [(name, load_ids[name]) for name in deliveries])
        con.execute("create table observations as " + _OBSERVATIONS, [[str(t.work / "cells.parquet") for t in tidy]])
        parents = tuple(sorted({s.parent for s in catalogue.series.values() if s.parent}))
        import ibis  # imported here: a run without tidy files does not pay for it

        backend = ibis.duckdb.from_connection(con)
        problems = _validate(backend.table("observations"), Observations, parents)
        if not problems and any(r[3] == "restate" for r in rows):
            con.execute("create view restated as select * from observations where (delivery, series) in "
                        "(select (delivery, series) from declared where kind = 'restate')")
            problems = _validate(backend.table("restated"), RemeasuredSeries, parents)
        if problems:
            raise DeliveryError(problems)
        staged = work / "staged.parquet"
        con.sql(_STAGED).to_parquet(str(staged))
        con.close()
        (work / "check.duckdb").unlink(missing_ok=True)
        return staged
    except BaseException:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
        raise


def _validate(table, model, parents: tuple[str, ...]) -> list[Problem]:
    """Problems of an ibis table against the pandera.ibis form of a model."""
    import pandera.errors

    from schemas import tables

    try:
        tables.schema(model, parents).validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return _problems(exc, table)
    return []


def _problems(exc, table) -> list[Problem]:
    """Problems in the user's terms from pandera's failure cases.

    A frame check's failure case is the whole row; a column check's is the value, located here at its
    first row. A row whose cell cannot be read reports only that, as the pandas path does.
    """
    failures = []
    for rec in exc.failure_cases.itertuples(index=False):
        check = str(rec.check).split("(")[0]
        case = rec.failure_case
        if not isinstance(case, dict) or "row" not in case:
            column = str(rec.column)
            if isinstance(case, dict) and case:  # pandera.ibis names the column in the key, not in `column`
                column, case = next(iter(case.items()))
            if column in table.columns and case is not None:
                hit = table.filter(table[column] == case).select("file", "row", "label", "cell", "year").limit(1)
                found = hit.to_pyarrow().to_pylist()
                case = {**found[0], "column": column, "value": case} if found else case
        failures.append((check, rec, case))
    unreadable = {(c["file"], c["row"]) for check, _, c in failures
                  if check == "cell_is_readable" and isinstance(c, dict)}
    problems, counts = [], {}
    for check, rec, case in failures:
        if isinstance(case, dict) and check != "cell_is_readable" and (case["file"], case["row"]) in unreadable:
            continue
        counts[check] = counts.get(check, 0) + 1
        if counts[check] > MAX_PROBLEMS_PER_RULE:
            continue
        column = case.get("column", rec.column) if isinstance(case, dict) else rec.column
        rule, action = RULES.get(check, (f"breaks rule {rec.check} in column {column}",
                                         "Correct the delivery; see the column's rule in schemas/observations.py."))
        if not isinstance(case, dict):
            problems.append(Problem("(delivery)", None, None, str(case), rule, action))
            continue
        value = case.get("cell")
        if "column" in case:
            value = str(case["value"])
        elif check == "one_row_per_key":
            value = f"{case.get('cell')} (year {case.get('year')})"
        elif check in RULES:
            rule = f"{rule} [year {case.get('year')}]"
        problems.append(Problem(case["file"], int(case["row"]), case.get("label"), value, rule, action))
    for check, n in counts.items():
        if n > MAX_PROBLEMS_PER_RULE:
            rule, action = RULES.get(check, (f"breaks rule {check}", "Correct the delivery."))
            problems.append(Problem("(delivery)", None, None, None,
                                    f"{n - MAX_PROBLEMS_PER_RULE} more rows break the rule: {rule}", action))
    return problems


def discard(tidy: list[TidyCells]) -> None:
    """Remove the work files of tidy files."""
    for t in tidy:
        shutil.rmtree(t.work, ignore_errors=True)


def discard_staged(staged: Path | None) -> None:
    """Remove the folder of a staged file."""
    if staged is not None:
        shutil.rmtree(staged.parent, ignore_errors=True)
