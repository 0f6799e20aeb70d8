"""A published warehouse is either read or the command refuses: a damaged file, a file that is not DuckDB or a
warehouse of a schema the code does not know never counts as "nothing published" (a refresh would then publish
without the editions that left raw/). Through the real command: the exact message, exit code 4, and raw/ and
the warehouse byte-identical afterwards."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.errors import ExitCode
from tests.helpers import EDITIONS, copy_warehouse, digests, make_raw

WAYS_OUT = ("Nothing was changed. Restore it from a backup, or move it aside (e.g. mv {w} {w}.unreadable) to "
            "rebuild it on purpose from the deliveries under raw/ with `kanaalmonitor run`.")
UNKNOWN_SCHEMA = "it has no table {table}, so it is not a warehouse this version of kanaalmonitor knows"


def _drop(warehouse: Path, sql: str) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute(sql)
    con.execute("checkpoint")
    con.close()


def damaged(built: Path, folder: Path, damage: str) -> Path:
    """A copy of the published 2019 warehouse, damaged one way."""
    warehouse = copy_warehouse(built, folder)
    if damage == "truncated":  # a copy that stopped after 300 kB
        warehouse.write_bytes(warehouse.read_bytes()[:300_000])
    elif damage == "not-duckdb":
        warehouse.write_text("municipality;edition\nGM0344;2019\n", encoding="utf-8")
    elif damage == "no-build-info":
        _drop(warehouse, "drop table build_info")
    elif damage == "no-deliveries":
        _drop(warehouse, "drop table deliveries")
    elif damage == "vintages-without-cell":  # an older layout of observation_vintages
        _drop(warehouse, "alter table observation_vintages drop column cell")
    return warehouse


@pytest.fixture
def monitor_no_server(tmp_path, monkeypatch):
    """No PREFECT_API_URL (the command's own default) and no temporary server allowed: a refusal must come
    before any flow starts."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings({PREFECT_SERVER_EPHEMERAL_ENABLED: False}, restore_defaults={PREFECT_API_URL}):
        yield


@pytest.fixture
def edition_gone(tmp_path):
    """raw/ with only the 2018 edition: the published 2019 edition's folder has left it."""
    return make_raw(tmp_path, EDITIONS / "2018-old-method")


def _run(raw: Path, warehouse: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)])
    return code, capsys.readouterr().err


def _unchanged(raw: Path, warehouse: Path):
    before = digests(raw, warehouse)

    def check():
        assert digests(raw, warehouse) == before
        assert {p.name for p in warehouse.parent.iterdir()} <= {warehouse.name, f"{warehouse.name}.lock"}
    return check


@pytest.mark.parametrize("damage, table", [("no-build-info", "build_info"), ("no-deliveries", "deliveries")])
def test_a_refresh_on_a_warehouse_of_an_unknown_schema_is_refused_without_a_server(
        damage, table, edition_gone, built_2019, tmp_path, capsys, monitor_no_server):
    warehouse = damaged(built_2019, tmp_path / "wh", damage)
    unchanged = _unchanged(edition_gone, warehouse)
    code, err = _run(edition_gone, warehouse, capsys)
    assert code == ExitCode.CANNOT_READ == 4
    assert err == (f"Cannot read the published warehouse {warehouse}: {UNKNOWN_SCHEMA.format(table=table)}. "
                   f"{WAYS_OUT.format(w=warehouse)}\n")
    unchanged()


def test_a_refresh_on_a_truncated_warehouse_is_refused(edition_gone, built_2019, tmp_path, capsys,
                                                         monitor_no_server):
    warehouse = damaged(built_2019, tmp_path / "wh", "truncated")
    unchanged = _unchanged(edition_gone, warehouse)
    code, err = _run(edition_gone, warehouse, capsys)
    assert code == 4
    assert err.startswith(f"Cannot read the published warehouse {warehouse}: IO Error: ")
    assert err.endswith(f". {WAYS_OUT.format(w=warehouse)}\n") and err.count("\n") == 1
    unchanged()


def test_a_refresh_onto_a_file_that_is_not_duckdb_is_refused_as_an_output(edition_gone, built_2019, tmp_path,
                                                                         capsys, monitor_no_server):
    warehouse = damaged(built_2019, tmp_path / "wh", "not-duckdb")
    unchanged = _unchanged(edition_gone, warehouse)
    code, err = _run(edition_gone, warehouse, capsys)
    assert code == ExitCode.OUTPUT_REFUSED == 7
    assert err.startswith(f"Refused to write the warehouse to {warehouse}: it exists and is not a DuckDB warehouse. "
                          "Nothing was written. Pass --warehouse a new file")
    unchanged()


READERS = {
    "query": ["query", "select * from observation_vintages"],
    "tables": ["tables"],
    "describe": ["describe", "observations"],
    "export": ["export", "observation_vintages", "--format", "csv", "--out", "{out}/vintages.csv"],
    "report": ["report", "--out", "{out}/report"],
    "status": ["status"],
}
# A truncated file still opens and lists its tables: the commands that read the data refuse.
CASES = [("not-duckdb", c) for c in READERS] + [("truncated", c) for c in ("query", "export", "report", "status")]


@pytest.mark.parametrize("damage, command", CASES)
def test_every_reading_command_refuses_an_unreadable_warehouse_with_exit_4(damage, command, built_2019, tmp_path,
                                                                            capsys, monitor_no_server):
    warehouse = damaged(built_2019, tmp_path / "wh", damage)
    out = tmp_path / "out"
    unchanged = _unchanged(tmp_path / "wh", warehouse)
    capsys.readouterr()
    code = main([a.format(out=out) for a in READERS[command]] + ["--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 4
    if damage == "not-duckdb":
        assert err == (f'Cannot read the published warehouse {warehouse}: IO Error: The file "{warehouse}" exists, '
                       f"but it is not a valid DuckDB database file. {WAYS_OUT.format(w=warehouse)}\n")
    else:
        assert err.startswith(f"Cannot read the published warehouse {warehouse}: IO Error: ")
        assert err.endswith(f". {WAYS_OUT.format(w=warehouse)}\n") and err.count("\n") == 1
    assert not out.exists() or not any(out.rglob("*"))
    unchanged()


def test_a_refresh_whose_check_against_the_published_cells_cannot_read_them_is_refused(
        edition_gone, built_2019, tmp_path, capsys, prefect_in_process):
    """build_info and deliveries read, so the refresh runs as a flow; the rule across deliveries then cannot
    read observation_vintages (no column cell) and the refresh stops there instead of publishing without 2019."""
    warehouse = damaged(built_2019, tmp_path / "wh", "vintages-without-cell")
    unchanged = _unchanged(edition_gone, warehouse)
    code, err = _run(edition_gone, warehouse, capsys)
    assert code == 4
    last = err.splitlines()[-1]
    assert last.startswith(f"Cannot read the published warehouse {warehouse}: Binder Error: ")
    assert '"cell"' in last and last.endswith(f". {WAYS_OUT.format(w=warehouse)}")
    unchanged()
