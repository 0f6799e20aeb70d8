"""Every accepted form of a delivery gives the same observations as the 2019 table."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kanaalmonitor.db import connect
from kanaalmonitor.errors import DeliveryError
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


def _printed_delivery(raw: Path, table: str, year: int, label: str, cell: str) -> None:
    folder = raw / "2019"
    folder.mkdir(parents=True)
    (folder / "tabel.csv").write_text(f"{table};{year}\n{label};{cell}\n", encoding="utf-8")
    (folder / "manifest.toml").write_text('edition = 2019\n\n[[files]]\npath = "tabel.csv"\n', encoding="utf-8")


def _tidy_delivery(raw: Path, series: str, year: int, cell: str) -> None:
    folder = raw / "2019"
    folder.mkdir(parents=True)
    (folder / "cijfers.csv").write_text(f"series;year;value\n{series};{year};{cell}\n", encoding="utf-8")
    (folder / "manifest.toml").write_text(TIDY_MANIFEST.format(name="cijfers.csv"), encoding="utf-8")


def _refusal(raw: Path, warehouse: Path) -> list[tuple]:
    with pytest.raises(DeliveryError) as err:
        build_warehouse(raw, warehouse)
    assert not warehouse.exists()
    return [(p.file, p.row, p.value, p.rule, p.action) for p in err.value.problems]


KERNCIJFERS, TEVREDENHEID = "Kerncijfers dienstverlening", "Klanttevredenheid per kanaal (rapportcijfer)"


@pytest.mark.parametrize("table, label, series, year, cell, rule", [
    (KERNCIJFERS, "WhatsApp-berichten", "whatsapp_messages", 2015, "-1.849", "a count cannot be negative [year 2015]"),
    (KERNCIJFERS, "WhatsApp-berichten", "whatsapp_messages", 2016, "1.84",
     "cannot be read as a number without guessing ('.' groups thousands, ',' marks decimals, '-' means not "
     "available) [year 2016]"),
    (KERNCIJFERS, "telefonische bereikbaarheid Klantcontactcentrum (%)", "kcc_phone_reachability", 2018, "109",
     "a percentage must lie between 0 and 100 [year 2018]"),
    (TEVREDENHEID, "telefoon", "satisfaction_phone", 2018, "7,75", "a report grade has at most one decimal [year 2018]"),
], ids=["negative-count", "unreadable-count", "percent-above-100", "grade-two-decimals"])
def test_a_printed_and_a_tidy_delivery_refuse_the_same_cell_by_the_same_rule(table, label, series, year, cell, rule,
                                                                             tmp_path):
    _printed_delivery(tmp_path / "printed" / "raw", table, year, label, cell)
    _tidy_delivery(tmp_path / "tidy" / "raw", series, year, cell)
    printed = _refusal(tmp_path / "printed" / "raw", tmp_path / "printed" / "w.duckdb")
    tidy = _refusal(tmp_path / "tidy" / "raw", tmp_path / "tidy" / "w.duckdb")
    assert [p[:4] for p in printed] == [("2019/tabel.csv", 2, cell, rule)]
    assert [p[:4] for p in tidy] == [("2019/cijfers.csv", 2, cell, rule)]
    assert printed[0][4] == tidy[0][4]


def test_a_changed_cell_in_a_published_tidy_file_is_refused(tmp_path):
    raw = tidy_delivery(tmp_path / "raw", "cijfers.csv", lambda df, path: dutch(df).to_csv(path, index=False, sep=";"))
    warehouse = build_warehouse(raw, tmp_path / "w.duckdb")
    published = observations(warehouse)
    path = raw / "2019-tidy" / "cijfers.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("GM0344;web_requests;2017;233.453\n") == 1  # raw/2019/kerncijfers.csv, row 2
    path.write_text(text.replace("GM0344;web_requests;2017;233.453\n", "GM0344;web_requests;2017;233.454\n"),
                    encoding="utf-8")
    with pytest.raises(DeliveryError) as err:
        build_warehouse(raw, warehouse)
    row = text.splitlines().index("GM0344;web_requests;2017;233.453") + 1
    assert [(p.file, p.row, p.label, p.value, p.rule) for p in err.value.problems] == [
        ("2019-tidy/cijfers.csv", row, "web_requests", "233.454",
         "edition 2019 was published with '233.453' for web_requests 2017; the delivery changes it")]
    assert observations(warehouse) == published
