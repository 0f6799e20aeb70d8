"""Durations: a contact centre's times printed m:ss or h:mm:ss load as seconds, are compared year on year
and are printed back as printed; another municipality's table sits beside Utrecht's in one warehouse.

The fixture tests/data/editions/kcc-gm0599 is a fictitious municipality's (GM0599) KPI table of 2022
and 2023; every expected figure below is typed from that table.
"""

from __future__ import annotations

import pytest

from kanaalmonitor.report.chapter import write_report
from tests.helpers import EDITIONS, RAW_2019, build_warehouse, make_raw, query

KCC = EDITIONS / "kcc-gm0599"
FILE = "kcc-gm0599/kcc-kerncijfers.csv"


@pytest.fixture(scope="module")
def kcc_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("kcc")
    return build_warehouse(make_raw(root, KCC, RAW_2019), root / "kanaalmonitor.duckdb")


def test_times_load_as_seconds_with_the_cell_as_printed(kcc_warehouse):
    assert query(kcc_warehouse, "select series, year, value, status, cell, file, edition from observation_vintages "
                                "where municipality = 'GM0599' order by series, year") == [
        ("kcc_email_handling_time", 2022, 3910.0, "A", "1:05:10", FILE, 2024),  # 1 h 5 min 10 s
        ("kcc_email_handling_time", 2023, 4323.0, "A", "1:12:03", FILE, 2024),  # 1 h 12 min 3 s
        ("kcc_incoming_calls", 2022, 412300.0, "A", "412.300", FILE, 2024),
        ("kcc_incoming_calls", 2023, 398750.0, "A", "398.750", FILE, 2024),
        ("kcc_phone_call_time", 2022, 307.0, "A", "5:07", FILE, 2024),
        ("kcc_phone_call_time", 2023, 331.0, "A", "5:31", FILE, 2024),
        ("kcc_phone_wait_time", 2022, 292.0, "A", "4:52", FILE, 2024),
        ("kcc_phone_wait_time", 2023, 238.0, "A", "3:58", FILE, 2024),
        ("kcc_service_level", 2022, 71.0, "A", "71", FILE, 2024),
        ("kcc_service_level", 2023, 78.5, "A", "78,5", FILE, 2024),
    ]


def test_observations_of_both_municipalities_side_by_side(kcc_warehouse):
    assert query(kcc_warehouse, "select series, year, value, status, method, edition from observations "
                                "where municipality = 'GM0599' order by series, year") == [
        ("kcc_email_handling_time", 2022, 3910.0, "A", "standaard", 2024),
        ("kcc_email_handling_time", 2023, 4323.0, "A", "standaard", 2024),
        ("kcc_incoming_calls", 2022, 412300.0, "A", "standaard", 2024),
        ("kcc_incoming_calls", 2023, 398750.0, "A", "standaard", 2024),
        ("kcc_phone_call_time", 2022, 307.0, "A", "standaard", 2024),
        ("kcc_phone_call_time", 2023, 331.0, "A", "standaard", 2024),
        ("kcc_phone_wait_time", 2022, 292.0, "A", "standaard", 2024),
        ("kcc_phone_wait_time", 2023, 238.0, "A", "standaard", 2024),
        ("kcc_service_level", 2022, 71.0, "A", "standaard", 2024),
        ("kcc_service_level", 2023, 78.5, "A", "standaard", 2024),
    ]
    assert query(kcc_warehouse, "select distinct municipality from observations order by 1") == [
        ("GM0344",), ("GM0599",)]
    assert query(kcc_warehouse, "select value from observations where municipality = 'GM0344' "
                                "and series = 'whatsapp_messages' and year = 2015") == [(1849.0,)]


