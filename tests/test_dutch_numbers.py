"""Numbers in Dutch print come from the macros of warehouse/macros.sql, the one place that formats them."""

from __future__ import annotations

import pytest

from kanaalmonitor.config import SQL_DIR
from kanaalmonitor.db import connect, create_macros


@pytest.fixture(scope="module")
def con():
    con = connect()
    create_macros(con)
    yield con
    con.close()


@pytest.mark.parametrize("figure, decimals, signed, text", [
    (314803.0, 0, False, "314.803"),
    (1234567.0, 0, False, "1.234.567"),
    (862.0, 0, False, "862"),
    (7.7, 1, False, "7,7"),
    (7.75, 1, False, "7,8"),
    (1234.5, 1, False, "1.234,5"),
    (-1234.5, 1, False, "-1.234,5"),
    (-36.4, 1, True, "-36,4"),
    (505.14, 1, True, "+505,1"),
    (1234.56, 1, True, "+1.234,6"),
    (-0.3, 1, True, "-0,3"),
    (0.1, 1, True, "+0,1"),
    (0.0, 1, True, "0,0"),
    (-0.0, 0, True, "0"),
    (-0.04, 1, True, "0,0"),
    (0.4, 0, True, "0"),
    (None, 0, False, "-"),
    (None, 1, True, "-"),
    (float("nan"), 0, False, "-"),
])
def test_dutch_decimal(con, figure, decimals, signed, text):
    got = con.execute("select dutch_decimal(cast($figure as double), $decimals, signed := $signed)",
                      {"figure": figure, "decimals": decimals, "signed": signed}).fetchone()[0]
    assert got == text


# dutch_number: a figure as the monitor's tables print it; dutch_rounded: as the chapter's running text does.
@pytest.mark.parametrize("macro, figure, unit, text", [
    ("dutch_number", 314803, "count", "314.803"),
    ("dutch_number", -11769, "count", "-11.769"),
    ("dutch_number", 7.8, "grade", "7,8"),
    ("dutch_number", 7.0, "grade", "7,0"),
    ("dutch_number", 62.5, "percent", "62,5"),
    ("dutch_number", 90, "percent", "90"),
    ("dutch_number", None, "count", "-"),
    ("dutch_number", None, "grade", "-"),
    ("dutch_number", 292, "duration", "4:52"),
    ("dutch_number", 59, "duration", "0:59"),
    ("dutch_number", 3599, "duration", "59:59"),
    ("dutch_number", 3600, "duration", "1:00:00"),
    ("dutch_number", 3910, "duration", "1:05:10"),
    ("dutch_number", None, "duration", "-"),
    ("dutch_rounded", 211105, "count", "211.105"),
    ("dutch_rounded", 578.4, "count", "578"),
    ("dutch_rounded", 7.75, "grade", "7,8"),
    ("dutch_rounded", 81.4, "percent", "81%"),
    ("dutch_rounded", 238, "duration", "3:58"),
    ("dutch_rounded", -2.6, "percent", "-3%"),
    ("dutch_rounded", None, "percent", "-"),
    ("dutch_rounded", None, "grade", "-"),
])
def test_a_figure_in_its_unit(con, macro, figure, unit, text):
    sql = {"dutch_number": "select dutch_number(cast($figure as double), $unit)",
           "dutch_rounded": "select dutch_rounded(cast($figure as double), $unit)"}[macro]
    assert con.execute(sql, {"figure": figure, "unit": unit}).fetchone()[0] == text


