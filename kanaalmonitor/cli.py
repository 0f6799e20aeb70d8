"""The `kanaalmonitor` command: one click app; every exit code is an ExitCode (kanaalmonitor/errors.py)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from flows.deploy import DEFAULT_CRON, DEFAULT_TIMEZONE, DEPLOYMENT_NAME, WORK_POOL
from flows.task_runners import DASK, DASK_MISSING, DEFAULT, TASK_RUNNERS, dask_installed
from kanaalmonitor.config import DEFAULT_MUNICIPALITY, PROJECT_ROOT, RAW_DIR, WAREHOUSE_PATH
from kanaalmonitor.errors import ExitCode
from kanaalmonitor.query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT
from kanaalmonitor.query import FORMATS as QUERY_FORMATS
from kanaalmonitor.tables import FORMATS as EXPORT_FORMATS
from kanaalmonitor.words import plural

DEFAULT_REPORT_OUT = PROJECT_ROOT / "out" / "report"


class Refused(click.ClickException):
    """A refusal the command reports in one message and its own exit code."""

    def __init__(self, message: str, code: ExitCode):
        super().__init__(message)
        self.exit_code = code

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def _remember_warehouse(ctx: click.Context, param, value: Path) -> Path:
    """The warehouse of the command, kept for the error log beside it (main)."""
    if isinstance(ctx.obj, dict):
        ctx.obj["warehouse"] = value
    return value


def warehouse_option(help_text: str = f"DuckDB file to read (default {WAREHOUSE_PATH})") -> Callable:
    return click.option("--warehouse", type=click.Path(path_type=Path), default=WAREHOUSE_PATH,
                        show_default=False, help=help_text, callback=_remember_warehouse)


def seconds_option(help_text: str, name: str = "--wait", default: float = 0.0) -> Callable:
    def check(ctx, param, value: float) -> float:
        if not 0 <= value <= 86400:
            raise click.BadParameter(f"{value:g} is not between 0 and 86400 seconds")
        return value
    return click.option(name, type=float, default=default, metavar="SECONDS", callback=check, help=help_text)


def expect_option() -> Callable:
    return click.option("--expect-edition", type=click.IntRange(1990, 2100), default=None, metavar="YEAR",
                        help="the edition every municipality that delivered before should have delivered "
                             "(default: the current year); a missing one is a warning, never a failure")


def _timezone(ctx, param, name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {name!r}; use an IANA name such as Europe/Amsterdam") from None
    return name


def _cron(ctx, param, text: str) -> str:
    from prefect.schedules import Cron

    try:
        Cron(text, timezone=DEFAULT_TIMEZONE)
    except ValueError as exc:
        raise click.BadParameter(f"Invalid schedule {text!r}: {exc}") from None
    return text


def _needs_server(command: str) -> None:
    from kanaalmonitor.config import NO_SERVER, prefect_api_url

    if not prefect_api_url():
        raise Refused(NO_SERVER.format(command=command), ExitCode.NO_SERVER)


@contextmanager
def _refusals() -> Iterator[None]:
    """The library's refusals as the command's: one message and the exit code of its kind."""
    from kanaalmonitor.build.lock import WarehouseBusy
    from kanaalmonitor.errors import CheckFailed, DeliveryError, PublishedUnreadable
    from kanaalmonitor.paths import OutputRefused

    try:
        yield
    except DeliveryError as exc:
        raise Refused(exc.report(), ExitCode.REFUSED) from None
    except PublishedUnreadable as exc:
        raise Refused(str(exc), ExitCode.CANNOT_READ) from None
    except OutputRefused as exc:
        raise Refused(str(exc), ExitCode.OUTPUT_REFUSED) from None
    except CheckFailed as exc:
        raise Refused(str(exc), ExitCode.CHECKS_FAILED) from None
    except WarehouseBusy as exc:
        raise Refused(str(exc), ExitCode.BUSY) from None


def _read(warehouse: Path, action: Callable) -> object:
    """action on the users' read-only connection; a missing or unreadable warehouse, an unknown table or an
    unwritable file is refused with exit 4."""
    import duckdb

    from kanaalmonitor.db import file_error, read_only_connection
    from kanaalmonitor.errors import PublishedUnreadable

    try:
        con = read_only_connection(warehouse)
    except FileNotFoundError as exc:
        raise Refused(str(exc), ExitCode.CANNOT_READ) from None
    except duckdb.Error as exc:
        raise Refused(str(PublishedUnreadable(warehouse, exc)), ExitCode.CANNOT_READ) from None
    try:
        return action(con)
    except BrokenPipeError:
        raise
    except duckdb.Error as exc:
        if not file_error(exc):
            raise
        raise Refused(str(PublishedUnreadable(warehouse, exc)), ExitCode.CANNOT_READ) from None
    except LookupError as exc:
        raise Refused(str(exc.args[0]) if exc.args else str(exc), ExitCode.CANNOT_READ) from None
    except OSError as exc:
        raise Refused(f"Cannot write the file: {exc}", ExitCode.CANNOT_READ) from None
    finally:
        con.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", package_name="kanaalmonitor", prog_name="kanaalmonitor",
                      help="print the version and exit")
def app() -> None:
    """Customer-contact figures, every edition kept, in a DuckDB warehouse."""


@app.command()
@click.option("--raw-dir", type=click.Path(path_type=Path), default=RAW_DIR,
              help=f"folder with the deliveries (default {RAW_DIR})")
@warehouse_option(f"DuckDB file to publish (default {WAREHOUSE_PATH})")
@seconds_option("wait this long for another refresh of the same warehouse to finish (default 0: refuse)")
@click.option("--full-rebuild", is_flag=True,
              help="rebuild even when every delivery and the code are unchanged since the last publish")
@expect_option()
@click.option("--task-runner", type=click.Choice(TASK_RUNNERS), default=DEFAULT, show_default=True,
              help="where the deliveries are read: default (threads of this process) or dask (the workers of a "
                   "Dask cluster; needs kanaalmonitor[dask]); validation, build and publish run here either way")
@click.option("--dask-address", metavar="tcp://HOST:PORT", default=None,
              help="the scheduler of an existing Dask cluster for --task-runner dask (default: a local cluster "
                   "with one worker process per core, for this run)")
def run(raw_dir: Path, warehouse: Path, wait: float, full_rebuild: bool, expect_edition: int | None,
        task_runner: str, dask_address: str | None) -> None:
    """load every delivery under the raw folder and publish the warehouse"""
    from kanaalmonitor.progress import TerminalProgress, listening

    if dask_address and task_runner != DASK:
        raise click.UsageError("--dask-address names the scheduler of --task-runner dask; give both, or neither.")
    if task_runner == DASK and not dask_installed():
        raise click.UsageError(DASK_MISSING)
    with _refusals(), TerminalProgress() as progress, listening(progress):
        result = _refresh(raw_dir, warehouse, full_rebuild, wait, expect_edition, task_runner, dask_address)
    click.echo(result.summary())
    for w in result.warning_lines():
        click.echo(f"warning: {w}")


def _refresh(raw_dir: Path, warehouse: Path, full_rebuild: bool, wait: float, expect_edition: int | None,
             task_runner: str, dask_address: str | None):
    """The refresh flow; without a Prefect server and with nothing changed, the answer without starting one.
    Without a server, on a temporary one that dies with this process (flows/server.py)."""
    from contextlib import nullcontext

    from kanaalmonitor.config import prefect_api_url

    server = prefect_api_url()
    if not full_rebuild and not server:
        from kanaalmonitor.refresh import unchanged_result

        known = unchanged_result(raw_dir, warehouse, expect_edition)
        if known is not None:
            return known
    from flows.console import console_without_tracebacks
    from flows.refresh import refresh
    from flows.server import temporary_server

    console_without_tracebacks()
    with nullcontext() if server else temporary_server():
        return refresh(raw_dir=raw_dir, warehouse=warehouse, full_rebuild=full_rebuild, wait_seconds=wait,
                       expect_edition=expect_edition, task_runner=task_runner, dask_address=dask_address)


@app.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, exists=True, file_okay=False),
                metavar="[DELIVERY_FOLDER]...")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=RAW_DIR,
              help=f"folder with the deliveries (default {RAW_DIR})")
@warehouse_option(f"published DuckDB file to check against (default {WAREHOUSE_PATH}); only read")
def check(folders: tuple[Path, ...], raw_dir: Path, warehouse: Path) -> None:
    """check the deliveries under the raw folder, plus any DELIVERY_FOLDER not yet in it, as a run would,
    changing nothing"""
    from kanaalmonitor.refresh import dry_run

    with _refusals():
        result = dry_run(raw_dir, warehouse, folders)
    if result.unchanged:
        held = plural(len(result.deliveries), "delivery", "deliveries")
        click.echo(f"Nothing new: {warehouse} already holds every delivery ({held}).")
        return
    editions = plural(len(result.new_editions), "new edition", "new editions")
    if result.new_editions:
        editions += ": " + ", ".join(f"{m} {e}" for m, e in result.new_editions)
    click.echo(f"Ready to load: {plural(len(result.deliveries), 'delivery', 'deliveries')} ({editions}), "
               f"{plural(result.cells, 'cell', 'cells')}, {plural(len(result.new_series), 'new series', 'new series')}, "
               f"{plural(result.revised, 'revised figure', 'revised figures')}. Nothing was changed; "
               "`kanaalmonitor run` loads them.")
    for w in result.warning_lines():
        click.echo(f"warning: {w}")


@app.command()
@click.argument("sql", required=False)
@click.option("-f", "--file", "sql_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
              metavar="FILE.sql", help="read the statement from this file ('-': standard input) instead of SQL")
@warehouse_option()
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="table (aligned, NULL for missing values, a line with the number of rows), csv (NULL as an "
                   "empty field) or json (an array of objects)")
@click.option("--csv", "as_csv", is_flag=True, help="the same as --format csv")
@click.option("--max-rows", type=click.IntRange(min=0), default=DEFAULT_MAX_ROWS, show_default=True, metavar="N",
              help="print at most N rows and say how many were left out; 0 prints all (csv and json only)")
@seconds_option(f"stop the query after this long (default {DEFAULT_TIMEOUT:g}; 0: no limit)", "--timeout",
                DEFAULT_TIMEOUT)
def query(sql: str | None, sql_file: Path | None, warehouse: Path, fmt: str, as_csv: bool, max_rows: int,
          timeout: float) -> None:
    """run one read-only SQL statement on the published warehouse, e.g. "select * from kerncijfers\""""
    from kanaalmonitor.query import QueryError, print_query

    if as_csv:
        if fmt not in ("table", "csv"):
            raise click.UsageError(f"--csv and --format {fmt} ask for two formats; give one.")
        fmt = "csv"
    if max_rows == 0 and fmt == "table":
        raise click.UsageError("--max-rows 0 prints every row only with --format csv or json; a table is aligned "
                               "in memory.")
    sql = _statement(sql, sql_file)
    try:
        _read(warehouse, lambda con: print_query(con, sql, sys.stdout, sys.stderr, fmt, max_rows, timeout))
        sys.stdout.flush()
    except QueryError as exc:
        raise Refused(str(exc), ExitCode.CANNOT_READ) from None
    except BrokenPipeError:  # the reader stopped reading (| head): the query has ended with the connection
        _closed_pipe()