def test_durations_are_compared_year_on_year_like_other_values(kcc_warehouse):
    got = query(kcc_warehouse, "select series, year, value, previous_value, change, change_pct, comparable, edition "
                               "from yoy_change where municipality = 'GM0599' order by series, year")
    expected = [
        ("kcc_email_handling_time", 2022, 3910.0, None, None, None, False, 2024),
        ("kcc_email_handling_time", 2023, 4323.0, 3910.0, 413.0, 10.5627, True, 2024),  # 413 / 3910
        ("kcc_incoming_calls", 2022, 412300.0, None, None, None, False, 2024),
        ("kcc_incoming_calls", 2023, 398750.0, 412300.0, -13550.0, -3.2864, True, 2024),  # -13550 / 412300
        ("kcc_phone_call_time", 2022, 307.0, None, None, None, False, 2024),
        ("kcc_phone_call_time", 2023, 331.0, 307.0, 24.0, 7.8176, True, 2024),  # 24 / 307
        ("kcc_phone_wait_time", 2022, 292.0, None, None, None, False, 2024),
        ("kcc_phone_wait_time", 2023, 238.0, 292.0, -54.0, -18.4932, True, 2024),  # 3:58 - 4:52 = -54 s
        ("kcc_service_level", 2022, 71.0, None, None, None, False, 2024),
        ("kcc_service_level", 2023, 78.5, 71.0, 7.5, 10.5634, True, 2024),  # 7,5 / 71
    ]
    assert [r[:5] + r[6:] for r in got] == [r[:5] + r[6:] for r in expected]
    for row, want in zip(got, expected):
        assert row[5] == (None if want[5] is None else pytest.approx(want[5], abs=1e-4)), row


def test_the_key_figures_table_prints_times_as_printed(kcc_warehouse):
    assert query(kcc_warehouse, "select series, label_nl, unit, \"2022\", \"2023\" from kerncijfers "
                                "where municipality = 'GM0599' order by series") == [
        ("kcc_email_handling_time", "gemiddelde afhandeltijd e-mail", "duration", "1:05:10", "1:12:03"),
        ("kcc_incoming_calls", "aantal inkomende gesprekken", "count", "412.300", "398.750"),
        ("kcc_phone_call_time", "gemiddelde gespreksduur telefoon", "duration", "5:07", "5:31"),
        ("kcc_phone_wait_time", "gemiddelde wachttijd telefoon", "duration", "4:52", "3:58"),
        ("kcc_service_level", "servicelevel telefoon (%)", "percent", "71", "78,5"),
    ]
    assert query(kcc_warehouse, "select series, \"2022\", \"2023\" from kerncijfers_by_edition "
                                "where municipality = 'GM0599' and edition = 2024 and unit = 'duration' "
                                "order by series") == [
        ("kcc_email_handling_time", "1:05:10", "1:12:03"),
        ("kcc_phone_call_time", "5:07", "5:31"),
        ("kcc_phone_wait_time", "4:52", "3:58"),
    ]


def test_only_counts_get_a_figure_per_day(kcc_warehouse):
    assert query(kcc_warehouse, "select series, year, days from per_day where municipality = 'GM0599' "
                                "order by series, year") == [("kcc_incoming_calls", 2022, 365),
                                                             ("kcc_incoming_calls", 2023, 365)]


def test_a_tidy_duration_is_written_as_printed(tmp_path):
    folder = tmp_path / "raw" / "kcc-tidy"
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text('edition = 2024\nmunicipality = "GM0599"\n\n[[files]]\n'
                                          'path = "kcc.csv"\nform = "tidy"\n', encoding="utf-8")
    (folder / "kcc.csv").write_text("series,year,value\nkcc_phone_wait_time,2022,4:52\n"
                                    "kcc_phone_wait_time,2023,0:03:58\n", encoding="utf-8")
    warehouse = build_warehouse(tmp_path / "raw", tmp_path / "w.duckdb")
    assert query(warehouse, "select year, value from observations order by year") == [(2022, 292.0), (2023, 238.0)]
    assert query(warehouse, "select \"2022\", \"2023\" from kerncijfers") == [("4:52", "3:58")]


def test_the_chapter_writes_times_as_printed(kcc_warehouse, tmp_path):
    text = write_report(kcc_warehouse, tmp_path / "out", municipality="GM0599").markdown.read_text(encoding="utf-8")
    assert "| gemiddelde wachttijd telefoon | 4:52 | 3:58 |" in text
    assert "De gemiddelde wachttijd telefoon was in 2023 3:58, tegen 4:52 in 2022." in text
    assert "De gemiddelde gespreksduur telefoon was in 2023 5:31, tegen 5:07 in 2022." in text
