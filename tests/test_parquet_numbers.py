"""Tidy Parquet values load as the decimals they stand for: a float32 88.3 is 88.3, not 88.300003; a double
with the noise of arithmetic or widened from a float32 is the decimal it was meant as; integers and
decimals are read as written. A float that stands for no figure of at most six decimals is refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.deliveries.parse import parse_delivery
from kanaalmonitor.deliveries.validate import validate_cells
from kanaalmonitor.errors import DeliveryError

CATALOGUE = Catalogue.load()


def load(tmp_path: Path, series: list[str], values: pa.Array) -> list[tuple]:
    """(series, year, cell, value, status) of a tidy Parquet delivery after validation."""
    folder = tmp_path / "raw" / "tidy"
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text('edition = 2019\n\n[[files]]\npath = "t.parquet"\nform = "tidy"\n',
                                          encoding="utf-8")
    years = [2018 - i for i in range(len(series))]
    pq.write_table(pa.table({"series": series, "year": years, "value": values}), folder / "t.parquet")
    work = tmp_path / "work"
    work.mkdir()
    parsed = [parse_delivery(d, CATALOGUE, work) for d in discover(tmp_path / "raw")]
    cells = validate_cells(parsed, CATALOGUE, work / "cells.duckdb")
    con = connect(cells.database, read_only=True)
    try:
        return con.execute("select series, year, cell, value, status from cells order by row").fetchall()
    finally:
        con.close()


def test_float32_values_load_as_the_decimals_written(tmp_path):
    got = load(tmp_path, ["kcc_phone_reachability", "satisfaction_phone", "web_requests", "phone_calls"],
               pa.array([88.3, 7.8, 260704.0, None], type=pa.float32()))
    assert got == [("kcc_phone_reachability", 2018, "88.3", 88.3, "A"),
                   ("satisfaction_phone", 2017, "7.8", 7.8, "A"),
                   ("web_requests", 2016, "260704", 260704.0, "A"),
                   ("phone_calls", 2015, "", None, "O")]


def test_doubles_with_float_noise_load_as_the_decimals_meant(tmp_path):
    widened = float(pa.array([88.3], type=pa.float32()).cast(pa.float64())[0].as_py())  # 88.30000305175781
    assert widened != 88.3
    got = load(tmp_path, ["kcc_phone_reachability"] * 4 + ["web_requests"],
               pa.array([widened, 0.1 + 0.2, 90.5, 81.0, 233453.00000000003], type=pa.float64()))
    assert got == [("kcc_phone_reachability", 2018, "88.3", 88.3, "A"),
                   ("kcc_phone_reachability", 2017, "0.3", 0.3, "A"),
                   ("kcc_phone_reachability", 2016, "90.5", 90.5, "A"),
                   ("kcc_phone_reachability", 2015, "81", 81.0, "A"),
                   ("web_requests", 2014, "233453", 233453.0, "A")]


def test_a_double_with_real_decimals_keeps_them_and_meets_the_units_rules(tmp_path):
    with pytest.raises(DeliveryError) as err:
        load(tmp_path, ["satisfaction_phone", "web_requests"], pa.array([7.25, 1234567.125], type=pa.float64()))
    assert [(p.row, p.value, p.rule) for p in err.value.problems] == [
        (1, "7.25", "a report grade has at most one decimal [year 2018]"),
        (2, "1234567.125", "a count must be a whole number [year 2017]")]


def test_integers_and_decimals_load_as_written(tmp_path):
    got = load(tmp_path, ["satisfaction_phone", "kcc_phone_reachability"],
               pa.array([Decimal("7.80"), Decimal("90.50")], type=pa.decimal128(6, 2)))
    assert got == [("satisfaction_phone", 2018, "7.8", 7.8, "A"), ("kcc_phone_reachability", 2017, "90.5", 90.5, "A")]
    big = load(tmp_path / "big", ["web_requests"], pa.array([999_999_999_999_999], type=pa.int64()))
    assert big == [("web_requests", 2018, "999999999999999", 999_999_999_999_999.0, "A")]


def test_a_float_that_stands_for_no_figure_is_refused_naming_the_row(tmp_path):
    with pytest.raises(DeliveryError) as err:
        load(tmp_path, ["kcc_phone_reachability", "kcc_phone_reachability", "phone_calls"],
             pa.array([90.0, 1e-7, 16777220.0], type=pa.float32()))
    assert [(p.file, p.row, p.label, p.rule.split(" (")[0]) for p in err.value.problems] == [
        ("tidy/t.parquet", 2, "kcc_phone_reachability", "value is not a decimal figure of at most 6 decimals"),
        ("tidy/t.parquet", 3, "phone_calls", "a float32")]


def test_a_double_reads_with_the_fewest_decimals_it_stands_for_from_none_to_six():
    from schemas import numbers

    con = numbers.install(connect())
    try:
        got = con.execute("select float_figure(v, false) from unnest(?) as t(v)",
                          [[5.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.1 + 0.7, 1 / 3, 0.0078125]]).fetchall()
    finally:
        con.close()
    # 0.1 + 0.7 is 0.7999999999999999: the noise of arithmetic, one decimal; 1/3 and 1/128 need more than six.
    assert [r[0] for r in got] == ["5", "0.5", "0.25", "0.125", "0.0625", "0.03125", "0.015625", "0.8", None, None]
