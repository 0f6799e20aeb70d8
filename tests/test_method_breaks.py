"""Changes are never computed across two methods: the fictitious 2018 edition on the old
counter-visit method, loaded with the real 2019 edition (a restatement) or with the 2019 variant
that declares a break from 2017 (tests/data/editions/README.md)."""

from __future__ import annotations

import pytest
from pytest import approx

from tests.helpers import EDITIONS, RAW_2019, build_warehouse, make_raw, publish_frames, query, staging, warehouse_from

OLD = EDITIONS / "2018-old-method"
BREAK = EDITIONS / "2019-break"


def first(value):
    return (value, None, None, None, False)


def compared(value, previous):
    return (value, previous, value - previous, approx((value - previous) / previous * 100, rel=1e-12), True)


@pytest.fixture(scope="module")
def restated(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("restated"), RAW_2019, OLD)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("broken"), BREAK)


@pytest.fixture(scope="module")
def broken_with_old(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("broken_with_old"), BREAK, OLD)


def yoy(warehouse, table, series):
    return query(warehouse, f"select year, value, previous_value, change, change_pct, comparable, edition "
                               f"from {table} where series = ? order by edition, year", [series])


def test_restated_counter_visits_are_not_compared_with_the_old_method(restated):
    # 2019 restates every year; its first year 2015 has no 2014 on the new method. The 2018 edition
    # holds 2014 and 2015, but on the old method: no change for 2015.
    assert yoy(restated, "yoy_change", "counter_visits") == [
        (2015, *first(257981), 2019),
        (2016, *compared(274268, 257981), 2019),
        (2017, *compared(291215, 274268), 2019),
        (2018, *compared(294794, 291215), 2019),
    ]


def test_each_edition_compares_within_itself(restated):
    assert yoy(restated, "yoy_change_by_edition", "counter_visits") == [
        (2014, *first(301112), 2018),
        (2015, *compared(310450, 301112), 2018),
        (2016, *compared(318002, 310450), 2018),
        (2017, *compared(322987, 318002), 2018),
        (2015, *first(257981), 2019),
        (2016, *compared(274268, 257981), 2019),
        (2017, *compared(291215, 274268), 2019),
        (2018, *compared(294794, 291215), 2019),
    ]


def test_current_change_comes_from_the_latest_edition_holding_both_years(restated):
    assert yoy(restated, "yoy_change", "web_requests") == [
        (2014, *first(198420), 2018),
        # Only the 2018 edition holds 2014 and 2015.
        (2015, *compared(211105, 198420), 2018),
        (2016, *compared(223449, 211105), 2019),
        # 2019 restates 2017 (231.000 in 2018): the change is 2019's, both years from 2019.
        (2017, *compared(233453, 223449), 2019),
        (2018, *compared(260704, 233453), 2019),
    ]


def test_channel_mix_leaves_out_shares_of_a_year_without_every_channel(restated):
    # 2014: the counter visits of 2018 were withdrawn by the restatement, WhatsApp printed '-'; both were
    # delivered for 2014 (by the 2018 edition), so the year's shares cover them and are NULL.
    covered = "website, email, phone, counter, whatsapp"
    assert query(restated, "select * from channel_mix where year = 2014") == [
        ("GM0344", 2014, "website", 198420, None, covered),
        ("GM0344", 2014, "email", 35112, None, covered),
        ("GM0344", 2014, "phone", 421870, None, covered),
        ("GM0344", 2014, "counter", None, None, covered),
        ("GM0344", 2014, "whatsapp", None, None, covered),
    ]
    # As the 2018 edition published 2015, old-method counter visits included.
    total = 211105 + 32347 + 400354 + 310450 + 1849
    assert query(restated, "select channel, contacts, share_pct from channel_mix_by_edition "
                              "where edition = 2018 and year = 2015") == [
        ("website", 211105, approx(211105 / total * 100)),
        ("email", 32347, approx(32347 / total * 100)),
        ("phone", 400354, approx(400354 / total * 100)),
        ("counter", 310450, approx(310450 / total * 100)),
        ("whatsapp", 1849, approx(1849 / total * 100)),
    ]


