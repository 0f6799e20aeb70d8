"""The catalogue (schemas/*.csv): channels and series are data, bad lines are refused like bad deliveries,
labels are recognised however their marker, scale and spacing are printed, and suggestions help."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kanaalmonitor.catalogue import Catalogue, LabelError, split_label
from kanaalmonitor.config import CHANNELS_FILE, LABELS_FILE, SERIES_FILE
from kanaalmonitor.errors import DeliveryError, Problem

# The line a series line appended to schemas/series.csv lands on, and that line's position among the series.
APPENDED = len(SERIES_FILE.read_text(encoding="utf-8").splitlines()) + 1


def catalogue_dir(tmp_path: Path, series: str = "", labels: str = "", channels: str = "") -> Path:
    """A copy of schemas/ with lines appended to its catalogue files."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    for source, extra in ((SERIES_FILE, series), (LABELS_FILE, labels), (CHANNELS_FILE, channels)):
        shutil.copy(source, folder / source.name)
        if extra:
            with (folder / source.name).open("a", encoding="utf-8") as fh:
                fh.write(extra)
    return folder


def load(folder: Path) -> Catalogue:
    return Catalogue.load(folder / "series.csv", folder / "labels.csv", folder / "channels.csv")


def refusal(folder: Path) -> list[Problem]:
    with pytest.raises(DeliveryError) as info:
        load(folder)
    return info.value.problems


def test_a_new_channel_and_a_series_on_it_are_one_line_each(tmp_path):
    assert Catalogue.load().series["social_followers"].channel == "social_media"  # the lines schemas/ has
    folder = catalogue_dir(
        tmp_path,
        series="chat_sessions,aantal chatgesprekken,chatgesprekken,count,chat,,true,Chat sessions with the contact "
               "centre.\n",
        channels="chat,chat,de chat,true,Chat with the contact centre on Utrecht.nl.\n")
    catalogue = load(folder)
    assert catalogue.channels["chat"].name_nl == "chat"
    assert catalogue.channels["chat"].counts_contacts is True
    assert catalogue.resolve("Aantal chatgesprekken") == "chat_sessions"
    assert catalogue.series["chat_sessions"].position == APPENDED - 1  # the header is line 1


@pytest.mark.parametrize("line, problem", [
    ("site_visits,sitebezoek,bezoeken,visits,website,,false,x\n",
     (APPENDED, "site_visits", "visits", "unknown unit (the units are count, percent, grade, duration)")),
    ("social_shares,gedeelde berichten,gedeelde berichten,count,social,,false,x\n",
     (APPENDED, "social_shares", "social", "unknown channel")),
    ("web_requests,nog een label,aanvragen,count,website,,true,x\n",
     (APPENDED, "web_requests", "web_requests", "series code is listed twice")),
    ("calls_kcc,waarvan via KCC,telefoontjes via het KCC,count,phone,calls,false,x\n",
     (APPENDED, "calls_kcc", "calls", "parent is not another series of the catalogue")),
    ("counter_web,Balie,baliebezoeken,count,counter,,false,x\n",
     (APPENDED, "Balie", "counter_web", "label is also a label of series satisfaction_counter (schemas/series.csv, "
                                  "line 10)")),
    ("web_forms,e-formulieren,e-formulieren,count,website,,maybe,x\n",
     (APPENDED, "web_forms", "maybe", "counts_contacts must be true or false")),
    # a line written with the former column `table`: refused, not read shifted by one column
    ("site_visits,kerncijfers,sitebezoek,bezoeken,count,website,,false,x\n",
     (APPENDED, None, "site_visits,kerncijfers,sitebezoek,bezoeken,count,website,,false,x",
      "line has 9 values for the 8 columns of the header")),
    # a line written before noun_nl: refused, not read shifted by one column
    ("site_visits,sitebezoek,count,website,,false,x\n",
     (APPENDED, None, "site_visits,sitebezoek,count,website,,false,x",
      "line has 7 values for the 8 columns of the header")),
    # the chapter writes "het aantal" before the noun of a count, and a percent's noun needs its article
    ("site_visits,sitebezoek,het aantal bezoeken,count,website,,false,x\n",
     (APPENDED, "site_visits", "het aantal bezoeken", "noun_nl of a count is what it counts, in the plural, without "
                                                       "article or 'aantal' (the chapter writes 'het aantal' before it)")),
    ("mobile_share,aandeel mobiel (%),aandeel mobiel bezoek,percent,website,,false,x\n",
     (APPENDED, "mobile_share", "aandeel mobiel bezoek",
      "noun_nl of a percent, duration or grade is a noun phrase with its article")),
])
def test_a_bad_series_line_is_refused_with_file_line_value_and_rule(tmp_path, line, problem):
    (got,) = refusal(catalogue_dir(tmp_path, series=line))
    assert (got.file, got.row, got.label, got.value, got.rule) == ("schemas/series.csv", *problem)
    assert got.action


