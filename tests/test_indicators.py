"""The indicator tables of the 2019 edition, row for row, against figures worked out by hand from
shared/source/deliveries-2019 (kerncijfers.csv: 2015-2018; klanttevredenheid.csv: 2017-2018)."""

from __future__ import annotations

import pytest
from pytest import approx

from tests.helpers import RAW_2019, make_raw, publish_frames, query, staging, warehouse_from

GM = "GM0344"


@pytest.fixture(scope="module")
def w2019(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("w2019"), RAW_2019)


def first(value):
    """A first year in the edition: nothing to compare with."""
    return (value, None, None, None, False)


def compared(value, previous):
    """value against the year before: change and change in percent of the year before."""
    return (value, previous, value - previous, approx((value - previous) / previous * 100, rel=1e-12), True)


def missing_previous(value):
    """The year before is printed as '-': no change."""
    return (value, None, None, None, False)


YOY_2019 = [
    ("counter_visits", 2015, *first(257981)),
    ("counter_visits", 2016, *compared(274268, 257981)),
    ("counter_visits", 2017, *compared(291215, 274268)),
    ("counter_visits", 2018, *compared(294794, 291215)),
    ("kcc_emails", 2015, *first(32347)),
    ("kcc_emails", 2016, *compared(20578, 32347)),
    ("kcc_emails", 2017, *compared(19287, 20578)),
    ("kcc_emails", 2018, *compared(18671, 19287)),
    ("kcc_phone_reachability", 2015, *first(81)),
    ("kcc_phone_reachability", 2016, *compared(91, 81)),
    ("kcc_phone_reachability", 2017, *compared(90, 91)),
    ("kcc_phone_reachability", 2018, *compared(90, 90)),
    ("phone_calls", 2015, *first(400354)),
    ("phone_calls", 2016, *compared(337029, 400354)),
    ("phone_calls", 2017, *compared(334911, 337029)),
    ("phone_calls", 2018, *compared(314803, 334911)),
    ("phone_calls_14030", 2015, *first(None)),
    ("phone_calls_14030", 2016, *missing_previous(98185)),
    ("phone_calls_14030", 2017, *compared(164862, 98185)),
    ("phone_calls_14030", 2018, *compared(189857, 164862)),
    ("public_space_reports", 2015, *first(None)),
    ("public_space_reports", 2016, None, None, None, None, False),
    ("public_space_reports", 2017, *missing_previous(57844)),
    ("public_space_reports", 2018, *compared(78624, 57844)),
    ("satisfaction_counter", 2017, *first(7.8)),
    ("satisfaction_counter", 2018, *compared(7.8, 7.8)),
    ("satisfaction_email", 2017, *first(None)),
    ("satisfaction_email", 2018, *missing_previous(5.9)),
    ("satisfaction_phone", 2017, *first(8.0)),
    ("satisfaction_phone", 2018, 7.7, 8.0, approx(7.7 - 8.0), approx((7.7 - 8.0) / 8.0 * 100), True),
    ("satisfaction_website", 2017, *first(7.5)),
    ("satisfaction_website", 2018, 7.6, 7.5, approx(7.6 - 7.5), approx((7.6 - 7.5) / 7.5 * 100), True),
    ("web_requests", 2015, *first(211105)),
    ("web_requests", 2016, *compared(223449, 211105)),
    ("web_requests", 2017, *compared(233453, 223449)),
    ("web_requests", 2018, *compared(260704, 233453)),
    ("whatsapp_messages", 2015, *first(1849)),
    ("whatsapp_messages", 2016, *compared(11189, 1849)),
    ("whatsapp_messages", 2017, *compared(11342, 11189)),
    ("whatsapp_messages", 2018, *compared(11523, 11342)),
]

