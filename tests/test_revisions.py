"""A fictitious 2018 edition on the old counter-visit method, loaded with the real 2019 edition."""

from __future__ import annotations

import pytest

from kanaalmonitor.db import connect
from tests.helpers import EDITIONS, RAW_2019, build_warehouse, make_raw, rows

NOTE = "Op een nieuwe manier gemeten, vervangt voorgaande metingen."


@pytest.fixture
def two_editions(tmp_path):
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    return connect(build_warehouse(raw, tmp_path / "w.duckdb"), read_only=True)


def test_current_counter_visits_are_only_the_restated_2019_values(two_editions):
    got = rows(two_editions, "select year, value, method, edition from observations "
                             "where series = 'counter_visits' order by year")
    assert got == [(2015, 257981, "afspraak-2019", 2019), (2016, 274268, "afspraak-2019", 2019),
                   (2017, 291215, "afspraak-2019", 2019), (2018, 294794, "afspraak-2019", 2019)]


def test_revisions_list_remeasured_withdrawn_and_restated(two_editions):
    got = rows(two_editions, """select series, year, old_edition, old_value, new_edition, new_value, change,
                                       round(change_pct, 4), kind, note
                                from revisions order by series, year""")
    assert got == [
        # 2014 was only printed on the old method; 2019 restates 2015-2018, so 2014 leaves the current view.
        ("counter_visits", 2014, 2018, 301112, 2019, None, None, None, "withdrawn", NOTE),
        # 257981 - 310450 = -52469; -52469 / 310450 = -16.9010 %
        ("counter_visits", 2015, 2018, 310450, 2019, 257981, -52469, -16.901, "remeasured", NOTE),
        # 274268 - 318002 = -43734; -43734 / 318002 = -13.7527 %
        ("counter_visits", 2016, 2018, 318002, 2019, 274268, -43734, -13.7527, "remeasured", NOTE),
        # 291215 - 322987 = -31772; -31772 / 322987 = -9.8369 %
        ("counter_visits", 2017, 2018, 322987, 2019, 291215, -31772, -9.8369, "remeasured", NOTE),
        # 233453 - 231000 = 2453; 2453 / 231000 = 1.0619 %; no note in the manifest: unexplained.
        ("web_requests", 2017, 2018, 231000, 2019, 233453, 2453, 1.0619, "restated", None),
    ]


def test_vintages_keep_the_old_values(two_editions):
    got = rows(two_editions, "select year, value, method from observation_vintages "
                             "where series = 'counter_visits' and edition = 2018 order by year")
    assert got == [(2014, 301112, "standaard"), (2015, 310450, "standaard"),
                   (2016, 318002, "standaard"), (2017, 322987, "standaard")]
    assert rows(two_editions, "select value from observation_vintages "
                              "where series = 'web_requests' and year = 2017 order by edition") == [(231000,), (233453,)]


def test_years_only_the_older_edition_has_stay_current(two_editions):
    got = rows(two_editions, "select series, value, edition from observations where year = 2014 order by series")
    assert got == [("kcc_emails", 35112, 2018), ("kcc_phone_reachability", 78, 2018), ("phone_calls", 421870, 2018),
                   ("phone_calls_14030", None, 2018), ("public_space_reports", None, 2018),
                   ("web_requests", 198420, 2018), ("whatsapp_messages", None, 2018)]


def test_a_break_keeps_earlier_values_and_marks_the_break_year(tmp_path):
    raw = make_raw(tmp_path, EDITIONS / "2019-break")
    con = connect(build_warehouse(raw, tmp_path / "w.duckdb"), read_only=True)
    got = rows(con, "select year, value, status, method from observations where series = 'counter_visits' order by year")
    assert got == [(2015, 257981, "A", "standaard"), (2016, 274268, "A", "standaard"),
                   (2017, 291215, "B", "afspraak-2019"), (2018, 294794, "A", "afspraak-2019")]


def test_restatement_note_from_the_manifest_explains_it(tmp_path):
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    manifest = raw / "2019" / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[revision_notes]]\nseries = "web_requests"\n'
                        'years = [2017]\nnote = "Nagekomen aanvragen meegeteld."\n', encoding="utf-8")
    con = connect(build_warehouse(raw, tmp_path / "w.duckdb"), read_only=True)
    assert rows(con, "select kind, note from revisions where series = 'web_requests'") == [
        ("restated", "Nagekomen aanvragen meegeteld.")]
