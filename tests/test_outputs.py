"""The writing entry points (run_refresh, export_table, write_report) never write onto or into what the
pipeline reads, and an export or report is written whole or not at all, also on a full disk."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import read_only_connection
from kanaalmonitor.paths import OutputRefused
from kanaalmonitor.refresh import run_refresh
from kanaalmonitor.report.chapter import write_report
from kanaalmonitor.tables import export_table
from tests.helpers import RAW_2019, digests, make_raw
from tests.reliability import refresh_in_process

RUN_INSTEAD = ("Pass --warehouse a new file, or a warehouse this command published, outside raw/, schemas/ and the "
               f"code folders (default {PROJECT_ROOT}/warehouse/kanaalmonitor.duckdb).")
EXPORT_INSTEAD = ("Pass --out a new file, or an earlier export, outside raw/, schemas/, the code folders and the "
                  "warehouse's files, e.g. out/<table>.csv.")
REPORT_INSTEAD = ("Pass --out a folder of its own outside raw/, schemas/, the code folders and the warehouse's files "
                  f"(default {PROJECT_ROOT}/out/report).")
OBSERVATION_ROWS = 8 * 4 + 4 * 2  # raw/2019: kerncijfers 8 rows x 4 years, klanttevredenheid 4 x 2 ('-' is a row)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """raw/ with a copy of raw/2019 and the warehouse published from it."""
    base = tmp_path_factory.mktemp("outputs").resolve()
    raw = make_raw(base, RAW_2019)
    warehouse = base / "wh" / "kanaalmonitor.duckdb"
    warehouse.parent.mkdir()
    refresh_in_process(raw, warehouse)
    return raw, warehouse


@pytest.fixture
def unchanged(published):
    """Asserts after the test that raw/, the project's raw/ and the published warehouse are byte-identical."""
    raw, warehouse = published
    before = digests(raw, PROJECT_ROOT / "raw", warehouse.parent)
    yield
    assert digests(raw, PROJECT_ROOT / "raw", warehouse.parent) == before


def refused(call, message: str) -> None:
    with pytest.raises(OutputRefused) as info:
        call()
    assert str(info.value) == message


def export(warehouse: Path, out: Path, fmt: str = "csv") -> int:
    con = read_only_connection(warehouse)
    try:
        return export_table(con, "observations", fmt, out)
    finally:
        con.close()


# --- run: the warehouse

def test_run_refuses_a_warehouse_on_a_delivery_file(published, unchanged):
    raw, _ = published
    target = raw / "2019" / "klanttevredenheid.csv"
    refused(lambda: run_refresh(raw, target),
            f"Refused to write the warehouse to {target}: it lies inside the raw folder {raw}, whose deliveries are "
            f"only ever read. Nothing was written. {RUN_INSTEAD}")


def test_run_refuses_the_raw_folder_itself_and_a_link_into_it(published, unchanged, tmp_path):
    raw, _ = published
    refused(lambda: run_refresh(raw, raw),
            f"Refused to write the warehouse to {raw}: it is the raw folder {raw}, whose deliveries are only ever "
            f"read. Nothing was written. {RUN_INSTEAD}")
    link = tmp_path / "kanaalmonitor.duckdb"
    link.symlink_to(raw / "2019" / "kerncijfers.csv")
    refused(lambda: run_refresh(raw, link),
            f"Refused to write the warehouse to {link} (that is {raw}/2019/kerncijfers.csv): it lies inside the raw "
            f"folder {raw}, whose deliveries are only ever read. Nothing was written. {RUN_INSTEAD}")


def test_run_refuses_an_existing_file_that_is_not_a_warehouse(published, unchanged, tmp_path):
    raw, _ = published
    notes = tmp_path / "notes.csv"
    notes.write_bytes(b"jaar;aantal\n2019;1\n")
    refused(lambda: run_refresh(raw, notes),
            f"Refused to write the warehouse to {notes}: it exists and is not a DuckDB warehouse. Nothing was "
            f"written. {RUN_INSTEAD}")
    assert notes.read_bytes() == b"jaar;aantal\n2019;1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.csv"]


@pytest.mark.parametrize("target, folder, name", [
    ("schemas/kanaalmonitor.duckdb", "schemas", "the catalogue and schemas"),
    ("kanaalmonitor/kanaalmonitor.duckdb", "kanaalmonitor", "the project's code"),
    ("flows/kanaalmonitor.duckdb", "flows", "the project's flows"),
    ("warehouse/checks/kanaalmonitor.duckdb", "warehouse", "the warehouse SQL"),
    ("warehouse/kanaalmonitor.sql", "warehouse", "the warehouse SQL"),
])
def test_run_refuses_the_catalogue_code_and_sql_folders(published, unchanged, target, folder, name):
    raw, _ = published
    path = PROJECT_ROOT / target
    refused(lambda: run_refresh(raw, path),
            f"Refused to write the warehouse to {path}: it lies inside the folder of {name} {PROJECT_ROOT / folder}. "
            f"Nothing was written. {RUN_INSTEAD}")
    assert not path.exists() and not Path(f"{path}.lock").exists()


