"""A refresh knows which edition it expects of each municipality and says which one has not come in, without
ever failing or touching the published warehouse for it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from prefect.exceptions import ParameterTypeError

from flows.refresh import refresh
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.freshness import MissingEdition, expected_edition, latest_editions, missing_editions
from kanaalmonitor.refresh import run_refresh
from kanaalmonitor.report.run_report import Outcome, summary_markdown
from kanaalmonitor.status import status_lines
from tests.helpers import EDITIONS, FIXED_NOW, RAW_2019, make_raw
from tests.ops_support import file_state

# FIXED_NOW is 1 June 2026 06:00 UTC: 08:00 in Amsterdam (summer time).
LOADED = "geladen op 2026-06-01 08:00"


def other_municipality(raw: Path, code: str, edition: int) -> None:
    """The 2019 delivery copied as one edition of another municipality."""
    folder = raw / f"{code}-{edition}"
    shutil.copytree(RAW_2019, folder)
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('edition = 2019', f'edition = {edition}')
                        .replace('"GM0344"', f'"{code}"'), encoding="utf-8")


def test_the_current_year_in_amsterdam_is_expected_unless_an_edition_is_given():
    assert expected_edition(None, dt.datetime(2026, 12, 31, 22, 59)) == 2026
    assert expected_edition(None, dt.datetime(2026, 12, 31, 23, 0)) == 2027  # midnight in Amsterdam
    assert expected_edition(2019, dt.datetime(2026, 6, 1)) == 2019


def test_expect_edition_is_validated_like_every_parameter_and_documented():
    assert refresh.validate_parameters({"expect_edition": "2027"})["expect_edition"] == 2027
    assert refresh.validate_parameters({})["expect_edition"] is None
    for bad in ("next year", 1989, 10000, 2027.5):
        with pytest.raises(ParameterTypeError):
            refresh.validate_parameters({"expect_edition": bad})
    assert "Editie ontbreekt" in refresh.parameters.model_dump()["properties"]["expect_edition"]["description"]


def test_a_scheduled_run_that_finds_nothing_new_names_the_missing_edition_and_leaves_the_file(tmp_path):
    raw = make_raw(tmp_path, EDITIONS / "2018-old-method", RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    first = run_refresh(raw, warehouse, now=FIXED_NOW, expect_edition=2019)
    assert (first.status, first.missing) == ("published", [])
    before = file_state(warehouse)

    again = run_refresh(raw, warehouse, now=FIXED_NOW + dt.timedelta(days=365))
    assert again.status == "unchanged"
    assert again.missing == [MissingEdition("GM0344", 2027, 2019, FIXED_NOW)]
    assert [str(m) for m in again.missing] == [
        f"editie 2027 van GM0344 is niet binnengekomen; laatste editie 2019, {LOADED}"]
    assert file_state(warehouse) == before


def test_only_municipalities_behind_the_expected_edition_are_missing_and_new_deliveries_count(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    run_refresh(raw, warehouse, now=FIXED_NOW, expect_edition=2019)
    other_municipality(raw, "GM0363", 2020)
    later = FIXED_NOW + dt.timedelta(days=1)
    assert latest_editions(discover(raw), warehouse, later) == {"GM0344": (2019, FIXED_NOW), "GM0363": (2020, later)}
    assert missing_editions(discover(raw), warehouse, 2020, later) == [MissingEdition("GM0344", 2020, 2019, FIXED_NOW)]

    published = run_refresh(raw, warehouse, now=later, expect_edition=2020)
    assert published.status == "published"
    assert [str(m) for m in published.missing] == [
        f"editie 2020 van GM0344 is niet binnengekomen; laatste editie 2019, {LOADED}"]
    assert missing_editions([], warehouse, 2020, later) == published.missing


def test_no_delivery_anywhere_expects_nothing(tmp_path):
    assert missing_editions([], tmp_path / "none.duckdb", 2026) == []


def test_the_run_report_puts_the_missing_edition_first(tmp_path):
    missing = [MissingEdition("GM0344", 2027, 2019, FIXED_NOW)]
    text = summary_markdown(Outcome("unchanged", tmp_path / "none.duckdb", [], None, missing=missing))
    assert text.splitlines()[:10] == [
        "# Verversing kanaalmonitor: Ongewijzigd: niets herbouwd", "", f"Warehouse: `{tmp_path / 'none.duckdb'}`", "",
        "Alle leveringen en de code die het warehouse vormt hebben dezelfde hash als bij de vorige publicatie; "
        "het bestand is niet aangeraakt. Start met `full_rebuild` om toch te herbouwen.", "",
        "## Waarschuwing: editie ontbreekt", "",
        f"- editie 2027 van GM0344 is niet binnengekomen; laatste editie 2019, {LOADED}", ""]
    assert "## Waarschuwing" not in summary_markdown(Outcome("unchanged", tmp_path / "none.duckdb", [], None))


def test_status_lists_editions_files_load_times_and_the_open_warning(tmp_path):
    raw = make_raw(tmp_path, EDITIONS / "2018-old-method", RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    run_refresh(raw, warehouse, now=FIXED_NOW)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):  # no server, whatever the session set
        lines = status_lines(warehouse, expect_edition=2020, now=FIXED_NOW)
    assert lines == [
        f"Warehouse: {warehouse}",
        "Edities:",
        f"- GM0344 editie 2018: {LOADED}; bestanden 2018-old-method/kerncijfers.csv, "
        "2018-old-method/klanttevredenheid.csv",
        f"- GM0344 editie 2019: {LOADED}; bestanden 2019/kerncijfers.csv, 2019/klanttevredenheid.csv",
        "Laatste verversing: onbekend (geen Prefect-server ingesteld: PREFECT_API_URL)",
        "Open waarschuwingen:",
        f"- editie 2020 van GM0344 is niet binnengekomen; laatste editie 2019, {LOADED}",
    ]
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        ok, none = status_lines(warehouse, expect_edition=2019, now=FIXED_NOW), status_lines(tmp_path / "none.duckdb")
    assert ok[-1] == "Open waarschuwingen: geen"
    assert none == [
        f"Warehouse: geen bestand op {tmp_path / 'none.duckdb'}; start `kanaalmonitor run`.",
        "Laatste verversing: onbekend (geen Prefect-server ingesteld: PREFECT_API_URL)",
        "Open waarschuwingen: geen"]


def test_the_flow_ends_in_the_warning_state_and_still_returns_its_result(prefect_in_process, tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    state = refresh(raw_dir=raw, warehouse=warehouse, expect_edition=2020, return_state=True)
    result = refresh(raw_dir=raw, warehouse=warehouse, expect_edition=2019)
    assert (state.type.value, state.name) == ("COMPLETED", "Editie ontbreekt")
    assert state.message.startswith("editie 2020 van GM0344 is niet binnengekomen; laatste editie 2019, geladen op ")
    assert state.result().status == "published"
    assert (result.status, result.missing) == ("unchanged", [])
