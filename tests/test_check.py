"""`kanaalmonitor check`: a refresh that stops short of publishing. It finds every problem the run would, says
what the run would load, and changes nothing (raw/, the published warehouse, no temporary files left)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.errors import DeliveryError, ExitCode
from kanaalmonitor.refresh import run_refresh
from tests.helpers import EDITIONS, RAW_2019, copy_warehouse, digests, make_raw

NEW_2020 = EDITIONS / "2020-without-whatsapp"


@pytest.fixture(autouse=True)
def own_temp(tmp_path, monkeypatch) -> Path:
    """This test's own temporary folder, where the dry run puts its work files."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def check(capsys, raw: Path, warehouse: Path, *folders: Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `kanaalmonitor check`; raw/, the warehouse and the temporary folder
    must be as before."""
    before = digests(raw, *folders, *([warehouse] if warehouse.exists() else []))
    code = main(["check", *map(str, folders), "--raw-dir", str(raw), "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert digests(raw, *folders, *([warehouse] if warehouse.exists() else [])) == before
    assert list(Path(tempfile.gettempdir()).iterdir()) == []
    return code, out, err


def test_a_new_edition_outside_raw_is_ready_to_load(tmp_path, capsys, built_2019):
    raw, warehouse = make_raw(tmp_path, RAW_2019), copy_warehouse(built_2019, tmp_path / "wh")
    code, out, err = check(capsys, raw, warehouse, NEW_2020)
    # 2019: 8 key-figure rows x 4 years + 4 grades x 2 years = 40 cells; 2020: 7 rows x 3 years = 21.
    # 2017 and 2018 as 2019 printed them; 2019 is a new year: no current figure changes.
    assert (code, err) == (ExitCode.OK, "")
    # The plausibility warnings of the trial build, by hand from raw/2019 (2020 changes no figure by 25 %):
    # 32.347 -> 20.578 is -36,4 %, 98.185 -> 164.862 +67,9 %, 57.844 -> 78.624 +35,9 %, 1.849 -> 11.189 +505,1 %.
    assert out == (
        "Ready to load: 2 deliveries (1 new edition: GM0344 2020), 61 cells, 0 new series, "
        "0 revised figures. Nothing was changed; `kanaalmonitor run` loads them.\n"
        "warning: kcc_emails 2016: 32347 in 2015, 20578 in 2016 (-36.4%), more than 25% in a year on one method\n"
        "warning: phone_calls_14030 2017: 98185 in 2016, 164862 in 2017 (+67.9%), more than 25% in a year on one "
        "method\n"
        "warning: public_space_reports 2018: 57844 in 2017, 78624 in 2018 (+35.9%), more than 25% in a year on one "
        "method\n"
        "warning: whatsapp_messages 2016: 1849 in 2015, 11189 in 2016 (+505.1%), more than 25% in a year on one "
        "method\n")
    assert not (tmp_path / "wh" / "kanaalmonitor.duckdb.work").exists()
    assert not (tmp_path / "wh" / "kanaalmonitor.duckdb.lock").exists()


def test_revised_figures_are_counted(tmp_path, capsys, published_before):
    raw, warehouse = published_before
    code, out, _ = check(capsys, raw, warehouse)
    # Against the 2018 edition: web requests 2017 (231.000 -> 233.453), counter visits 2015-2017 restated
    # (310.450 -> 257.981, 318.002 -> 274.268, 322.987 -> 291.215) and 2014 withdrawn: 5 figures.
    # 2018: 8 x 4 + 4 x 1 = 36 cells; 2019: 40.
    assert code == ExitCode.OK
    assert out.splitlines()[0] == ("Ready to load: 2 deliveries (1 new edition: GM0344 2019), 76 cells, "
                                   "0 new series, 5 revised figures. Nothing was changed; `kanaalmonitor run` "
                                   "loads them.")
    assert "warning: web_requests 2017: edition 2019 restates 231000 (edition 2018) as 233453 without a note" in out


def test_nothing_published_makes_every_series_new(tmp_path, capsys):
    raw = make_raw(tmp_path, RAW_2019)
    code, out, _ = check(capsys, raw, tmp_path / "none.duckdb")
    # 8 key-figure series and 4 satisfaction grades.
    assert code == ExitCode.OK
    assert out.startswith("Ready to load: 1 delivery (1 new edition: GM0344 2019), 40 cells, 12 new series, "
                          "0 revised figures.")
    assert not (tmp_path / "none.duckdb").exists()


def test_the_published_deliveries_are_nothing_new(tmp_path, capsys, built_2019):
    raw, warehouse = make_raw(tmp_path, RAW_2019), copy_warehouse(built_2019, tmp_path / "wh")
    code, out, _ = check(capsys, raw, warehouse)
    assert (code, out) == (ExitCode.OK, f"Nothing new: {warehouse} already holds every delivery (1 delivery).\n")


def misspell_a_label(raw: Path, new: Path) -> None:
    table = new / "kerncijfers.csv"
    table.write_bytes(table.read_bytes().replace(b"naar gemeente;", b"naar gemeenten;"))


def change_a_published_cell(raw: Path, new: Path) -> None:
    printed = raw / "2019" / "kerncijfers.csv"
    printed.write_bytes(printed.read_bytes().replace(b"18.671", b"18.672"))


@pytest.mark.parametrize("spoil", [misspell_a_label, change_a_published_cell])
def test_the_check_finds_every_problem_the_run_finds(tmp_path, capsys, built_2019, spoil):
    raw, warehouse = make_raw(tmp_path, RAW_2019), copy_warehouse(built_2019, tmp_path / "wh")
    new = tmp_path / "incoming" / "2020"
    shutil.copytree(NEW_2020, new)
    spoil(raw, new)
    code, out, err = check(capsys, raw, warehouse, new)
    shutil.copytree(new, raw / "2020")
    with pytest.raises(DeliveryError) as refused:
        run_refresh(raw, copy_warehouse(built_2019, tmp_path / "wh2"))
    assert (code, out) == (ExitCode.REFUSED, "")
    assert err == refused.value.report() + "\n"
    assert "naar gemeenten" in err or "18.672" in err


def test_a_folder_without_manifest_is_refused(tmp_path, capsys, built_2019):
    raw, warehouse = make_raw(tmp_path, RAW_2019), copy_warehouse(built_2019, tmp_path / "wh")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = check(capsys, raw, warehouse, empty)
    assert code == ExitCode.REFUSED
    assert "no manifest.toml in the delivery folder" in err