# dutch_rounded in the scale and decimals of the printed row: "(in miljoenen)" with one decimal reads "4,4 miljoen".
@pytest.mark.parametrize("figure, unit, scale, decimals, signed, text", [
    (4400000, "count", 1_000_000, 1, False, "4,4 miljoen"),
    (5_500_000, "count", 1_000_000, 1, False, "5,5 miljoen"),
    (100000, "count", 1_000_000, 1, True, "+0,1 miljoen"),
    (12500, "count", 1_000, 1, False, "12,5 duizend"),
    (296050, "count", 1, 0, False, "296.050"),
    (-660, "count", 1, 0, True, "-660"),
    (12000, "count", 1, 0, True, "+12.000"),
    (78.5, "percent", 1, 1, False, "78,5%"),
    (61, "percent", 1, 0, False, "61%"),
    (-12, "duration", 1, 0, True, "-0:12"),
    (54, "duration", 1, 0, True, "+0:54"),
    (None, "count", 1_000_000, 1, False, "-"),
])
def test_a_figure_in_the_scale_of_its_row(con, figure, unit, scale, decimals, signed, text):
    sql = ("select dutch_rounded(cast($figure as double), $unit, scale := $scale, decimals := $decimals, "
           "signed := $signed)")
    assert con.execute(sql, {"figure": figure, "unit": unit, "scale": scale, "decimals": decimals,
                             "signed": signed}).fetchone()[0] == text


# A revision: the absolute difference and its percentage, one decimal below 1 % in size; a percent in procentpunten.
@pytest.mark.parametrize("change, change_pct, unit, scale, decimals, text", [
    (-660, -660 / 300000 * 100, "count", 1, 0, "-660 (-0,2%)"),      # -0,22 %
    (645, 645 / 300000 * 100, "count", 1, 0, "+645 (+0,2%)"),        # +0,215 %
    (12000, 12.0, "count", 1, 0, "+12.000 (+12%)"),
    (3000, 3000 / 301262 * 100, "count", 1, 0, "+3.000 (+1%)"),     # 0,996 % rounds to 1,0: whole
    (309, 309 / 314803 * 100, "count", 1, 0, "+309 (+0,1%)"),       # 0,098 %
    (-52469, -52469 / 310450 * 100, "count", 1, 0, "-52.469 (-17%)"),
    (100000, 100000 / 3600000 * 100, "count", 1_000_000, 1, "+0,1 miljoen (+3%)"),  # 2,78 %
    (-2, -2 / 90 * 100, "percent", 1, 0, "-2 procentpunten"),
    (1, 1 / 87 * 100, "percent", 1, 0, "+1 procentpunt"),
    (0.5, 0.5 / 78 * 100, "percent", 1, 1, "+0,5 procentpunt"),
    (None, None, "count", 1, 0, "-"),
])
def test_a_revision_states_difference_and_percentage(con, change, change_pct, unit, scale, decimals, text):
    sql = ("select dutch_revision(cast($change as double), cast($pct as double), $unit, scale := $scale, "
           "decimals := $decimals)")
    assert con.execute(sql, {"change": change, "pct": change_pct, "unit": unit, "scale": scale,
                             "decimals": decimals}).fetchone()[0] == text


@pytest.mark.parametrize("change, decimals, text", [
    (5, 0, "5 procentpunten"), (-1, 0, "-1 procentpunt"), (4.0, 0, "4 procentpunten"), (2.5, 1, "2,5 procentpunten"),
])
def test_a_change_of_a_percent_is_in_procentpunten(con, change, decimals, text):
    assert con.execute("select dutch_points(cast($change as double), decimals := $decimals)",
                       {"change": change, "decimals": decimals}).fetchone()[0] == text


def test_an_integer_column_is_formatted_like_a_double(con):
    assert con.execute("select dutch_decimal(1849, 0), dutch_decimal(cast(164862 as bigint), 1)").fetchone() == \
        ("1.849", "164.862,0")


def test_chart_ticks_are_labelled_by_the_macro(con):
    sql = (SQL_DIR / "report" / "tick_labels.sql").read_text(encoding="utf-8")
    assert con.execute(sql, {"ticks": [0.0, 50000.0, 1250000.0]}).fetchone()[0] == ["0", "50.000", "1.250.000"]
