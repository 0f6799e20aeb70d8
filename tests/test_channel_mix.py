"""channel_mix when a channel stops: the 2019 edition prints WhatsApp, the fictitious 2020 edition
(tests/data/editions/2020-without-whatsapp) no longer does. Every figure below is typed from those two
key-figure tables."""

from __future__ import annotations

import pytest
from pytest import approx

from tests.helpers import EDITIONS, RAW_2019, query, warehouse_from

FOUR = "website, email, phone, counter"
FIVE = "website, email, phone, counter, whatsapp"


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("stopped"), RAW_2019, EDITIONS / "2020-without-whatsapp")


def shares(contacts: dict[str, int], covered: str) -> list[tuple]:
    total = sum(contacts.values())
    return sorted((channel, value, approx(value / total * 100), covered) for channel, value in contacts.items())


def mix(warehouse, year, edition=None) -> list[tuple]:
    """(channel, contacts, share_pct, channels_covered) of one year, current or inside one edition."""
    if edition is None:
        return query(warehouse, "select channel, contacts, share_pct, channels_covered from channel_mix "
                                "where year = ? order by channel", [year])
    return query(warehouse, "select channel, contacts, share_pct, channels_covered from channel_mix_by_edition "
                            "where year = ? and edition = ? order by channel", [year, edition])


def test_a_year_no_edition_delivers_whatsapp_for_has_shares_without_it(stopped):
    # 2019 only in the 2020 edition: 281.000 + 17.900 + 301.200 + 296.100 = 896.200 contacts.
    assert mix(stopped, 2019) == shares({"website": 281000, "email": 17900, "phone": 301200,
                                         "counter": 296100}, FOUR)
    assert mix(stopped, 2019, 2020) == mix(stopped, 2019)


def test_current_years_keep_whatsapp_where_an_edition_delivered_it(stopped):
    # 2018: the 2020 edition prints the 2019 edition's figures; WhatsApp 11.523 from the 2019 edition.
    assert mix(stopped, 2018) == shares({"website": 260704, "email": 18671, "phone": 314803,
                                         "counter": 294794, "whatsapp": 11523}, FIVE)


def test_each_edition_covers_the_channels_it_delivers(stopped):
    assert mix(stopped, 2018, 2020) == shares({"website": 260704, "email": 18671, "phone": 314803,
                                               "counter": 294794}, FOUR)
    assert mix(stopped, 2018, 2019) == shares({"website": 260704, "email": 18671, "phone": 314803,
                                               "counter": 294794, "whatsapp": 11523}, FIVE)
    # 2015 only in the 2019 edition, which prints WhatsApp 1.849.
    assert mix(stopped, 2015) == shares({"website": 211105, "email": 32347, "phone": 400354,
                                         "counter": 257981, "whatsapp": 1849}, FIVE)
