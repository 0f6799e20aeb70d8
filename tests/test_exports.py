"""`kanaalmonitor export` keeps numbers: every format, read back with a standard reader, gives the figures of
raw/2019 as numbers, the printed tables' text as printed in its own columns, and the Dutch CSV opens with ';' and
a decimal comma."""

from __future__ import annotations

import csv
import math

import openpyxl
import pandas as pd
import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.db import connect
from tests.test_load_2019 import GRADES_2019, KERNCIJFERS_2019

YEARS = ["2015", "2016", "2017", "2018"]
PRINTED = {
    "web_requests": ["211.105", "223.449", "233.453", "260.704"],
    "public_space_reports": ["-", "-", "57.844", "78.624"],
    "kcc_phone_reachability": ["81", "91", "90", "90"],
}
# Both printed tables of 2019 as kerncijfers holds them: kerncijfers.csv, then klanttevredenheid.csv (2017-2018).
TABLES_2019 = {**KERNCIJFERS_2019, **{series: [None, None, *grades] for series, grades in GRADES_2019.items()}}
# (channel, year) -> grade of klanttevredenheid.csv.
GRADES = {(series.removeprefix("satisfaction_"), year): grade for series, grades in GRADES_2019.items()
          for year, grade in zip((2017, 2018), grades)}


def export(built, table: str, fmt: str, out) -> None:
    assert main(["export", table, "--format", fmt, "--out", str(out), "--warehouse", str(built)]) == 0


def exported(built, folder, table: str, fmt: str):
    out = folder / f"{table}.{fmt}"
    export(built, table, fmt, out)
    return out


def figure(text: str, decimal: str = ".") -> float | None:
    """A figure of a CSV cell as a plain CSV reader gives it: a number, or None for an empty cell."""
    return float(text.replace(decimal, ".")) if text != "" else None


def nan_to_none(values) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def test_csv_of_kerncijfers_holds_numbers_and_the_printed_text(built_2019, tmp_path):
    out = tmp_path / "kerncijfers.csv"
    export(built_2019, "kerncijfers", "csv", out)
    with out.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert {r["series"]: [figure(r[y]) for y in YEARS] for r in records} == TABLES_2019
    printed = {r["series"]: [r[f"printed_{y}"] for y in YEARS] for r in records}
    assert {s: printed[s] for s in PRINTED} == PRINTED
    assert [r["series"] for r in records] == list(TABLES_2019)


def test_csv_of_kerncijfers_read_by_pandas_gives_numbers(built_2019, tmp_path):
    frame = pd.read_csv(exported(built_2019, tmp_path, "kerncijfers", "csv"))
    assert all(pd.api.types.is_numeric_dtype(frame[y]) for y in YEARS)
    assert {r["series"]: nan_to_none(r[y] for y in YEARS) for r in frame.to_dict("records")} == TABLES_2019


def test_csv_of_kerncijfers_by_edition_gives_that_editions_numbers(built_2019, tmp_path):
    frame = pd.read_csv(exported(built_2019, tmp_path, "kerncijfers_by_edition", "csv"))
    assert set(frame["edition"]) == {2019}
    assert {r["series"]: nan_to_none(r[y] for y in YEARS) for r in frame.to_dict("records")} == TABLES_2019