def _statement(sql: str | None, sql_file: Path | None) -> str:
    """The statement given as the argument or in the file (-f), exactly one of them."""
    if (sql is None) == (sql_file is None):
        raise click.UsageError("Give the statement either as SQL or with -f FILE.sql, not both or neither.")
    if sql_file is None:
        return sql
    try:
        data = sys.stdin.buffer.read() if str(sql_file) == "-" else sql_file.read_bytes()
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{sql_file} is not UTF-8 text ({exc.reason} at byte {exc.start}).",
                                 param_hint="'-f' / '--file'") from None
    except OSError as exc:
        raise click.BadParameter(f"cannot read {sql_file}: {exc.strerror}.", param_hint="'-f' / '--file'") from None


@app.command()
@warehouse_option()
def tables(warehouse: Path) -> None:
    """list the public tables of the warehouse with their descriptions"""
    from kanaalmonitor.tables import tables_lines

    for line in _read(warehouse, tables_lines):
        click.echo(line)


@app.command()
@click.argument("table")
@warehouse_option()
def describe(table: str, warehouse: Path) -> None:
    """list the columns of one table (e.g. yoy_change; see `kanaalmonitor tables`) with types and descriptions"""
    from kanaalmonitor.tables import describe_lines

    for line in _read(warehouse, lambda con: describe_lines(con, table)):
        click.echo(line)


