"""Later editions as printed (tests/data/editions, see its README): an edition split into two titled
Windows-1252 tables with renamed rows and a marker inside a label, an edition that prints only one of those
tables with website visits in millions and a new channel (social media), WhatsApp and the grades no longer
printed, and a figure revised without a note.

Every expected row is typed from the printed tables: raw/2019 (= /work/shared/source/deliveries-2019),
2020-split-windows-1252 and 2021-social-media-millions.
"""

from __future__ import annotations

import shutil

import pytest

from kanaalmonitor.errors import DeliveryError
from kanaalmonitor.report.chapter import write_report
from tests.helpers import EDITIONS, RAW_2019, build_warehouse, make_raw, query, warehouse_from
from tests.test_warehouse_models import public_tables

E2020 = EDITIONS / "2020-split-windows-1252"
E2021 = EDITIONS / "2021-social-media-millions"
BALIE, ONLINE = "Baliebezoek & telefonie", "Online dienstverlening"
KERN, TEVREDEN = "Kerncijfers dienstverlening", "Klanttevredenheid per kanaal (rapportcijfer)"
COUNTER = "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern"
COUNTER_2020 = "aantal baliebezoeken* met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern"
EMAIL_2020 = "aantal e-mail naar Klantcontactcentrum (inclusief e-formulieren)"


@pytest.fixture(scope="module")
def w2020(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("later2020"), RAW_2019, E2020)


@pytest.fixture(scope="module")
def w2021(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("later2021"), RAW_2019, E2020, E2021)


def current(figures: dict[str, dict[int, tuple[float | None, int]]]) -> list[tuple]:
    """observations rows (series, year, value, status, method, edition) from {series: {year: (value, edition)}}."""
    return sorted((s, y, v, "O" if v is None else "A", "afspraak-2019" if s == "counter_visits" else "standaard", e)
                  for s, years in figures.items() for y, (v, e) in years.items())


# Current figures of 2019 + 2020: the years 2017-2019 from the 2020 edition, 2015-2016 and the grades from 2019.
CURRENT_2020 = {
    "web_requests": {2015: (211105, 2019), 2016: (223449, 2019), 2017: (233453, 2020), 2018: (260704, 2020),
                     2019: (274518, 2020)},
    "public_space_reports": {2015: (None, 2019), 2016: (None, 2019), 2017: (57844, 2020), 2018: (78624, 2020),
                             2019: (83907, 2020)},
    "kcc_emails": {2015: (32347, 2019), 2016: (20578, 2019), 2017: (19287, 2020), 2018: (18671, 2020),
                   2019: (17950, 2020)},
    "phone_calls": {2015: (400354, 2019), 2016: (337029, 2019), 2017: (334911, 2020), 2018: (315112, 2020),
                    2019: (298116, 2020)},
    "phone_calls_14030": {2015: (None, 2019), 2016: (98185, 2019), 2017: (164862, 2020), 2018: (189857, 2020),
                          2019: (201334, 2020)},
    "kcc_phone_reachability": {2015: (81, 2019), 2016: (91, 2019), 2017: (90, 2020), 2018: (90, 2020),
                               2019: (87, 2020)},
    "counter_visits": {2015: (257981, 2019), 2016: (274268, 2019), 2017: (291215, 2020), 2018: (294794, 2020),
                       2019: (301420, 2020)},
    "whatsapp_messages": {2015: (1849, 2019), 2016: (11189, 2019), 2017: (11342, 2020), 2018: (11523, 2020),
                          2019: (12804, 2020)},
    "satisfaction_counter": {2017: (7.8, 2019), 2018: (7.8, 2019)},
    "satisfaction_website": {2017: (7.5, 2019), 2018: (7.6, 2019)},
    "satisfaction_phone": {2017: (8.0, 2019), 2018: (7.7, 2019)},
    "satisfaction_email": {2017: (None, 2019), 2018: (5.9, 2019)},
}

