"""Whether two warehouses hold the same public tables: columns, types, comments and every row.

    python bench/same.py REFERENCE BUILT

The rows of build_info whose kind is 'code' (the hashes of the code files) are left out: they differ by
design when the code changed. Exits 1 and prints every difference found, else prints what was compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

COLUMNS = ("select table_name, column_index, column_name, data_type, comment from duckdb_columns() "
           "where database_name = ? and schema_name = 'main' order by all")
SKIPPED = {"build_info": "where kind != 'code'"}


def differences(reference: Path, built: Path) -> tuple[list[str], int, int]:
    """Every difference between the public tables of the two files, the tables and the rows compared."""
    con = duckdb.connect()
    con.execute("attach ? as ref (read_only)", [str(reference)])
    con.execute("attach ? as new (read_only)", [str(built)])
    found, rows = [], 0
    tables = {db: dict(con.execute(f"select table_name, comment from duckdb_tables() where database_name = '{db}' "
                                   "and schema_name = 'main'").fetchall()) for db in ("ref", "new")}
    for name in sorted(tables["ref"].keys() ^ tables["new"].keys()):
        found.append(f"table {name} only in {'the reference' if name in tables['ref'] else 'the build'}")
    columns = {db: con.execute(COLUMNS, [db]).fetchall() for db in ("ref", "new")}
    for name in sorted(tables["ref"].keys() & tables["new"].keys()):
        if tables["ref"][name] != tables["new"][name]:
            found.append(f"{name}: comment {tables['ref'][name]!r} vs {tables['new'][name]!r}")
        ref_cols = [c[1:] for c in columns["ref"] if c[0] == name]
        new_cols = [c[1:] for c in columns["new"] if c[0] == name]
        if ref_cols != new_cols:
            found.append(f"{name}: columns {ref_cols} vs {new_cols}")
            continue
        where = SKIPPED.get(name, "")
        n_ref = con.execute(f"select count(*) from ref.{name} {where}").fetchone()[0]
        n_new = con.execute(f"select count(*) from new.{name} {where}").fetchone()[0]
        missing = con.execute(f"select count(*) from (from ref.{name} {where} except all from new.{name} {where})"
                              ).fetchone()[0]
        extra = con.execute(f"select count(*) from (from new.{name} {where} except all from ref.{name} {where})"
                            ).fetchone()[0]
        if n_ref != n_new or missing or extra:
            found.append(f"{name}: {n_ref} rows vs {n_new}; {missing} rows of the reference not in the build, "
                         f"{extra} rows of the build not in the reference")
        rows += n_ref
    con.close()
    return found, len(tables["ref"]), rows


def main(reference: Path, built: Path) -> None:
    found, tables, rows = differences(reference, built)
    for line in found:
        print(f"  differs: {line}")
    if found:
        raise SystemExit(f"{built} is not the same warehouse as {reference}: {len(found)} difference(s)")
    print(f"same warehouse: {tables} public tables, {rows:,} rows, columns, types and comments equal "
          f"(build_info's code hashes left out)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
