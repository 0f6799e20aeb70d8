"""The `kanaalmonitor` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows import deploy as cli_ops
from kanaalmonitor import cli_report
from kanaalmonitor import tables as cli_tables
from kanaalmonitor.config import RAW_DIR, WAREHOUSE_PATH, prefect_environment
from kanaalmonitor.db import read_only_connection

EXIT_REFUSED, EXIT_CHECKS, EXIT_BUSY, EXIT_QUERY = 1, 2, 3, 4
READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"}  # MULTI: PIVOT


def cmd_run(args: argparse.Namespace) -> int:
    prefect_environment()
    from kanaalmonitor.errors import DeliveryError
    from flows.refresh import refresh
    from kanaalmonitor.build.warehouse import CheckFailed, WarehouseBusy

    try:
        result = refresh(raw_dir=args.raw_dir, warehouse=args.warehouse, full_rebuild=args.full_rebuild,
                         wait_seconds=args.wait)
    except DeliveryError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_REFUSED
    except CheckFailed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CHECKS
    except WarehouseBusy as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BUSY
    if result.status == "unchanged":
        print(f"Unchanged: {result.warehouse} already holds these {len(result.deliveries)} deliveries; "
              "nothing was rebuilt (--full-rebuild rebuilds anyway).")
        return 0
    print(f"Published {result.warehouse}: {len(result.deliveries)} deliveries, {result.observations} cells.")
    for w in result.warnings:
        print(f"warning: {w}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    try:
        con = read_only_connection(args.warehouse)
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_QUERY
    try:
        kinds = [st.type.name for st in duckdb.extract_statements(args.sql)]
        if len(kinds) != 1 or kinds[0] not in READ_STATEMENTS:
            print(f"Query refused: kanaalmonitor query runs one statement that only reads "
                  f"({', '.join(sorted(READ_STATEMENTS))}); got {', '.join(kinds) or 'none'}. "
                  f"Nothing was changed.", file=sys.stderr)
            return EXIT_QUERY
        df = con.execute(args.sql).df()
    except duckdb.Error as exc:
        print(f"Query failed: {exc}", file=sys.stderr)
        return EXIT_QUERY
    finally:
        con.close()
    if args.csv:
        df.to_csv(sys.stdout, index=False)
    else:
        print(df.to_string(index=False, na_rep="NULL") if len(df.columns) else "")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kanaalmonitor", description="Customer-contact figures, every edition kept, "
                                "in a DuckDB warehouse.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="load every delivery under the raw folder and publish the warehouse")
    run.add_argument("--raw-dir", type=Path, default=RAW_DIR, help=f"folder with the deliveries (default {RAW_DIR})")
    run.add_argument("--warehouse", type=Path, default=WAREHOUSE_PATH,
                     help=f"DuckDB file to publish (default {WAREHOUSE_PATH})")
    run.add_argument("--wait", type=cli_ops.seconds, default=0.0, metavar="SECONDS",
                     help="wait this long for another refresh of the same warehouse to finish (default 0: refuse)")
    run.add_argument("--full-rebuild", action="store_true",
                     help="rebuild even when every delivery and the code are unchanged since the last publish")
    run.set_defaults(func=cmd_run)

    query = sub.add_parser("query", help="run one read-only SQL statement on the published warehouse")
    query.add_argument("sql", help="the SQL to run, e.g. \"select * from kerncijfers\"")
    query.add_argument("--warehouse", type=Path, default=WAREHOUSE_PATH,
                       help=f"DuckDB file to read (default {WAREHOUSE_PATH})")
    query.add_argument("--csv", action="store_true", help="print CSV instead of an aligned table")
    query.set_defaults(func=cmd_query)
    cli_tables.add_parsers(sub)
    cli_report.add_parsers(sub)
    cli_ops.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