def test_run_refuses_to_overwrite_a_file_of_the_catalogue(published, unchanged):
    raw, _ = published
    series = PROJECT_ROOT / "schemas" / "series.csv"
    before = digests(series)
    refused(lambda: run_refresh(raw, series),
            f"Refused to write the warehouse to {series}: it lies inside the folder of the catalogue and schemas "
            f"{PROJECT_ROOT / 'schemas'}. Nothing was written. {RUN_INSTEAD}")
    assert digests(series) == before


# --- export: one file

@pytest.mark.parametrize("suffix, what", [("", "the published warehouse"),
                                          (".lock", "a work file (.lock) of the warehouse"),
                                          (".wal", "a work file (.wal) of the warehouse"),
                                          (".tmp", "a work file (.tmp) of the warehouse")])
def test_export_refuses_the_warehouse_and_its_work_files(published, unchanged, suffix, what):
    _, warehouse = published
    target = Path(f"{warehouse}{suffix}")
    refused(lambda: export(warehouse, target),
            f"Refused to write the export to {target}: it is {what} {warehouse}. Nothing was written. {EXPORT_INSTEAD}")
    assert target.exists() == (suffix in ("", ".lock"))


def test_export_follows_a_link_before_deciding(published, unchanged, tmp_path):
    _, warehouse = published
    link = tmp_path / "observations.csv"
    link.symlink_to(warehouse)
    refused(lambda: export(warehouse, link),
            f"Refused to write the export to {link} (that is {warehouse}): it is the published warehouse {warehouse}. "
            f"Nothing was written. {EXPORT_INSTEAD}")
    assert link.is_symlink()
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(warehouse.parent / "kanaalmonitor.duckdb.wal")
    refused(lambda: export(warehouse, dangling),
            f"Refused to write the export to {dangling} (that is {warehouse}.wal): it is a work file (.wal) of the "
            f"warehouse {warehouse}. Nothing was written. {EXPORT_INSTEAD}")


def test_export_refuses_a_delivery_file_and_a_new_file_in_a_delivery(published, unchanged):
    raw, warehouse = published
    for target in (raw / "2019" / "kerncijfers.csv", raw / "2019" / "sub" / "observations.csv"):
        refused(lambda target=target: export(warehouse, target),
                f"Refused to write the export to {target}: it lies inside the delivery folder {raw / '2019'} (it holds "
                f"a manifest.toml). Nothing was written. {EXPORT_INSTEAD}")
    assert not (raw / "2019" / "sub").exists()


def test_export_refuses_a_folder_of_deliveries(published, unchanged):
    raw, warehouse = published
    target = raw / "observations.csv"
    refused(lambda: export(warehouse, target),
            f"Refused to write the export to {target}: it lies inside the folder of deliveries {raw}, a raw folder. "
            f"Nothing was written. {EXPORT_INSTEAD}")


def test_export_refuses_the_projects_raw_folder(published, unchanged):
    _, warehouse = published
    target = PROJECT_ROOT / "raw" / "observations.csv"
    refused(lambda: export(warehouse, target),
            f"Refused to write the export to {target}: it lies inside the raw folder {PROJECT_ROOT / 'raw'}, whose "
            f"deliveries are only ever read. Nothing was written. {EXPORT_INSTEAD}")
    assert not target.exists()


@pytest.mark.parametrize("target, folder, name", [
    ("schemas/series.csv", "schemas", "the catalogue and schemas"),
    ("kanaalmonitor/observations.csv", "kanaalmonitor", "the project's code"),
    ("flows/observations.csv", "flows", "the project's flows"),
    ("warehouse/observations.sql", "warehouse", "the warehouse SQL"),
])
def test_export_refuses_the_catalogue_code_and_sql_folders(published, unchanged, target, folder, name):
    _, warehouse = published
    path = PROJECT_ROOT / target
    before = digests(PROJECT_ROOT / folder)
    refused(lambda: export(warehouse, path),
            f"Refused to write the export to {path}: it lies inside the folder of {name} {PROJECT_ROOT / folder}. "
            f"Nothing was written. {EXPORT_INSTEAD}")
    assert digests(PROJECT_ROOT / folder) == before