# 2021 prints only "Online dienstverlening", for 2018-2020; WhatsApp is no longer printed.
CURRENT_2021 = {
    **CURRENT_2020,
    "web_requests": {**CURRENT_2020["web_requests"], 2018: (260704, 2021), 2019: (274518, 2021),
                     2020: (301262, 2021)},
    "public_space_reports": {**CURRENT_2020["public_space_reports"], 2018: (78624, 2021), 2019: (83907, 2021),
                             2020: (95318, 2021)},
    "kcc_emails": {**CURRENT_2020["kcc_emails"], 2018: (18671, 2021), 2019: (17950, 2021), 2020: (16402, 2021)},
    # "(in miljoenen)": 3,4 is 3.400.000
    "website_visits": {2018: (3400000, 2021), 2019: (3600000, 2021), 2020: (4100000, 2021)},
    "social_posts": {2018: (None, 2021), 2019: (1204, 2021), 2020: (1388, 2021)},
    "social_followers": {2018: (None, 2021), 2019: (38510, 2021), 2020: (46275, 2021)},
}

OBSERVATIONS = "select series, year, value, status, method, edition from observations order by series, year"


def printed_rows(path, encoding: str = "utf-8") -> tuple[str, list[str], list[tuple[str, list[str]]]]:
    """Title, years and (label, cells) of a printed table file, read as plain text."""
    lines = [line.split(";") for line in path.read_text(encoding=encoding).splitlines()]
    blank = next(i for i, cells in enumerate(lines) if not any(cells))
    return lines[0][0], lines[0][1:], [(cells[0], cells[1:]) for cells in lines[1:blank]]


def edition_tables(warehouse, edition: int, years: list[str]) -> list[tuple[str, list[str], list]]:
    """kerncijfers_by_edition of one edition as (title, years, (label, cells)) per table, in printed order."""
    columns = ", ".join(f'"{y}"' for y in years)
    rows = query(warehouse, f"select table_title, row_number, label_printed, {columns} from kerncijfers_by_edition "
                            "where edition = ? order by position", [edition])
    tables: list[tuple[str, list[str], list]] = []
    for title, number, label, *cells in rows:
        if not tables or tables[-1][0] != title:
            tables.append((title, years, []))
        assert number == len(tables[-1][2]) + 1
        tables[-1][2].append((label, list(cells)))
    return tables


# --- 2020: two titled tables in Windows-1252, renamed rows, a marker inside a label ----------------------

def test_2020_observations_take_every_renamed_row(w2020):
    assert query(w2020, OBSERVATIONS) == current(CURRENT_2020)


def test_2020_revises_phone_calls_of_2018_without_a_note(w2020):
    # 315.112 - 314.803 = 309; 309 / 314.803 = 0,0982 %
    got = query(w2020, "select series, year, old_edition, old_value, new_edition, new_value, change, kind, note "
                       "from revisions")
    assert got == [("phone_calls", 2018, 2019, 314803, 2020, 315112, 309, "restated", None)]
    [(change_pct,)] = query(w2020, "select change_pct from revisions")
    assert change_pct == pytest.approx(0.0982, abs=1e-4)


def test_2020_kerncijfers_by_edition_is_the_two_printed_tables(w2020):
    balie = printed_rows(E2020 / "baliebezoek-telefonie.csv", "cp1252")
    online = printed_rows(E2020 / "online.csv", "cp1252")
    assert balie[0] == BALIE and online[0] == ONLINE  # the files as the manifest lists them
    assert edition_tables(w2020, 2020, ["2017", "2018", "2019"]) == [balie, online]
    # typed from the file, as a check on the reading above
    assert edition_tables(w2020, 2020, ["2019"])[0][2][0] == (COUNTER_2020, ["301.420"])
    assert edition_tables(w2020, 2020, ["2019"])[0][2][3] == ("% telefonische bereikbaarheid Klantcontactcentrum",
                                                             ["87"])


def test_2019_tables_stay_as_2019_printed_them(w2020):
    assert edition_tables(w2020, 2019, ["2015", "2016", "2017", "2018"]) == [
        printed_rows(RAW_2019 / "kerncijfers.csv"),
        (TEVREDEN, ["2015", "2016", "2017", "2018"],
         [("balie", [None, None, "7,8", "7,8"]), ("website", [None, None, "7,5", "7,6"]),
          ("telefoon", [None, None, "8,0", "7,7"]), ("e-mail", [None, None, "-", "5,9"])]),
    ]