def test_break_year_has_status_b_and_no_change(broken):
    assert query(broken, "select year, status, method from observations where series = 'counter_visits' "
                            "order by year") == [
        (2015, "A", "standaard"), (2016, "A", "standaard"), (2017, "B", "afspraak-2019"), (2018, "A", "afspraak-2019")]
    expected = [
        (2015, *first(257981), 2019),
        (2016, *compared(274268, 257981), 2019),
        # Break from 2017: 291.215 is not compared with 274.268 (old method).
        (2017, 291215, None, None, None, False, 2019),
        # 2018 against 2017, both on the new method.
        (2018, *compared(294794, 291215), 2019),
    ]
    assert yoy(broken, "yoy_change", "counter_visits") == expected
    assert yoy(broken, "yoy_change_by_edition", "counter_visits") == expected


def test_break_with_an_older_edition_on_the_old_method(broken_with_old):
    assert yoy(broken_with_old, "yoy_change", "counter_visits") == [
        (2014, *first(301112), 2018),
        # The current 2015 figure (257.981, 2019) is on the old method, as is the 2018 edition's pair
        # 2014-2015: that edition is the latest holding both years, so the change is the 2018 edition's.
        (2015, *compared(310450, 301112), 2018),
        (2016, *compared(274268, 257981), 2019),
        # The 2018 edition holds 2016 and 2017, but its 2017 is on the old method; 2019's 2017 is the break.
        (2017, 291215, None, None, None, False, 2019),
        (2018, *compared(294794, 291215), 2019),
    ]


def test_a_part_is_not_shared_out_of_a_replaced_parent(tmp_path):
    raw = make_raw(tmp_path, RAW_2019, OLD)
    manifest = raw / "2019" / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[method_changes]]\nseries = "phone_calls"\n'
                        'kind = "restate"\nmethod = "telefonie-2019"\nnote = "Alle telefoontjes opnieuw geteld."\n',
                        encoding="utf-8")
    w = publish_frames(staging(raw), tmp_path / "w.duckdb")
    # The current 14030 figure of 2014 ('-') is the 2018 edition's; that edition's 421.870 calls
    # were replaced by the 2019 restatement, so the share has no parent. 2016 stays within 2019:
    # 98185 / 337029 * 100.
    assert query(w, "select * from part_shares where year in (2014, 2016) order by series, year") == [
        ("GM0344", "phone_calls_14030", "phone_calls", 2014, None, None, None),
        ("GM0344", "phone_calls_14030", "phone_calls", 2016, 98185, 337029, approx(98185 / 337029 * 100)),
        ("GM0344", "public_space_reports", "web_requests", 2014, None, 198420, None),
        ("GM0344", "public_space_reports", "web_requests", 2016, None, 223449, None),
    ]
    assert query(w, "select year, value, previous_value, change, comparable, edition from yoy_change "
                       "where series = 'phone_calls' and year in (2015, 2016) order by year") == [
        (2015, 400354, None, None, False, 2019),
        (2016, 337029, 400354, 337029 - 400354, True, 2019),
    ]


def test_a_break_on_the_same_method_is_not_compared(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    tidy = raw / "2020"
    tidy.mkdir()
    (tidy / "manifest.toml").write_text('edition = 2020\nmunicipality = "GM0344"\n\n[[files]]\n'
                                        'path = "whatsapp.csv"\nform = "tidy"\n\n[[method_changes]]\n'
                                        'series = "whatsapp_messages"\nkind = "break"\nfrom_year = 2019\n'
                                        'method = "standaard"\n', encoding="utf-8")
    (tidy / "whatsapp.csv").write_text("series,year,value,status\nwhatsapp_messages,2018,11523,A\n"
                                       "whatsapp_messages,2019,15000,A\n", encoding="utf-8")
    w = build_warehouse(raw, tmp_path / "w.duckdb")
    # 2019 is a declared break (status B) that keeps the method's name: still not compared with 2018.
    # 2018 against 2017 comes from 2019, the latest edition holding both: 11523 - 11342.
    assert yoy(w, "yoy_change", "whatsapp_messages") == [
        (2015, *first(1849), 2019),
        (2016, *compared(11189, 1849), 2019),
        (2017, *compared(11342, 11189), 2019),
        (2018, *compared(11523, 11342), 2019),
        (2019, 15000, None, None, None, False, 2020),
    ]
    assert query(w, "select year, status, comparable from yoy_change_by_edition join observation_vintages "
                       "using (municipality, series, year, edition) where series = 'whatsapp_messages' "
                       "and edition = 2020 order by year") == [(2018, "A", False), (2019, "B", False)]
