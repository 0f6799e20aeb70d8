"""Every accepted form of a delivery gives the same observations as the 2019 table."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kanaalmonitor.db import connect
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


def tidy_delivery(raw: Path, name: str, write) -> Path:
    """A tidy 2019 delivery under raw: write(frame, path) writes the file `name`."""
    folder = raw / "2019-tidy"
    folder.mkdir(parents=True)
    write(tidy_frame(), folder / name)
    (folder / "manifest.toml").write_text(TIDY_MANIFEST.format(name=name), encoding="utf-8")
    return raw


def dutch(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with values written as the monitor prints them ('-', 211.105, 7,8)."""
    return frame.assign(value=[("-" if pd.isna(v) else f"{v:,.0f}".replace(",", ".") if v >= 100
                                else f"{v:g}".replace(".", ",")) for v in frame["value"]])


@pytest.mark.parametrize("name, write", [
    ("cijfers.csv", lambda df, path: df.to_csv(path, index=False)),
    ("cijfers.csv", lambda df, path: dutch(df).to_csv(path, index=False, sep=";")),
    ("cijfers.parquet", lambda df, path: df.to_parquet(path, index=False)),
], ids=["csv-plain-numbers", "csv-dutch-numbers", "parquet"])
def test_tidy_delivery_loads(name, write, tmp_path):
    raw = tidy_delivery(tmp_path / "raw", name, write)
    assert observations(build_warehouse(raw, tmp_path / "w.duckdb")) == without_methods(expected_observations())