def test_2020_notes_belong_to_their_table(w2020):
    got = query(w2020, "select file, table_title, row, marker, text from notes where edition = 2020 "
                       "order by file, row")
    assert got == [
        ("2020-split-windows-1252/baliebezoek-telefonie.csv", BALIE, 7, "*",
         "Alleen bezoeken met een afspraak aan de balie, inloop zonder afspraak telt niet mee."),
        ("2020-split-windows-1252/baliebezoek-telefonie.csv", BALIE, 8, None,
         "Bron: gemeente Utrecht \u2013 Klantcontactcentrum"),
        ("2020-split-windows-1252/online.csv", ONLINE, 7, None,
         "Bron: gemeente Utrecht, Klantcontactcentrum (ge\u00ebxporteerd uit de registratie)"),
    ]


def test_2020_chapter_shows_each_table_with_its_title_and_notes(w2020, tmp_path):
    text = write_report(w2020, tmp_path / "out", edition=2020).markdown.read_text(encoding="utf-8")
    assert (
        "| Baliebezoek & telefonie | 2017 | 2018 | 2019 |\n"
        "|---|---:|---:|---:|\n"
        "| aantal baliebezoeken\\* met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern "
        "| 291.215 | 294.794 | 301.420 |\n"
        "| aantal telefoontjes naar gemeente | 334.911 | 315.112 | 298.116 |\n"
        "| aantal telefoontjes via 14030 | 164.862 | 189.857 | 201.334 |\n"
        "| % telefonische bereikbaarheid Klantcontactcentrum | 90 | 90 | 87 |\n"
        "\n"
        "\\* Alleen bezoeken met een afspraak aan de balie, inloop zonder afspraak telt niet mee.\n"
        "\n"
        "Bron: gemeente Utrecht \u2013 Klantcontactcentrum\n"
        "\n"
        "| Online dienstverlening | 2017 | 2018 | 2019 |\n"
    ) in text
    assert "Deze editie bevat geen rapportcijfers." in text


# --- 2021: one table, millions, social media, WhatsApp gone -------------------------------------------

def test_2021_observations_keep_whatsapp_and_add_social_media(w2021):
    assert query(w2021, OBSERVATIONS) == current(CURRENT_2021)


def test_2021_revises_nothing_more(w2021):
    assert query(w2021, "select series, year, old_edition, new_edition, kind from revisions") == [
        ("phone_calls", 2018, 2019, 2020, "restated")]


def test_2021_kerncijfers_by_edition_is_the_printed_table(w2021):
    assert edition_tables(w2021, 2021, ["2018", "2019", "2020"]) == [printed_rows(E2021 / "online.csv")]
    assert edition_tables(w2021, 2021, ["2019"])[0][2][0] == ("websitebezoek Utrecht.nl (in miljoenen)", ["3,6"])


def test_2021_kerncijfers_current_follows_the_latest_table_of_each_series(w2021):
    years = ["2015", "2016", "2017", "2018", "2019", "2020"]
    got = query(w2021, "select table_edition, table_title, row_number, series, label_printed, "
                       + ", ".join(f'"{y}"' for y in years) + " from kerncijfers order by position")
    assert got == [
        (2021, ONLINE, 1, "website_visits", "websitebezoek Utrecht.nl (in miljoenen)",
         None, None, None, "3,4", "3,6", "4,1"),
        (2021, ONLINE, 2, "web_requests", "aantal digitale aanvragen via website Utrecht.nl",
         "211.105", "223.449", "233.453", "260.704", "274.518", "301.262"),
        (2021, ONLINE, 3, "public_space_reports", "waarvan meldingen openbare ruimte",
         "-", "-", "57.844", "78.624", "83.907", "95.318"),
        (2021, ONLINE, 4, "kcc_emails", EMAIL_2020, "32.347", "20.578", "19.287", "18.671", "17.950", "16.402"),
        (2021, ONLINE, 5, "social_posts", "berichten op sociale media\u00b9", None, None, None, "-", "1.204", "1.388"),
        (2021, ONLINE, 6, "social_followers", "volgers op sociale media\u00b9",
         None, None, None, "-", "38.510", "46.275"),
        (2020, BALIE, 1, "counter_visits", COUNTER_2020, "257.981", "274.268", "291.215", "294.794", "301.420", None),
        (2020, BALIE, 2, "phone_calls", "aantal telefoontjes naar gemeente",
         "400.354", "337.029", "334.911", "315.112", "298.116", None),
        (2020, BALIE, 3, "phone_calls_14030", "aantal telefoontjes via 14030",
         "-", "98.185", "164.862", "189.857", "201.334", None),
        (2020, BALIE, 4, "kcc_phone_reachability", "% telefonische bereikbaarheid Klantcontactcentrum",
         "81", "91", "90", "90", "87", None),
        # WhatsApp: 2021 no longer prints it, so it stays in the 2020 table it was last printed in
        (2020, ONLINE, 4, "whatsapp_messages", "WhatsApp-berichten",
         "1.849", "11.189", "11.342", "11.523", "12.804", None),
        # the grades: only 2019 printed them
        (2019, TEVREDEN, 1, "satisfaction_counter", "balie", None, None, "7,8", "7,8", None, None),
        (2019, TEVREDEN, 2, "satisfaction_website", "website", None, None, "7,5", "7,6", None, None),
        (2019, TEVREDEN, 3, "satisfaction_phone", "telefoon", None, None, "8,0", "7,7", None, None),
        (2019, TEVREDEN, 4, "satisfaction_email", "e-mail", None, None, "-", "5,9", None, None),
    ]
    assert query(w2021, "select distinct position from kerncijfers order by 1") == [(p,) for p in range(1, 16)]