# Calendar days: 2016 is a leap year.
PER_DAY_2019 = [
    ("counter_visits", 2015, 257981, 365, approx(257981 / 365)),
    ("counter_visits", 2016, 274268, 366, approx(274268 / 366)),
    ("counter_visits", 2017, 291215, 365, approx(291215 / 365)),
    ("counter_visits", 2018, 294794, 365, approx(294794 / 365)),
    ("kcc_emails", 2015, 32347, 365, approx(32347 / 365)),
    ("kcc_emails", 2016, 20578, 366, approx(20578 / 366)),
    ("kcc_emails", 2017, 19287, 365, approx(19287 / 365)),
    ("kcc_emails", 2018, 18671, 365, approx(18671 / 365)),
    ("phone_calls", 2015, 400354, 365, approx(400354 / 365)),
    ("phone_calls", 2016, 337029, 366, approx(337029 / 366)),
    ("phone_calls", 2017, 334911, 365, approx(334911 / 365)),
    ("phone_calls", 2018, 314803, 365, approx(314803 / 365)),
    ("phone_calls_14030", 2015, None, 365, None),
    ("phone_calls_14030", 2016, 98185, 366, approx(98185 / 366)),
    ("phone_calls_14030", 2017, 164862, 365, approx(164862 / 365)),
    ("phone_calls_14030", 2018, 189857, 365, approx(189857 / 365)),
    ("public_space_reports", 2015, None, 365, None),
    ("public_space_reports", 2016, None, 366, None),
    ("public_space_reports", 2017, 57844, 365, approx(57844 / 365)),
    ("public_space_reports", 2018, 78624, 365, approx(78624 / 365)),
    ("web_requests", 2015, 211105, 365, approx(211105 / 365)),
    ("web_requests", 2016, 223449, 366, approx(223449 / 366)),
    ("web_requests", 2017, 233453, 365, approx(233453 / 365)),
    ("web_requests", 2018, 260704, 365, approx(260704 / 365)),
    ("whatsapp_messages", 2015, 1849, 365, approx(1849 / 365)),
    ("whatsapp_messages", 2016, 11189, 366, approx(11189 / 366)),
    ("whatsapp_messages", 2017, 11342, 365, approx(11342 / 365)),
    ("whatsapp_messages", 2018, 11523, 365, approx(11523 / 365)),
]

PART_SHARES_2019 = [
    ("phone_calls_14030", "phone_calls", 2015, None, 400354, None),
    ("phone_calls_14030", "phone_calls", 2016, 98185, 337029, approx(98185 / 337029 * 100)),
    ("phone_calls_14030", "phone_calls", 2017, 164862, 334911, approx(164862 / 334911 * 100)),
    ("phone_calls_14030", "phone_calls", 2018, 189857, 314803, approx(189857 / 314803 * 100)),
    ("public_space_reports", "web_requests", 2015, None, 211105, None),
    ("public_space_reports", "web_requests", 2016, None, 223449, None),
    ("public_space_reports", "web_requests", 2017, 57844, 233453, approx(57844 / 233453 * 100)),
    ("public_space_reports", "web_requests", 2018, 78624, 260704, approx(78624 / 260704 * 100)),
]

# All contacts of a year: web requests + e-mails + phone calls + counter visits + WhatsApp messages
# (the parts "waarvan" and the reachability percentage are no contacts of their own).
CONTACTS = {
    2015: {"website": 211105, "email": 32347, "phone": 400354, "counter": 257981, "whatsapp": 1849},
    2016: {"website": 223449, "email": 20578, "phone": 337029, "counter": 274268, "whatsapp": 11189},
    2017: {"website": 233453, "email": 19287, "phone": 334911, "counter": 291215, "whatsapp": 11342},
    2018: {"website": 260704, "email": 18671, "phone": 314803, "counter": 294794, "whatsapp": 11523},
}
TOTAL = {
    2015: 211105 + 32347 + 400354 + 257981 + 1849,  # 903.636
    2016: 223449 + 20578 + 337029 + 274268 + 11189,  # 866.513
    2017: 233453 + 19287 + 334911 + 291215 + 11342,  # 890.208
    2018: 260704 + 18671 + 314803 + 294794 + 11523,  # 900.495
}
# The 2019 edition delivers all five channels in every year (WhatsApp 2015: 1.849).
CHANNEL_MIX_2019 = [
    (year, channel, contacts, approx(contacts / TOTAL[year] * 100), "website, email, phone, counter, whatsapp")
    for year, per_channel in CONTACTS.items()
    for channel, contacts in per_channel.items()
]