@app.command()
@click.argument("table")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="csv (comma-separated, '.' decimals), csv-nl (for Dutch Excel: ';'-separated, decimal comma, "
                   "UTF-8 with BOM), parquet (typed, with the column descriptions as metadata) or xlsx (Dutch "
                   "headers, names beside codes and number formats); figures are numbers in every format, the "
                   "printed tables' text as printed in its own columns")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="file to write (replaced whole if it exists)")
@warehouse_option()
def export(table: str, fmt: str, out: Path, warehouse: Path) -> None:
    """write one table (e.g. kerncijfers) to a CSV, Dutch CSV, Parquet or Excel file"""
    from kanaalmonitor.tables import export_table

    with _refusals():
        n = _read(warehouse, lambda con: export_table(con, table, fmt, out))
    click.echo(f"Wrote {plural(n, 'row')} of {table} to {out} ({fmt}).")


@app.command()
@click.option("--edition", type=int, default=None, metavar="N",
              help="edition (publication year) to report on (default: the latest in the warehouse)")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_REPORT_OUT, metavar="DIR",
              help=f"folder to write the report and charts into (default {DEFAULT_REPORT_OUT})")
@warehouse_option()
@click.option("--municipality", default=DEFAULT_MUNICIPALITY, metavar="CODE",
              help=f"CBS municipality code (default {DEFAULT_MUNICIPALITY})")