def test_2021_notes_belong_to_their_table(w2021):
    assert query(w2021, "select table_title, row, marker, text from notes where edition = 2021 order by row") == [
        (ONLINE, 9, "\u00b9", "Facebook, X, Instagram en LinkedIn samen."),
        (ONLINE, 10, None, "Bron: gemeente Utrecht"),
    ]


# --- one at a time equals all at once -------------------------------------------------------------------

def without_build_info(warehouse) -> dict:
    tables = public_tables(warehouse)
    del tables["build_info"]
    return tables


def test_loading_the_editions_one_at_a_time_equals_loading_them_at_once(tmp_path, w2021):
    raw = make_raw(tmp_path, RAW_2019)
    target = tmp_path / "kanaalmonitor.duckdb"
    build_warehouse(raw, target)
    for edition in (E2020, E2021):
        shutil.copytree(edition, raw / edition.name)
        build_warehouse(raw, target)
    assert query(target, "select edition from editions order by edition") == [(2019,), (2020,), (2021,)]
    once, successive = without_build_info(w2021), without_build_info(target)
    assert sorted(once) == sorted(successive)
    for table in once:
        assert successive[table] == once[table], table


# --- tables without a printed form, and titles that would mix two tables -----------------------------

def test_a_tidy_edition_shows_its_series_in_one_untitled_group(tmp_path):
    tidy = tmp_path / "delivery" / "2020-tidy"
    tidy.mkdir(parents=True)
    (tidy / "manifest.toml").write_text('edition = 2020\n[[files]]\npath = "cijfers.csv"\nform = "tidy"\n',
                                        encoding="utf-8")
    (tidy / "cijfers.csv").write_text("series,year,value\nwebsite_visits,2019,3612000\nweb_requests,2019,274518\n",
                                      encoding="utf-8")
    warehouse = warehouse_from(tmp_path, RAW_2019, tidy)
    assert query(warehouse, 'select table_title, row_number, series, label_printed, "2019" '
                            "from kerncijfers_by_edition where edition = 2020 order by position") == [
        (None, 1, "web_requests", None, "274.518"),
        (None, 2, "website_visits", None, "3.612.000"),
    ]
    # web_requests keeps its 2019 row; website_visits, never printed, follows the printed tables
    assert query(warehouse, 'select table_edition, table_title, row_number, label_printed, "2018", "2019", position '
                            "from kerncijfers where series in ('web_requests', 'website_visits') order by position") == [
        (2019, KERN, 1, "aantal digitale aanvragen via website Utrecht.nl", "260.704", "274.518", 1),
        (None, None, 1, None, None, "3.612.000", 13),
    ]


def test_two_tables_of_an_edition_with_one_title_are_refused(tmp_path):
    edition = tmp_path / "delivery" / "2020"
    shutil.copytree(E2020, edition)
    online = edition / "online.csv"
    online.write_bytes(online.read_bytes().replace(b"Online dienstverlening", b"Baliebezoek & telefonie"))
    with pytest.raises(DeliveryError) as caught:
        warehouse_from(tmp_path, RAW_2019, edition)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.label, problem.rule) == (
        "2020/online.csv", 1, BALIE, "table has the same title as 2020/baliebezoek-telefonie.csv")
    assert not (tmp_path / "kanaalmonitor.duckdb").exists()