# Rank 1 = highest grade of the year. 2017: telefoon 8,0 > balie 7,8 > website 7,5; e-mail '-'.
# 2018: balie 7,8 > telefoon 7,7 > website 7,6 > e-mail 5,9.
SATISFACTION_2019 = [
    ("counter", 2017, 7.8, None, None, 2),
    ("email", 2017, None, None, None, None),
    ("phone", 2017, 8.0, None, None, 1),
    ("website", 2017, 7.5, None, None, 3),
    ("counter", 2018, 7.8, 7.8, 0.0, 1),
    ("email", 2018, 5.9, None, None, 4),
    ("phone", 2018, 7.7, 8.0, approx(-0.3), 2),
    ("website", 2018, 7.6, 7.5, approx(0.1), 3),
]


def with_municipality(rows):
    return [(GM, *r) for r in rows]


def test_phone_calls_2018_against_2017(w2019):
    got = query(w2019, "select value, previous_value, change, round(change_pct, 4), comparable, edition "
                          "from yoy_change where series = 'phone_calls' and year = 2018")
    # (314803 - 334911) / 334911 * 100 = -20108 / 334911 * 100 = -6.0039...
    assert got == [(314803, 334911, -20108, -6.004, True, 2019)]


def test_yoy_change(w2019):
    got = query(w2019, "select * from yoy_change order by series, year")
    assert got == [(GM, s, y, *rest, 2019) for s, y, *rest in YOY_2019]


def test_yoy_change_by_edition(w2019):
    got = query(w2019, "select * from yoy_change_by_edition order by series, year, edition")
    assert got == [(GM, s, y, *rest, 2019) for s, y, *rest in YOY_2019]


def test_per_day(w2019):
    assert query(w2019, "select * from per_day order by series, year") == with_municipality(PER_DAY_2019)
    assert query(w2019, "select * from per_day_by_edition order by series, year") == [
        (*r, 2019) for r in with_municipality(PER_DAY_2019)]


def test_part_shares(w2019):
    assert query(w2019, "select * from part_shares order by series, year") == with_municipality(PART_SHARES_2019)
    assert query(w2019, "select * from part_shares_by_edition order by series, year") == [
        (*r, 2019) for r in with_municipality(PART_SHARES_2019)]


def test_channel_mix_in_catalogue_order(w2019):
    assert query(w2019, "select * from channel_mix") == with_municipality(CHANNEL_MIX_2019)
    assert query(w2019, "select * from channel_mix_by_edition") == [
        (*r, 2019) for r in with_municipality(CHANNEL_MIX_2019)]


def test_channel_mix_2018_in_words(w2019):
    # 314803 / 900495 = 34,96 % of all contacts were phone calls; 11523 / 900495 = 1,28 % WhatsApp.
    got = query(w2019, "select channel, round(share_pct, 2) from channel_mix where year = 2018 "
                          "and channel in ('phone', 'whatsapp') order by channel")
    assert got == [("phone", 34.96), ("whatsapp", 1.28)]


def test_satisfaction(w2019):
    assert query(w2019, "select * from satisfaction order by year, channel") == with_municipality(SATISFACTION_2019)
    assert query(w2019, "select * from satisfaction_by_edition order by year, channel") == [
        (*r, 2019) for r in with_municipality(SATISFACTION_2019)]


def test_equal_grades_share_a_rank(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    grades = raw / "2019" / "klanttevredenheid.csv"
    text = grades.read_text(encoding="utf-8")
    grades.write_text(text.replace("website;7,5;7,6", "website;7,5;7,8"), encoding="utf-8")
    w = publish_frames(staging(raw), tmp_path / "w.duckdb")
    # 2018: balie 7,8 = website 7,8 share rank 1; telefoon 7,7 is third; e-mail 5,9 fourth.
    got = query(w, "select channel, grade, previous_grade, change, rank from satisfaction "
                      "where year = 2018 order by rank, channel")
    assert got == [("counter", 7.8, 7.8, 0.0, 1), ("website", 7.8, 7.5, approx(0.3), 1),
                   ("phone", 7.7, 8.0, approx(-0.3), 3), ("email", 5.9, None, None, 4)]