def report(edition: int | None, out: Path, warehouse: Path, municipality: str) -> None:
    """draft the monitor chapter (Dutch) of one edition: report.md, report.html and one PNG chart per channel"""
    import duckdb

    from kanaalmonitor.db import file_error
    from kanaalmonitor.errors import PublishedUnreadable
    from kanaalmonitor.paths import OutputRefused, is_duckdb_file
    from kanaalmonitor.report.chapter import ReportError, write_report

    try:
        result = write_report(warehouse, out, edition=edition, municipality=municipality)
    except OutputRefused as exc:
        raise Refused(str(exc), ExitCode.OUTPUT_REFUSED) from None
    except duckdb.Error as exc:
        if file_error(exc) or not Path(warehouse).exists() or not is_duckdb_file(Path(warehouse)):
            raise Refused(str(PublishedUnreadable(warehouse, exc)), ExitCode.CANNOT_READ) from None
        raise Refused(f"No report written: {exc}", ExitCode.CANNOT_READ) from None
    except (OSError, ReportError) as exc:
        raise Refused(f"No report written: {exc}", ExitCode.CANNOT_READ) from None
    click.echo(f"Report for edition {result.edition} of {result.municipality}: {result.markdown}, {result.html} "
               f"and {len(result.charts)} charts in {out}.")


