"""The published warehouse opens in the DuckDB clients analysts use: the command-line client of the oldest
release it promises (the `duckdb-cli` package's own binary, not the Python module) reads a table and its comments."""

from __future__ import annotations

import csv
import io
import subprocess
import tomllib
from importlib.metadata import distribution
from pathlib import Path

from kanaalmonitor.config import MODELS_FILE

MODELS = {m["name"]: m for m in tomllib.loads(MODELS_FILE.read_text(encoding="utf-8"))["model"]}


def duckdb_cli() -> Path:
    """The executable the duckdb-cli package installs."""
    dist = distribution("duckdb-cli")
    [binary] = [dist.locate_file(f) for f in dist.files or () if Path(f).name == "duckdb"]
    return Path(binary).resolve()


def cli_rows(warehouse: Path, sql: str) -> list[list[str]]:
    """The rows of one statement run by the command-line client on the warehouse, opened read-only."""
    done = subprocess.run([str(duckdb_cli()), "-readonly", "-csv", "-noheader", str(warehouse), "-c", sql],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return list(csv.reader(io.StringIO(done.stdout)))


def test_the_client_is_the_oldest_release_promised():
    done = subprocess.run([str(duckdb_cli()), "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.startswith("v1.4."), done.stdout


def test_the_duckdb_cli_reads_a_table_of_the_built_warehouse(built_2019):
    # raw/2019/kerncijfers.csv: aantal telefoontjes naar gemeente 400.354;337.029;334.911;314.803.
    assert cli_rows(built_2019, "select year, value from observations where series = 'phone_calls' "
                                "order by year") == [["2015", "400354.0"], ["2016", "337029.0"],
                                                     ["2017", "334911.0"], ["2018", "314803.0"]]


def test_the_duckdb_cli_reads_the_comments_of_tables_and_columns(built_2019):
    [[table_comment]] = cli_rows(built_2019, "select comment from duckdb_tables() where table_name = 'per_day'")
    assert table_comment == MODELS["per_day"]["comment"]
    assert cli_rows(built_2019, "select column_name, comment from duckdb_columns() where table_name = 'per_day' "
                                "and column_name in ('days', 'per_day') order by column_index") == [
        ["days", "Calendar days of the year (366 in a leap year)."], ["per_day", "value / days."]]
