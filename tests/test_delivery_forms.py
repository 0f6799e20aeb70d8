"""Every accepted form of a delivery gives the same observations as the 2019 table."""

from __future__ import annotations

import csv
import shutil

import openpyxl
import pandas as pd
import pytest

from flows.warehouse import connect
from tests.helpers import PROJECT_ROOT, RAW_2019, build_warehouse, make_raw, rows
from tests.test_load_2019 import expected_observations

VALID = PROJECT_ROOT / "tests" / "data" / "valid"
TIDY_MANIFEST = 'edition = 2019\n\n[[files]]\npath = "{name}"\nform = "tidy"\n'


def observations(warehouse) -> list[tuple]:
    con = connect(warehouse, read_only=True)
    return rows(con, "select municipality, series, year, value, status, method, edition from observations order by all")


def without_methods(obs: list[tuple]) -> list[tuple]:
    return sorted((m, s, y, v, st, "standaard", e) for m, s, y, v, st, _, e in obs)


@pytest.mark.parametrize("case", sorted(p.name for p in VALID.iterdir()))
def test_unusual_but_valid_printed_tables_load(case, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(VALID / case, raw / "2019")
    assert observations(build_warehouse(raw, tmp_path / "w.duckdb")) == expected_observations()


def test_the_same_tables_as_xlsx_load(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    for name in ("kerncijfers", "klanttevredenheid"):
        src = raw / "2019" / f"{name}.csv"
        wb = openpyxl.Workbook()
        ws = wb.active
        with src.open(encoding="utf-8", newline="") as fh:
            for line in csv.reader(fh, delimiter=";"):
                ws.append([_excel_value(c) for c in line])
        wb.save(raw / "2019" / f"{name}.xlsx")
        src.unlink()
    manifest = raw / "2019" / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(".csv", ".xlsx"), encoding="utf-8")
    assert observations(build_warehouse(raw, tmp_path / "w.duckdb")) == expected_observations()


def _excel_value(text: str):
    """What Excel holds for a cell typed as the monitor prints it: numbers as numbers."""
    if text.replace(".", "").isdigit() and text[:1] != "0":
        return int(text.replace(".", ""))
    if "," in text and text.replace(",", "").isdigit():
        return float(text.replace(",", "."))
    return text


def tidy_frame() -> pd.DataFrame:
    records = [(m, s, y, v) for m, s, y, v, *_ in expected_observations()]
    return pd.DataFrame(records, columns=["municipality", "series", "year", "value"])


def test_tidy_csv_plain_numbers(tmp_path):
    folder = tmp_path / "raw" / "2019-tidy"
    folder.mkdir(parents=True)
    tidy_frame().to_csv(folder / "cijfers.csv", index=False)
    (folder / "manifest.toml").write_text(TIDY_MANIFEST.format(name="cijfers.csv"), encoding="utf-8")
    assert observations(build_warehouse(tmp_path / "raw", tmp_path / "w.duckdb")) == without_methods(
        expected_observations())


def test_tidy_csv_dutch_numbers(tmp_path):
    folder = tmp_path / "raw" / "2019-tidy"
    folder.mkdir(parents=True)
    df = tidy_frame()
    df["value"] = [("-" if pd.isna(v) else f"{v:,.0f}".replace(",", ".") if v >= 100 else f"{v:g}".replace(".", ","))
                   for v in df["value"]]
    df.to_csv(folder / "cijfers.csv", index=False, sep=";")
    (folder / "manifest.toml").write_text(TIDY_MANIFEST.format(name="cijfers.csv"), encoding="utf-8")
    assert observations(build_warehouse(tmp_path / "raw", tmp_path / "w.duckdb")) == without_methods(
        expected_observations())


def test_tidy_parquet(tmp_path):
    folder = tmp_path / "raw" / "2019-tidy"
    folder.mkdir(parents=True)
    tidy_frame().to_parquet(folder / "cijfers.parquet", index=False)
    (folder / "manifest.toml").write_text(TIDY_MANIFEST.format(name="cijfers.parquet"), encoding="utf-8")
    assert observations(build_warehouse(tmp_path / "raw", tmp_path / "w.duckdb")) == without_methods(
        expected_observations())
