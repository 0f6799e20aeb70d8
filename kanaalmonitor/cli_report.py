"""`kanaalmonitor report`: draft the monitor chapter of one edition."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kanaalmonitor.config import DEFAULT_MUNICIPALITY, PROJECT_ROOT, WAREHOUSE_PATH

EXIT_REPORT = 4
DEFAULT_OUT = PROJECT_ROOT / "out" / "report"


def cmd_report(args: argparse.Namespace) -> int:
    import duckdb

    from kanaalmonitor.report.chapter import ReportError, write_report

    try:
        result = write_report(args.warehouse, args.out, edition=args.edition, municipality=args.municipality)
    except (OSError, ReportError, duckdb.Error) as exc:
        print(f"No report written: {exc}", file=sys.stderr)
        return EXIT_REPORT
    print(f"Report for edition {result.edition} of {result.municipality}: {result.markdown}, {result.html} "
          f"and {len(result.charts)} charts in {Path(args.out)}.")
    return 0


def add_parsers(sub) -> None:
    report = sub.add_parser("report", help="draft the monitor chapter (Dutch) of one edition: report.md, "
                            "report.html and one PNG chart per channel")
    report.add_argument("--edition", type=int, default=None, metavar="N",
                        help="edition (publication year) to report on (default: the latest in the warehouse)")
    report.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder to write the report and charts into (default {DEFAULT_OUT})")
    report.add_argument("--warehouse", type=Path, default=WAREHOUSE_PATH, metavar="PATH",
                        help=f"DuckDB file to read (default {WAREHOUSE_PATH})")
    report.add_argument("--municipality", default=DEFAULT_MUNICIPALITY, metavar="CODE",
                        help=f"CBS municipality code (default {DEFAULT_MUNICIPALITY})")
    report.set_defaults(func=cmd_report)