def test_an_alias_of_an_unknown_series_and_a_bad_channel_line_are_refused_together(tmp_path):
    problems = refusal(catalogue_dir(tmp_path, labels="phone_call,aantal telefoontjes\n",
                                     channels="chat,,chat,true,x\n"))
    assert [(p.file, p.row, p.label, p.value, p.rule) for p in problems] == [
        ("schemas/channels.csv", 8, "chat", "true", "a channel needs a Dutch name and counts_contacts true or false"),
        ("schemas/labels.csv", 8, "aantal telefoontjes", "phone_call", "label names an unknown series"),
    ]


def test_a_contact_series_on_a_channel_whose_contacts_are_not_counted_is_refused(tmp_path):
    folder = catalogue_dir(tmp_path,
                           series="social_messages,berichten sociale media,berichten sociale media,count,social,,true,x\n",
                           channels="social,sociale media,sociale media,false,x\n")
    (got,) = refusal(folder)
    assert (got.row, got.rule) == (APPENDED, "series counts contacts on channel social, whose contacts are not counted")


@pytest.mark.parametrize("printed, expected", [
    ("aantal baliebezoeken* met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern",
     ("aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern", "*", 1)),
    ("websitebezoek Utrecht.nl (in miljoenen)\u00b9", ("websitebezoek Utrecht.nl", "\u00b9", 1_000_000)),
    ("  waarvan\u00a0via   14030 (1)", ("waarvan via 14030", "(1)", 1)),
    ("telefonische bereikbaarheid Klantcontactcentrum (%)",
     ("telefonische bereikbaarheid Klantcontactcentrum (%)", None, 1)),
])
def test_a_printed_label_is_split_into_label_marker_and_scale(printed, expected):
    assert split_label(printed) == expected


def test_catalogue_labels_with_a_scale_or_marker_match_printed_labels_with_or_without(tmp_path):
    folder = catalogue_dir(tmp_path, series="page_views,paginaweergaven Utrecht.nl (in miljoenen),"
                                            "paginaweergaven van Utrecht.nl,count,website,,false,"
                                            "Page views of Utrecht.nl.\n")
    catalogue = load(folder)
    for printed in ("paginaweergaven Utrecht.nl (in miljoenen)", "Paginaweergaven utrecht.nl*",
                    "paginaweergaven Utrecht.nl"):
        assert catalogue.resolve(split_label(printed)[0]) == "page_views", printed


def test_suggestions_prefer_series_the_table_does_not_deliver_yet_and_never_repeat_the_label(tmp_path):
    folder = catalogue_dir(tmp_path)
    labels = folder / "labels.csv"  # the catalogue before the renamed row got its alias
    labels.write_text(labels.read_text(encoding="utf-8").replace("phone_calls_14030,aantal telefoontjes via 14030\n",
                                                                 ""), encoding="utf-8")
    catalogue = load(folder)
    with pytest.raises(LabelError) as info:
        catalogue.resolve("aantal telefoontjes via 14030", delivered=frozenset({"phone_calls"}))
    assert info.value.action.endswith(
        "The closest known labels: 'waarvan via 14030' (phone_calls_14030), 'aantal digitale aanvragen via website "
        "Utrecht.nl' (web_requests), 'telefoon' (satisfaction_phone).")
    suggested = catalogue.suggest("waarvan via 14 030 ")
    assert len(suggested) == 3
    assert all(text.casefold() != "waarvan via 14 030" for text, _ in suggested)