def test_dutch_csv_has_a_bom_semicolons_and_decimal_commas(built_2019, tmp_path):
    out = tmp_path / "tevredenheid.csv"
    export(built_2019, "satisfaction", "csv-nl", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfmunicipality;channel;year;grade;")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh, delimiter=";"))
    phone_2018 = next(r for r in records if r["channel"] == "phone" and r["year"] == "2018")
    # telefoon 8,0 in 2017 and 7,7 in 2018: a change of -0,3, second after balie 7,8.
    assert phone_2018 == {"municipality": "GM0344", "channel": "phone", "year": "2018", "grade": "7,7",
                          "previous_grade": "8", "change": "-0,3", "rank": "2"}
    assert {(r["channel"], int(r["year"])): figure(r["grade"], ",") for r in records} == GRADES


def test_dutch_csv_read_with_semicolon_and_decimal_comma_gives_numbers(built_2019, tmp_path):
    frame = pd.read_csv(exported(built_2019, tmp_path, "kerncijfers", "csv-nl"), sep=";", decimal=",",
                        encoding="utf-8-sig")
    assert list(frame.columns[:5]) == ["municipality", "table_title", "row_number", "series", "label_printed"]
    assert {r["series"]: nan_to_none(r[y] for y in YEARS) for r in frame.to_dict("records")} == TABLES_2019
    grades = pd.read_csv(exported(built_2019, tmp_path, "satisfaction", "csv-nl"), sep=";", decimal=",",
                         encoding="utf-8-sig")
    assert {(r["channel"], r["year"]): nan_to_none([r["grade"]])[0] for r in grades.to_dict("records")} == GRADES


def test_parquet_of_kerncijfers_holds_numbers(built_2019, tmp_path):
    frame = pd.read_parquet(exported(built_2019, tmp_path, "kerncijfers", "parquet"))
    assert {r["series"]: nan_to_none(r[y] for y in YEARS) for r in frame.to_dict("records")} == TABLES_2019
    assert list(frame[frame["series"] == "public_space_reports"][[f"printed_{y}" for y in YEARS]].iloc[0]) == \
        PRINTED["public_space_reports"]


def sheet(path) -> list[dict]:
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_xlsx_of_kerncijfers_holds_numbers_and_dutch_units(built_2019, tmp_path):
    records = sheet(exported(built_2019, tmp_path, "kerncijfers", "xlsx"))
    assert {r["reeks"]: [r[y] for y in YEARS] for r in records} == TABLES_2019
    assert {r["reeks"]: [r[f"{y} zoals gedrukt"] for y in YEARS] for r in records if r["reeks"] in PRINTED} == PRINTED
    assert {(r["eenheid (code)"], r["eenheid"]) for r in records} == {("count", "aantal"), ("percent", "procent"),
                                                                    ("grade", "rapportcijfer")}


def test_xlsx_gives_the_dutch_channel_name_beside_its_code(built_2019, tmp_path):
    records = sheet(exported(built_2019, tmp_path, "satisfaction", "xlsx"))
    assert {(r["kanaal (code)"], r["kanaal"]) for r in records} == {
        ("counter", "balie"), ("website", "website"), ("phone", "telefoon"), ("email", "e-mail")}
    assert {(r["kanaal (code)"], r["jaar"]): r["rapportcijfer"] for r in records} == GRADES


@pytest.mark.parametrize("fmt", ["csv", "csv-nl", "parquet", "xlsx"])
def test_a_table_without_printed_figures_keeps_its_columns(built_2019, tmp_path, fmt):
    out = exported(built_2019, tmp_path, "observations", fmt)
    if fmt == "xlsx":
        columns = list(next(openpyxl.load_workbook(out).active.iter_rows(values_only=True)))
        assert columns == ["gemeente", "reeks", "jaar", "waarde", "status", "methode", "editie"]
    else:
        frame = (pd.read_parquet(out) if fmt == "parquet" else
                 pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig") if fmt == "csv-nl" else pd.read_csv(out))
        assert list(frame.columns) == ["municipality", "series", "year", "value", "status", "method", "edition"]
        phone = frame[frame["series"] == "phone_calls"].sort_values("year")
        assert list(phone["value"]) == KERNCIJFERS_2019["phone_calls"]


def test_columns_a_printed_table_gains_are_exported_as_they_are(warehouse_2019, tmp_path):
    con = connect(warehouse_2019)
    try:
        con.execute("alter table kerncijfers add column source_note varchar default 'gemeente Utrecht'")
    finally:
        con.close()
    frame = pd.read_csv(exported(warehouse_2019, tmp_path, "kerncijfers", "csv"))
    assert set(frame["source_note"]) == {"gemeente Utrecht"}
    assert {r["series"]: nan_to_none(r[y] for y in YEARS) for r in frame.to_dict("records")} == TABLES_2019


def test_dutch_csv_gives_times_to_the_second_and_whole_numbers_plain(built_2019, tmp_path):
    out = exported(built_2019, tmp_path, "deliveries", "csv-nl")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        records = {r["file"]: r for r in csv.DictReader(fh, delimiter=";")}
    # raw/2019: kerncijfers.csv has 8 rows of 4 years, klanttevredenheid.csv 4 rows of 2; loaded at FIXED_NOW.
    assert {f: (r["rows"], r["edition"], r["loaded_at"]) for f, r in records.items()} == {
        "2019/kerncijfers.csv": ("32", "2019", "2026-06-01 06:00:00"),
        "2019/klanttevredenheid.csv": ("8", "2019", "2026-06-01 06:00:00")}