@app.command()
@warehouse_option()
@expect_option()
def status(warehouse: Path, expect_edition: int | None) -> None:
    """editions per municipality with their files and load times, the last run and open warnings"""
    from kanaalmonitor.config import prefect_environment
    from kanaalmonitor.status import status_lines

    if not Path(warehouse).exists():
        raise Refused(f"No warehouse at {warehouse}: run `kanaalmonitor run` first.", ExitCode.CANNOT_READ)
    from kanaalmonitor.errors import PublishedUnreadable

    prefect_environment()
    try:
        lines = status_lines(warehouse, expect_edition=expect_edition)
    except PublishedUnreadable as exc:
        raise Refused(str(exc), ExitCode.CANNOT_READ) from None
    for line in lines:
        click.echo(line)


@app.command()
@click.option("--name", default=DEPLOYMENT_NAME,
              help=f"deployment name; trigger it as 'refresh/<name>' (default {DEPLOYMENT_NAME})")
@click.option("--cron", default=DEFAULT_CRON, callback=_cron,
              help=f"when the deliveries are due, as cron 'minute hour day month weekday' "
                   f"(default '{DEFAULT_CRON}': 1 June 06:00)")
@click.option("--timezone", default=DEFAULT_TIMEZONE, callback=_timezone,
              help=f"time zone of the cron schedule (default {DEFAULT_TIMEZONE})")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=RAW_DIR,
              help=f"default raw_dir of the deployment's runs (default {RAW_DIR})")
@warehouse_option(f"default warehouse of the deployment's runs (default {WAREHOUSE_PATH})")
@seconds_option("default wait_seconds: how long a run waits for another refresh (default 0: refuse)")
@click.option("--notify-url", default=None, metavar="URL",
              help="webhook that gets a Dutch message when a run fails, is refused, crashes or misses its edition")
def serve(name: str, cron: str, timezone: str, raw_dir: Path, warehouse: Path, wait: float,
          notify_url: str | None) -> None:
    """serve the refresh deployment with its yearly schedule (needs PREFECT_API_URL)"""
    _needs_server("serve")
    from flows.deploy import serve_refresh

    serve_refresh(name, cron, timezone, raw_dir, warehouse, wait, notify_url)


@app.command("work-pool")
@click.option("--name", default=WORK_POOL, help=f"work pool name (default {WORK_POOL})")
def work_pool(name: str) -> None:
    """create the process work pool prefect.yaml deploys to (no internet needed)"""
    import asyncio

    _needs_server("work-pool")
    from flows.deploy import create_work_pool

    created = asyncio.run(create_work_pool(name))
    click.echo(f"Work pool {name!r} {'created' if created else 'already exists'}; "
               f"start a worker with: prefect worker start --pool {name}")


def _closed_pipe() -> None:
    """Standard output was closed by its reader: send what is left to /dev/null, so exiting prints nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500] or "no message"


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code. Every refusal prints one message, without a traceback; an
    unexpected error prints one line naming the error log that holds its traceback."""
    state: dict = {}
    try:
        app.main(args=argv, prog_name="kanaalmonitor", standalone_mode=False, obj=state)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return ExitCode.UNEXPECTED
    except Refused as exc:
        exc.show()
        return exc.exit_code
    except click.ClickException as exc:  # usage errors: bad option, argument or value
        exc.show()
        return ExitCode.USAGE
    except BrokenPipeError:
        _closed_pipe()
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001  (every other error: one line; the traceback in the error log)
        from kanaalmonitor.paths import write_error_log

        where = write_error_log(state.get("warehouse", WAREHOUSE_PATH), traceback.format_exc())
        record = (f"Its traceback is in {where}" if where else "Its traceback follows (the error log beside the "
                  "warehouse cannot be written)")
        click.echo(f"Unexpected error ({type(exc).__name__}): {_one_line(exc)}. {record}.", err=True)
        if where is None:
            traceback.print_exc()
        return ExitCode.UNEXPECTED
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
