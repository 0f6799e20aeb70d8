"""The monitor chapter drafted from the warehouse: figures, tables, charts and the self-contained HTML.

Expected figures are worked out by hand from the printed tables
(raw/2019 = /work/shared/source/deliveries-2019, and the test editions under tests/data/editions).
"""

from __future__ import annotations

import base64
import math
import re
import shutil
import struct
from html.parser import HTMLParser

import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.report.chapter import channel_figure, md_escape, write_report
from tests.helpers import EDITIONS, RAW_2019, warehouse_from

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHART_PIXELS = (800, 500)
CHANNELS = ["website", "email", "phone", "counter", "whatsapp"]


@pytest.fixture(scope="module")
def report_2019(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report2019")
    warehouse = warehouse_from(tmp, RAW_2019)
    result = write_report(warehouse, tmp / "out")
    return result, result.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def restated(tmp_path_factory):
    """The fictitious 2018 edition on the old counter-visit method, then the real 2019 edition."""
    tmp = tmp_path_factory.mktemp("restated")
    warehouse = warehouse_from(tmp, EDITIONS / "2018-old-method", RAW_2019)
    return warehouse, tmp


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The 2019 tables with a break from 2017 for counter visits."""
    tmp = tmp_path_factory.mktemp("broken")
    warehouse = warehouse_from(tmp, EDITIONS / "2019-break")
    result = write_report(warehouse, tmp / "out", edition=2019)
    return result, result.markdown.read_text(encoding="utf-8")


def lines_of(result, channel: str) -> dict[str, object]:
    chart = next(c for c in result.charts if c.channel == channel)
    return {line.gid: line for line in chart.lines}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --- the 2019 edition: figures computed by hand from the source table -------------------------------

@pytest.mark.parametrize("sentence", [
    # (260704 - 233453) / 233453 = +11.67% -> 12%; 260704 / 365 = 714.3
    "Het aantal digitale aanvragen via website Utrecht.nl is in 2018 ten opzichte van 2017 met 12% toegenomen, "
    "tot 260.704. Dat zijn er gemiddeld zo'n 714 per dag.",
    # 78624 / 260704 = 30.2% -> 30%; (78624 - 57844) / 57844 = +35.9% -> 36%; 78624 / 365 = 215.4
    "Van de 260.704 digitale aanvragen via website Utrecht.nl waren er in 2018 78.624 meldingen openbare ruimte "
    "(30%). Dat aantal is ten opzichte van 2017 met 36% toegenomen. Dat zijn er gemiddeld zo'n 215 per dag.",
    # (18671 - 19287) / 19287 = -3.19% -> 3%; 18671 / 365 = 51.2
    "Het aantal e-mails naar Klantcontactcentrum \\(inclusief e-formulieren\\) is in 2018 ten opzichte van 2017 "
    "met 3% afgenomen, tot 18.671. Dat zijn er gemiddeld zo'n 51 per dag.",
    # (314803 - 334911) / 334911 = -6.00% -> 6%; 314803 / 365 = 862.5 (862.47)
    "Het aantal telefoontjes naar gemeente is in 2018 ten opzichte van 2017 met 6% afgenomen, tot 314.803. "
    "Dat zijn er gemiddeld zo'n 862 per dag.",
    # 189857 / 314803 = 60.3% -> 60%; (189857 - 164862) / 164862 = +15.2% -> 15%; 189857 / 365 = 520.2
    "Van de 314.803 telefoontjes naar gemeente waren er in 2018 189.857 telefoontjes via 14030 (60%). Dat aantal is ten "
    "opzichte van 2017 met 15% toegenomen. Dat zijn er gemiddeld zo'n 520 per dag.",
    # 90 in 2018, 90 in 2017
    "De telefonische bereikbaarheid Klantcontactcentrum was in 2018 90%, net als in 2017.",
    # (294794 - 291215) / 291215 = +1.23% -> 1%; 294794 / 365 = 807.7
    "Het aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern is in 2018 "
    "ten opzichte van 2017 met 1% toegenomen, tot 294.794. Dat zijn er gemiddeld zo'n 808 per dag.",
    # (11523 - 11342) / 11342 = +1.60% -> 2%; 11523 / 365 = 31.6
    "Het aantal WhatsApp-berichten is in 2018 ten opzichte van 2017 met 2% toegenomen, tot 11.523. "
    "Dat zijn er gemiddeld zo'n 32 per dag.",
])
def test_2019_states_change_per_day_and_share_of_every_series(report_2019, sentence):
    _, text = report_2019
    assert sentence in text.replace("\n", " ")


def test_2019_is_the_latest_edition_by_default(report_2019):
    result, text = report_2019
    assert result.edition == 2019
    assert "editie 2019 (gemeente Utrecht, Utrecht Monitor 2019)" in text


def test_2019_channel_mix(report_2019):
    _, text = report_2019
    # 2018 contacts: 260704 + 18671 + 314803 + 294794 + 11523 = 900495
    # phone 314803 / 900495 = 34.96% -> 35; counter 294794 / 900495 = 32.74% -> 33;
    # website 260704 / 900495 = 28.95% -> 29; e-mail 18671 / 900495 = 2.07% -> 2; WhatsApp 11523 / 900495 = 1.28% -> 1
    assert ("In 2018 liep 35% van alle contacten via de telefoon, 33% via de balie, 29% via de website, 2% via e-mail "
            "en 1% via WhatsApp.\n\n## Website") in text


def test_2019_key_figures_table_as_published(report_2019):
    _, text = report_2019
    assert (
        "| Kerncijfers dienstverlening | 2015 | 2016 | 2017 | 2018 |\n"
        "|---|---:|---:|---:|---:|\n"
        "| aantal digitale aanvragen via website Utrecht.nl | 211.105 | 223.449 | 233.453 | 260.704 |\n"
        "| waarvan meldingen openbare ruimte | - | - | 57.844 | 78.624 |\n"
        "| aantal e-mails naar Klantcontactcentrum \\(inclusief e-formulieren\\) | 32.347 | 20.578 | 19.287 | 18.671 |\n"
        "| aantal telefoontjes naar gemeente | 400.354 | 337.029 | 334.911 | 314.803 |\n"
        "| waarvan via 14030 | - | 98.185 | 164.862 | 189.857 |\n"
        "| telefonische bereikbaarheid Klantcontactcentrum \\(%\\) | 81 | 91 | 90 | 90 |\n"
        "| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern\\* "
        "| 257.981 | 274.268 | 291.215 | 294.794 |\n"
        "| WhatsApp-berichten | 1.849 | 11.189 | 11.342 | 11.523 |\n"
        "\n"
        "\\* Op een nieuwe manier gemeten, vervangt voorgaande metingen.\n"
        "\n"
        "Bron: gemeente Utrecht\n"
    ) in text


def test_2019_satisfaction_ranking_with_changes(report_2019):
    _, text = report_2019
    # 2018 grades: balie 7,8 > telefoon 7,7 > website 7,6 > e-mail 5,9.
    # Changes against 2017: 7,8 - 7,8 = 0,0; 7,7 - 8,0 = -0,3; 7,6 - 7,5 = +0,1; e-mail had no 2017 grade.
    assert (
        "| Kanaal | 2017 | 2018 | Verschil |\n"
        "|---|---:|---:|---:|\n"
        "| balie | 7,8 | 7,8 | 0,0 |\n"
        "| telefoon | 8,0 | 7,7 | -0,3 |\n"
        "| website | 7,5 | 7,6 | +0,1 |\n"
        "| e-mail | - | 5,9 | - |\n"
    ) in text
    assert "Het kanaal telefoon krijgt in 2018 een 7,7, 0,3 punt lager dan in 2017 (8,0)." in text
    assert "Het kanaal website krijgt in 2018 een 7,6, 0,1 punt hoger dan in 2017 (7,5)." in text
    assert "Het kanaal balie krijgt in 2018 een 7,8, net als in 2017." in text
    assert "Het kanaal e-mail krijgt in 2018 een 5,9; voor 2017 is geen cijfer gepubliceerd." in text
    assert "Inwoners zijn in 2018 het meest tevreden over de balie (7,8) en het minst over e-mail (5,9)." in text


def test_2019_alone_lists_its_method_change_and_no_revisions(report_2019):
    _, text = report_2019
    assert "Editie 2019 is de eerste editie in de databank" in text
    # The note says what the method change is; the bullet does not say it a second time.
    assert ("- **aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern** (nieuwe "
            "meetmethode, ook voor eerdere jaren): “Op een nieuwe manier gemeten, vervangt voorgaande metingen.”\n"
            ) in text
    assert "Deze editie wijzigt geen eerder gepubliceerde cijfers." in text
    assert "grijs gestreept" not in text


# --- charts ------------------------------------------------------------------------------------------

def test_one_valid_png_per_channel(report_2019):
    result, _ = report_2019
    assert [c.channel for c in result.charts] == CHANNELS
    for chart in result.charts:
        assert chart.path.parent == result.markdown.parent
        assert png_size(chart.path.read_bytes()) == CHART_PIXELS


def test_2019_charts_plot_every_published_count(report_2019):
    result, _ = report_2019
    expected = {
        "website": {"current|web_requests|standaard": [211105, 223449, 233453, 260704],
                    "current|public_space_reports|standaard": [57844, 78624]},
        "email": {"current|kcc_emails|standaard": [32347, 20578, 19287, 18671]},
        "phone": {"current|phone_calls|standaard": [400354, 337029, 334911, 314803],
                  "current|phone_calls_14030|standaard": [98185, 164862, 189857]},
        "counter": {"current|counter_visits|afspraak-2019": [257981, 274268, 291215, 294794]},
        "whatsapp": {"current|whatsapp_messages|standaard": [1849, 11189, 11342, 11523]},
    }
    for channel, series in expected.items():
        lines = lines_of(result, channel)
        assert set(lines) == set(series), channel
        for gid, values in series.items():
            assert [y for y in lines[gid].y if not math.isnan(y)] == values, gid
            assert lines[gid].points == len(values)
    # The '-' of 2015 and 2016 is a gap in the line, not a zero.
    assert lines_of(result, "website")["current|public_space_reports|standaard"].x == (2015, 2016, 2017, 2018)


# --- HTML ---------------------------------------------------------------------------------------------

class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_parses_is_self_contained_and_embeds_every_chart(report_2019):
    result, _ = report_2019
    page = result.html.read_text(encoding="utf-8")
    parser = PageParser()
    parser.feed(page)
    parser.close()
    outside_data = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    for reference in ("http:", "https:", "//", "url(", "@import"):
        assert reference not in outside_data
    assert not [t for t, a in parser.tags if t in ("link", "script", "iframe", "object", "embed")]
    for tag, attrs in parser.tags:
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith("data:image/png;base64,"), (tag, attrs[name][:40])
    images = [a for t, a in parser.tags if t == "img"]
    assert len(images) == len(CHANNELS)
    for img, chart in zip(images, result.charts):
        data = base64.b64decode(img["src"].removeprefix("data:image/png;base64,"))
        assert data == chart.path.read_bytes()
        assert png_size(data) == CHART_PIXELS
    text = " ".join(" ".join(parser.text).split())
    assert "Het aantal telefoontjes naar gemeente is in 2018 ten opzichte van 2017 met 6% afgenomen" in text
    assert "* Op een nieuwe manier gemeten, vervangt voorgaande metingen." in text
    assert [t for t, _ in parser.tags].count("table") == 2


def test_markdown_links_the_charts_beside_it(report_2019):
    result, text = report_2019
    for chart in result.charts:
        assert f"]({chart.path.name})" in text


# --- editions with a restatement or a break ------------------------------------------------------------

def test_restatement_is_listed_with_every_changed_figure(restated):
    warehouse, tmp = restated
    result = write_report(warehouse, tmp / "out2019")
    text = result.markdown.read_text(encoding="utf-8")
    assert "Wat editie 2019 verandert ten opzichte van de vorige editie (2018)." in text
    label = "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern"
    note = "Op een nieuwe manier gemeten, vervangt voorgaande metingen."
    assert (
        # (233453 - 231000) / 231000 = +1.06% -> +1%, a restatement without a note
        # 233453 - 231000 = +2453
        "| aantal digitale aanvragen via website Utrecht.nl | 2017 | 231.000 (2018) | 233.453 | +2.453 (+1%) | bijgesteld "
        "| geen toelichting |\n"
        # 2014 is not in the 2019 edition: the restatement withdraws it
        f"| {label} | 2014 | 301.112 (2018) | - | - | vervallen | {note} |\n"
        # 257981 - 310450 = -52469; -52469 / 310450 = -16.9% -> -17%
        f"| {label} | 2015 | 310.450 (2018) | 257.981 | -52.469 (-17%) | opnieuw gemeten | {note} |\n"
        # 274268 - 318002 = -43734; -43734 / 318002 = -13.8% -> -14%
        f"| {label} | 2016 | 318.002 (2018) | 274.268 | -43.734 (-14%) | opnieuw gemeten | {note} |\n"
        # 291215 - 322987 = -31772; -31772 / 322987 = -9.8% -> -10%
        f"| {label} | 2017 | 322.987 (2018) | 291.215 | -31.772 (-10%) | opnieuw gemeten | {note} |\n"
    ) in text
    assert ("De baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern zijn in deze "
            "editie op een nieuwe manier gemeten; de nieuwe cijfers vervangen alle eerdere metingen (de vervangen "
            "cijfers staan grijs gestreept in de grafiek).") in text


def test_restatement_chart_shows_the_replaced_figures_apart(restated):
    warehouse, tmp = restated
    result = write_report(warehouse, tmp / "chart2019")
    lines = lines_of(result, "counter")
    assert set(lines) == {"current|counter_visits|afspraak-2019", "withdrawn|counter_visits|standaard"}
    new = lines["current|counter_visits|afspraak-2019"]
    old = lines["withdrawn|counter_visits|standaard"]
    assert (new.x, new.y) == ((2015, 2016, 2017, 2018), (257981, 274268, 291215, 294794))
    assert (old.x, old.y) == ((2014, 2015, 2016, 2017), (301112, 310450, 318002, 322987))
    assert "oude meetmethode (vervangen)" in old.label
    # Other series take the earlier edition's 2014 figure into their single line.
    assert lines_of(result, "phone")["current|phone_calls|standaard"].y == (421870, 400354, 337029, 334911, 314803)


def test_earlier_edition_reports_its_own_figures(restated):
    warehouse, tmp = restated
    result = write_report(warehouse, tmp / "out2018", edition=2018)
    text = " ".join(result.markdown.read_text(encoding="utf-8").split())
    assert result.edition == 2018
    # (334911 - 337029) / 337029 = -0.63% -> 1%; 334911 / 365 = 917.6
    assert ("Het aantal telefoontjes naar gemeente is in 2017 ten opzichte van 2016 met 1% afgenomen, tot 334.911. "
            "Dat zijn er gemiddeld zo'n 918 per dag.") in text
    # old method: (322987 - 318002) / 318002 = +1.57% -> 2%
    assert ("Het aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern is in 2017 "
            "ten opzichte van 2016 met 2% toegenomen, tot 322.987.") in text
    # reachability in percent: 90 in 2017, 91 in 2016, a change of 1 procentpunt
    assert ("De telefonische bereikbaarheid Klantcontactcentrum is in 2017 ten opzichte van 2016 met 1 procentpunt "
            "gedaald, tot 90%.") in text
    # 2017 grades only, and no 2016 grade: 8,0 telefoon > 7,8 balie > 7,5 website
    assert "Inwoners zijn in 2017 het meest tevreden over de telefoon (8,0) en het minst over de website (7,5)." in text
    assert "Editie 2018 is de eerste editie in de databank" in text
    assert "Deze editie meldt geen methodewijzigingen." in text
    assert "| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern | 301.112 |" \
        in result.markdown.read_text(encoding="utf-8")
    assert set(lines_of(result, "counter")) == {"current|counter_visits|standaard"}


def test_break_is_mentioned_and_drawn_as_gap_and_marker(broken):
    result, text = broken
    text = " ".join(text.split())
    assert ("- **aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern** "
            "(trendbreuk vanaf 2017): “Op een nieuwe manier gemeten vanaf 2017.” De jaren vóór 2017 zijn niet te "
            "vergelijken met 2017 en later.") in text
    assert ("De baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern worden vanaf 2017 op "
            "een nieuwe manier gemeten; de grafiek markeert de trendbreuk") in text
    lines = lines_of(result, "counter")
    assert set(lines) == {"current|counter_visits|standaard", "current|counter_visits|afspraak-2019",
                          "break|counter_visits|2017"}
    before, after = lines["current|counter_visits|standaard"], lines["current|counter_visits|afspraak-2019"]
    assert (before.x, before.y) == ((2015, 2016), (257981, 274268))
    assert (after.x, after.y) == ((2017, 2018), (291215, 294794))
    assert set(lines["break|counter_visits|2017"].x) == {2016.5}


def test_break_year_is_not_compared_with_the_year_before(tmp_path):
    """A break in the latest year: the text says the figures cannot be compared (no change in percent)."""
    edition = tmp_path / "delivery" / "2019-break-2018"
    shutil.copytree(EDITIONS / "2019-break", edition)
    manifest = edition / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("from_year = 2017", "from_year = 2018")
                        .replace("vanaf 2017", "vanaf 2018"), encoding="utf-8")
    warehouse = warehouse_from(tmp_path, edition)
    result = write_report(warehouse, tmp_path / "out")
    text = " ".join(result.markdown.read_text(encoding="utf-8").split())
    # 294794 / 365 = 807.7
    assert ("Het aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern was in 2018 "
            "294.794. Door een nieuwe meetmethode is dat niet te vergelijken met 2017. Dat zijn er gemiddeld zo'n 808 "
            "per dag.") in text
    lines = lines_of(result, "counter")
    assert lines["current|counter_visits|afspraak-2019"].x == (2018,)
    assert lines["current|counter_visits|standaard"].y == (257981, 274268, 291215)


def test_declared_method_change_without_printed_footnote_gets_one(tmp_path):
    """A delivery that declares a break but prints no footnote: the table still marks the series."""
    edition = tmp_path / "delivery" / "2019-unmarked"
    shutil.copytree(EDITIONS / "2019-break", edition)
    table = edition / "kerncijfers.csv"
    printed = table.read_text(encoding="utf-8")
    table.write_text(printed.replace("Meern*;", "Meern;").replace(
        "* Op een nieuwe manier gemeten, vervangt voorgaande metingen.;;;;\n", ""), encoding="utf-8")
    manifest = edition / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('footnote = "*"\n', ""), encoding="utf-8")
    warehouse = warehouse_from(tmp_path, edition)
    text = write_report(warehouse, tmp_path / "out").markdown.read_text(encoding="utf-8")
    assert ("| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern\\(1\\) "
            "| 257.981 | 274.268 | 291.215 | 294.794 |") in text
    assert "\n\\(1\\) Op een nieuwe manier gemeten vanaf 2017.\n\nBron: gemeente Utrecht\n" in text
    assert "\\*" not in text


# --- CLI and formatting ----------------------------------------------------------------------------------

def test_cli_writes_the_report_of_the_edition_asked_for(restated, capsys):
    warehouse, tmp = restated
    out = tmp / "cli"
    assert main(["report", "--warehouse", str(warehouse), "--out", str(out), "--edition", "2018"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["report.md", "report.html"] + [f"kanaal-{c}.png" for c in CHANNELS])
    assert "editie 2018" in (out / "report.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out.startswith("Report for edition 2018 of GM0344")


def test_cli_refuses_an_edition_not_in_the_warehouse(restated, capsys):
    warehouse, tmp = restated
    assert main(["report", "--warehouse", str(warehouse), "--out", str(tmp / "none"), "--edition", "2017"]) == 4
    assert capsys.readouterr().err == ("No report written: The warehouse holds no edition 2017 of GM0344 "
                                       "(it holds: 2018, 2019).\n")
    assert not (tmp / "none").exists()


def test_cli_without_warehouse(tmp_path, capsys):
    assert main(["report", "--warehouse", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "out")]) == 4
    assert capsys.readouterr().err == (f"No report written: No warehouse at {tmp_path / 'x.duckdb'}: "
                                       "run `kanaalmonitor run` first.\n")


# --- a later edition: two titled tables, millions, a percent series, a stopped channel, small revisions ------

E2022 = EDITIONS / "2022-two-tables-mobile-share"


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    """The editions 2019, 2020, 2021 and the fictitious 2022 edition (tests/data/editions/README.md)."""
    tmp = tmp_path_factory.mktemp("later")
    warehouse = warehouse_from(tmp, RAW_2019, EDITIONS / "2020-split-windows-1252",
                               EDITIONS / "2021-social-media-millions", E2022)
    result = write_report(warehouse, tmp / "out")
    return result, result.markdown.read_text(encoding="utf-8"), warehouse, tmp


@pytest.mark.parametrize("sentence", [
    # 4,4 and 4,1 million: (4400000 - 4100000) / 4100000 = +7.3% -> 7%; no contacts, so no figure per day
    "Het aantal bezoeken aan de website Utrecht.nl is in 2021 ten opzichte van 2020 met 7% toegenomen, "
    "tot 4,4 miljoen.\n",
    # 61% against 56%: +5 procentpunten
    "Het aandeel websitebezoek via mobiel of tablet is in 2021 ten opzichte van 2020 met 5 procentpunten gestegen, "
    "tot 61%.\n",
    # (296050 - 304262) / 304262 = -2.70% -> 3%; 296050 / 365 = 811.1
    "Het aantal digitale aanvragen via website Utrecht.nl is in 2021 ten opzichte van 2020 met 3% afgenomen, tot "
    "296.050. Dat zijn er gemiddeld zo'n 811 per dag.\n",
    # 99120 / 296050 = 33.5% -> 33%; (99120 - 95318) / 95318 = +3.99% -> 4%; 99120 / 365 = 271.6
    "Van de 296.050 digitale aanvragen via website Utrecht.nl waren er in 2021 99.120 meldingen openbare ruimte "
    "(33%). Dat aantal is ten opzichte van 2020 met 4% toegenomen. Dat zijn er gemiddeld zo'n 272 per dag.\n",
    # (15880 - 16402) / 16402 = -3.18% -> 3%; 15880 / 365 = 43.5
    "Het aantal e-mails naar Klantcontactcentrum \\(inclusief e-formulieren\\) is in 2021 ten opzichte van 2020 met "
    "3% afgenomen, tot 15.880. Dat zijn er gemiddeld zo'n 44 per dag.\n",
    # (51930 - 46275) / 46275 = +12.2% -> 12%; followers are no contacts: no figure per day
    "Het aantal volgers op sociale media is in 2021 ten opzichte van 2020 met 12% toegenomen, tot 51.930.\n",
    # (276904 - 281340) / 281340 = -1.58% -> 2%; 276904 / 365 = 758.6
    "Het aantal telefoontjes naar gemeente is in 2021 ten opzichte van 2020 met 2% afgenomen, tot 276.904. "
    "Dat zijn er gemiddeld zo'n 759 per dag.\n",
    # 199875 / 276904 = 72.2% -> 72%; (199875 - 196210) / 196210 = +1.87% -> 2%; 199875 / 365 = 547.6
    "Van de 276.904 telefoontjes naar gemeente waren er in 2021 199.875 telefoontjes via 14030 (72%). Dat aantal is "
    "ten opzichte van 2020 met 2% toegenomen. Dat zijn er gemiddeld zo'n 548 per dag.\n",
    # 89% against 85%: +4 procentpunten
    "De telefonische bereikbaarheid Klantcontactcentrum is in 2021 ten opzichte van 2020 met 4 procentpunten "
    "gestegen, tot 89%.\n",
])
def test_later_edition_sentences(later, sentence):
    _, text, _, _ = later
    assert sentence in text


def test_later_edition_has_one_section_per_delivered_channel_in_printed_order(later):
    result, text, _, _ = later
    assert result.edition == 2022
    assert re.findall(r"^## (.+)$", text, flags=re.MULTILINE) == [
        "Kerncijfers", "Kanalen", "Website", "E-mail", "Sociale media", "Telefoon", "Klanttevredenheid",
        "Herzieningen en methodewijzigingen"]
    assert "Balie" not in text and "WhatsApp" not in text.replace("De balie en WhatsApp staan", "")
    assert "Deze editie bevat geen rapportcijfers." in text


def test_later_edition_tables_as_printed_each_with_its_notes(later):
    _, text, _, _ = later
    assert (
        "| Online dienstverlening | 2019 | 2020 | 2021 |\n"
        "|---|---:|---:|---:|\n"
        "| websitebezoek Utrecht.nl \\(in miljoenen\\) | 3,6 | 4,1 | 4,4 |\n"
        "| aandeel websitebezoek via mobiel of tablet \\(%\\) | 52 | 56 | 61 |\n"
        "| aantal digitale aanvragen via website Utrecht.nl | 274.518 | 304.262 | 296.050 |\n"
        "| waarvan meldingen openbare ruimte | 83.907 | 95.318 | 99.120 |\n"
        "| aantal e-mail naar Klantcontactcentrum \\(inclusief e-formulieren\\) | 17.950 | 16.402 | 15.880 |\n"
        "| volgers op sociale media\u00b9 | 38.510 | 46.275 | 51.930 |\n"
        "\n"
        "\u00b9 Facebook, X, Instagram en LinkedIn samen.\n"
        "\n"
        "Bron: gemeente Utrecht, webstatistiek en registratie\n"
        "\n"
        "| Telefonie | 2019 | 2020 | 2021 |\n"
        "|---|---:|---:|---:|\n"
        "| aantal telefoontjes naar gemeente | 297.456 | 281.340 | 276.904 |\n"
        "| aantal telefoontjes via 14030 | 201.334 | 196.210 | 199.875 |\n"
        "| % telefonische bereikbaarheid Klantcontactcentrum | 87 | 85 | 89 |\n"
        "\n"
        "Bron: gemeente Utrecht \u2013 Klantcontactcentrum\n"
        "\n"
        "## Kanalen\n"
    ) in text


def test_later_edition_channel_shares_cover_the_channels_it_delivers(later):
    _, text, _, _ = later
    # 2021 contacts: web requests 296050 + e-mails 15880 + phone calls 276904 = 588834 (counter and WhatsApp
    # are not printed); website 296050 / 588834 = 50.3% -> 50; phone 276904 / 588834 = 47.0% -> 47;
    # e-mail 15880 / 588834 = 2.7% -> 3
    assert ("## Kanalen\n\nIn 2021 liep 50% van alle contacten via de website, 47% via de telefoon en 3% via e-mail. "
            "De balie en WhatsApp staan niet in deze editie en tellen niet mee.\n") in text


def test_later_edition_revisions_with_difference_and_percentage(later):
    _, text, _, _ = later
    assert "Wat editie 2022 verandert ten opzichte van de vorige editie (2021)." in text
    assert (
        "| Reeks | Jaar | Eerder (editie) | Nu | Verschil | Soort | Toelichting |\n"
        "|---|---:|---:|---:|---:|---|---|\n"
        # 304262 - 301262 = +3000; 3000 / 301262 = +0.996% -> +1%
        "| aantal digitale aanvragen via website Utrecht.nl | 2020 | 301.262 (2021) | 304.262 | +3.000 (+1%) "
        "| bijgesteld | geen toelichting |\n"
        # 297456 - 298116 = -660; -660 / 298116 = -0.221% -> -0,2%
        "| aantal telefoontjes naar gemeente | 2019 | 298.116 (2020) | 297.456 | -660 (-0,2%) | bijgesteld "
        "| geen toelichting |\n"
    ) in text


def test_later_edition_charts_one_per_delivered_channel_with_its_source_line(later):
    result, text, _, _ = later
    nan = math.nan
    online = "Bron: gemeente Utrecht, webstatistiek en registratie"
    phone = "Bron: gemeente Utrecht \u2013 Klantcontactcentrum"
    expected = {
        "website": ("Website: aantallen per jaar", online, {
            "current|web_requests|standaard": (range(2015, 2022),
                                               [211105, 223449, 233453, 260704, 274518, 304262, 296050]),
            "current|public_space_reports|standaard": (range(2015, 2022),
                                                       [nan, nan, 57844, 78624, 83907, 95318, 99120]),
            # "(in miljoenen)": 3,4 (2021 edition), 3,6, 4,1 and 4,4 million
            "current|website_visits|standaard": (range(2018, 2022), [3400000, 3600000, 4100000, 4400000])}),
        "email": ("E-mail: aantallen per jaar", online, {
            "current|kcc_emails|standaard": (range(2015, 2022), [32347, 20578, 19287, 18671, 17950, 16402, 15880])}),
        # posts on social media are not printed in 2022: only the followers
        "social_media": ("Sociale media: aantallen per jaar", online, {
            "current|social_followers|standaard": (range(2018, 2022), [nan, 38510, 46275, 51930])}),
        "phone": ("Telefoon: aantallen per jaar", phone, {
            # 2018 as the 2020 edition revised it (315.112), 2019 as 2022 revised it (297.456)
            "current|phone_calls|standaard": (range(2015, 2022),
                                              [400354, 337029, 334911, 315112, 297456, 281340, 276904]),
            "current|phone_calls_14030|standaard": (range(2015, 2022),
                                                    [nan, 98185, 164862, 189857, 201334, 196210, 199875])}),
    }
    assert [c.channel for c in result.charts] == list(expected)
    for chart in result.charts:
        title, source, series = expected[chart.channel]
        assert (chart.title, chart.source_lines) == (title, (source,))
        lines = {line.gid: line for line in chart.lines}
        assert set(lines) == set(series), chart.channel
        for gid, (years, values) in series.items():
            assert lines[gid].x == tuple(years), gid
            assert [None if math.isnan(y) else y for y in lines[gid].y] == \
                [None if math.isnan(v) else v for v in values], gid
        assert f"![{title}]({chart.path.name})\n\n*{md_escape(source)}*\n" in text
        if chart.channel == "website":
            # printed in millions beside counts printed as they are: an axis of its own, on the right
            assert lines["current|website_visits|standaard"].label == "websitebezoek Utrecht.nl (rechteras)"
            assert lines["current|web_requests|standaard"].label == "aantal digitale aanvragen via website Utrecht.nl"
        assert png_size(chart.path.read_bytes()) == CHART_PIXELS
    assert sorted(p.name for p in result.markdown.parent.iterdir()) == sorted(
        ["report.md", "report.html"] + [f"kanaal-{c}.png" for c in expected])


def test_source_line_is_drawn_under_the_chart(later):
    result, _, _, _ = later
    [chart] = [c for c in result.charts if c.channel == "phone"]
    point = {"series": "phone_calls", "label_nl": "aantal telefoontjes naar gemeente", "withdrawn": False,
             "year": 2021, "method": "standaard", "value": 276904.0, "status": "A", "scale": 1}
    fig = channel_figure(chart.title, chart.source_lines, [point], lambda ticks: [str(t) for t in ticks])
    assert [t.get_text() for t in fig.texts] == ["Bron: gemeente Utrecht \u2013 Klantcontactcentrum"]
    assert fig.axes[0].get_title() == "Telefoon: aantallen per jaar"


def test_report_is_byte_identical_on_rebuild(later):
    result, _, warehouse, tmp = later
    again = write_report(warehouse, tmp / "again")
    first = {p.name: p.read_bytes() for p in result.markdown.parent.iterdir()}
    assert {p.name: p.read_bytes() for p in again.markdown.parent.iterdir()} == first


def test_the_2020_edition_reports_the_channels_it_delivers(later):
    _, _, warehouse, tmp = later
    result = write_report(warehouse, tmp / "out2020", edition=2020)
    text = result.markdown.read_text(encoding="utf-8")
    # 2020 prints counter, phone, web, e-mail and WhatsApp; no grades, no social media
    assert [c.channel for c in result.charts] == ["counter", "phone", "website", "email", "whatsapp"]
    # 2019 contacts: counter 301420 + phone 298116 + web 274518 + e-mail 17950 + WhatsApp 12804 = 904808;
    # 33.3% -> 33, 32.9% -> 33, 30.3% -> 30, 1.98% -> 2, 1.42% -> 1
    assert ("In 2019 liep 33% van alle contacten via de balie, 33% via de telefoon, 30% via de website, 2% via e-mail "
            "en 1% via WhatsApp.\n\n## Balie") in text
    # phone calls of 2018: 315112 - 314803 = +309; 309 / 314803 = +0.098% -> +0,1%
    assert ("| aantal telefoontjes naar gemeente | 2018 | 314.803 (2019) | 315.112 | +309 (+0,1%) | bijgesteld "
            "| geen toelichting |\n") in text


def test_other_municipality_reads_a_percent_with_a_decimal_as_printed(tmp_path):
    """kcc-gm0599 (its durations: tests/test_durations.py): a service level of 71 and 78,5, e-mail without counts."""
    warehouse = warehouse_from(tmp_path, EDITIONS / "kcc-gm0599")
    result = write_report(warehouse, tmp_path / "out", municipality="GM0599")
    text = result.markdown.read_text(encoding="utf-8")
    for sentence in [
        # (398750 - 412300) / 412300 = -3.29% -> 3%; incoming calls are not counted as contacts: no figure per day
        "Het aantal inkomende gesprekken is in 2023 ten opzichte van 2022 met 3% afgenomen, tot 398.750.\n",
        # 78,5 - 71 = 7,5 procentpunten
        "Het servicelevel telefoon is in 2023 ten opzichte van 2022 met 7,5 procentpunten gestegen, tot 78,5%.\n",
        # e-mail has no count in this edition: its text, and no chart
        "## E-mail\n\nDe gemiddelde afhandeltijd e-mail was in 2023 1:12:03, tegen 1:05:10 in 2022.\n",
    ]:
        assert sentence in text
    assert [c.channel for c in result.charts] == ["phone"]
    assert {line.gid: line.y for line in result.charts[0].lines} == {
        "current|kcc_incoming_calls|standaard": (412300, 398750)}