def test_export_refuses_another_duckdb_database(published, unchanged, tmp_path):
    _, warehouse = published
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    refused(lambda: export(warehouse, copy),
            f"Refused to write the export to {copy}: it is a DuckDB database. Nothing was written. {EXPORT_INSTEAD}")
    assert copy.read_bytes() == warehouse.read_bytes()


def test_an_export_replaces_an_earlier_one_whole_and_through_a_link(published, unchanged, tmp_path):
    _, warehouse = published
    out = tmp_path / "out" / "observations.csv"
    out.parent.mkdir()
    out.write_bytes(b"an earlier export\n")
    out.chmod(0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(out)
    assert export(warehouse, link) == OBSERVATION_ROWS
    assert link.is_symlink() and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert pacsv.read_csv(out).num_rows == OBSERVATION_ROWS
    assert sorted(p.name for p in out.parent.iterdir()) == ["observations.csv"]


# --- report: a folder

@pytest.mark.parametrize("folder, reason", [
    ("2019", "it is the delivery folder {raw}/2019 (it holds a manifest.toml)"),
    (".", "it is the folder of deliveries {raw}, a raw folder"),
])
def test_report_refuses_raw_folders(published, unchanged, folder, reason):
    raw, warehouse = published
    target = (raw / folder).resolve()
    refused(lambda: write_report(warehouse, target),
            f"Refused to write the report to {target}: {reason.format(raw=raw)}. Nothing was written. {REPORT_INSTEAD}")
    assert not any(p.name.startswith(("report", "kanaal-")) for p in raw.rglob("*"))


@pytest.mark.parametrize("folder, name", [("schemas", "the catalogue and schemas"), ("warehouse", "the warehouse SQL")])
def test_report_refuses_the_catalogue_and_sql_folders(published, unchanged, folder, name):
    _, warehouse = published
    target = PROJECT_ROOT / folder
    before = digests(target)
    refused(lambda: write_report(warehouse, target),
            f"Refused to write the report to {target}: it is the folder of {name} {target}. Nothing was written. "
            f"{REPORT_INSTEAD}")
    assert digests(target) == before


def test_report_refuses_a_link_to_the_warehouse_folder_of_the_project(published, unchanged, tmp_path):
    _, warehouse = published
    link = tmp_path / "report"
    link.symlink_to(PROJECT_ROOT / "warehouse" / "report")
    refused(lambda: write_report(warehouse, link),
            f"Refused to write the report to {link} (that is {PROJECT_ROOT}/warehouse/report): it lies inside the "
            f"folder of the warehouse SQL {PROJECT_ROOT / 'warehouse'}. Nothing was written. {REPORT_INSTEAD}")


# --- a full disk: the file size limit of a child process, which then sees EFBIG like on a full disk

FULL_DISK = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from kanaalmonitor.db import read_only_connection
from kanaalmonitor.report.chapter import write_report
from kanaalmonitor.tables import export_table
warehouse, what, out, limit = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
con = read_only_connection(warehouse)
con.execute("select 1").fetchall()
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
if what == "report":
    con.close()
    write_report(warehouse, out)
else:
    print(export_table(con, "observation_vintages", what, out))
"""


def on_a_full_disk(warehouse: Path, what: str, out: Path, limit: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FULL_DISK, str(warehouse), what, str(out), str(limit)],
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_an_export_to_a_full_disk_fails_and_leaves_the_earlier_file(published, unchanged, tmp_path, fmt):
    _, warehouse = published
    out = tmp_path / f"observation_vintages.{fmt}"
    out.write_bytes(b"an earlier export\n")
    result = on_a_full_disk(warehouse, fmt, out, 2048)
    assert result.returncode == 1 and result.stdout == ""
    assert "OSError: [Errno 27] File too large" in result.stderr, result.stderr[-2000:]
    assert out.read_bytes() == b"an earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_the_same_export_with_room_succeeds(published, unchanged, tmp_path):
    _, warehouse = published
    out = tmp_path / "observation_vintages.xlsx"
    result = on_a_full_disk(warehouse, "xlsx", out, 10_000_000)
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.read_bytes()[:2] == b"PK"


def test_a_report_to_a_full_disk_fails_and_leaves_the_earlier_files(published, unchanged, tmp_path):
    _, warehouse = published
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_bytes(b"# an earlier report\n")
    (out / "kanaal-phone.png").write_bytes(b"an earlier chart")
    result = on_a_full_disk(warehouse, "report", out, 8192)
    assert result.returncode == 1
    assert "OSError: [Errno 27] File too large" in result.stderr, result.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["kanaal-phone.png", "report.md"]
    assert (out / "report.md").read_bytes() == b"# an earlier report\n"
    assert (out / "kanaal-phone.png").read_bytes() == b"an earlier chart"
