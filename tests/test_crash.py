"""SIGKILL a refresh at every stage: the published warehouse stays whole, and the next run recovers alone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kanaalmonitor.faults import CRASH_ENV, STAGES, crash_point
from tests.helpers import PROJECT_ROOT, RAW_2019, make_raw
from tests.ops_support import file_state, kanaalmonitor, prefect_env
from tests.reliability import failed_checks, refresh_in_process, snapshot

BEFORE_RENAME = STAGES[:STAGES.index("after-publish")]
WAREHOUSE_STAGES = STAGES[1:]  # every stage inside flows/warehouse.py


def test_stages_are_named_in_one_place_and_unknown_names_are_refused(monkeypatch):
    assert STAGES == ("parsed", "staged", "building", "checking", "before-publish", "after-publish")
    monkeypatch.setenv(CRASH_ENV, "staged")
    crash_point("parsed")  # another stage: returns
    with pytest.raises(ValueError, match="unknown crash stage 'publish'"):
        crash_point("publish")


def new_state(tmp_path: Path, raw: Path, published: Path, name: str) -> dict:
    """What a complete refresh of raw gives on top of the given published file (first-load times kept)."""
    ref = tmp_path / name / "kanaalmonitor.duckdb"
    ref.parent.mkdir()
    shutil.copy2(published, ref)
    refresh_in_process(raw, ref)
    return snapshot(ref)


def assert_whole(tmp_path, raw, warehouse, stage, before_file, before):
    """Opens, passes every data rule, and is exactly the previous state or exactly the new one."""
    assert failed_checks(warehouse) == {}
    if stage in BEFORE_RENAME:
        assert file_state(warehouse) == before_file
        assert snapshot(warehouse) == before
    else:
        after = snapshot(warehouse)
        assert after == new_state(tmp_path, raw, warehouse, f"reference-{stage}")
        assert sorted(r[1] for r in after["main.editions"]) == [2018, 2019]


def leftovers(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.iterdir() if p.name != f"{warehouse.name}.lock")


@pytest.mark.parametrize("stage", WAREHOUSE_STAGES)
def test_sigkill_inside_the_warehouse_build_then_the_next_run_recovers(tmp_path, stage, published_before):
    raw, warehouse = published_before
    before_file, before = file_state(warehouse), snapshot(warehouse)
    assert sorted(r[1] for r in before["main.editions"]) == [2018]

    env = {**os.environ, CRASH_ENV: stage}
    child = subprocess.run([sys.executable, "-m", "tests.reliability", "refresh", str(raw), str(warehouse)], env=env,
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert_whole(tmp_path, raw, warehouse, stage, before_file, before)

    refresh_in_process(raw, warehouse)
    assert failed_checks(warehouse) == {}
    assert snapshot(warehouse) == new_state(tmp_path, raw, warehouse, "reference-recovered")
    assert leftovers(warehouse) == ["kanaalmonitor.duckdb"]


@pytest.mark.slow
def test_sigkill_of_the_command_at_first_and_last_stage_then_a_plain_run_recovers(tmp_path, prefect_server,
                                                                                 published_before):
    raw, warehouse = published_before
    before_file, before = file_state(warehouse), snapshot(warehouse)
    args = ["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)]
    for stage in ("parsed", "checking", "after-publish"):
        crashed = kanaalmonitor(*args, env=prefect_env(tmp_path / "client", prefect_server, **{CRASH_ENV: stage}),
                                cwd=tmp_path)
        assert crashed.returncode == -signal.SIGKILL, (stage, crashed.stderr[-2000:])
        assert_whole(tmp_path, raw, warehouse, stage, before_file, before)

    recovered = kanaalmonitor(*args, env=prefect_env(tmp_path / "client", prefect_server), cwd=tmp_path)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert failed_checks(warehouse) == {}
    assert snapshot(warehouse) == new_state(tmp_path, raw, warehouse, "reference-recovered")
    assert leftovers(warehouse) == ["kanaalmonitor.duckdb"]


def test_stale_temp_and_wal_files_of_a_dead_writer_are_cleared(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    warehouse = tmp_path / "wh" / "kanaalmonitor.duckdb"
    warehouse.parent.mkdir()
    refresh_in_process(raw, warehouse)
    published = snapshot(warehouse)
    # A dead writer's leftovers: a half-written temp file with its WAL, and a WAL beside the published file
    # from a read-write session on another database file.
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("create table t as select range as i from range(1000)")
    con.execute("insert into t values (1)")
    con.close()
    for suffix in (".wal", ".tmp.wal"):
        shutil.copy(f"{other}.wal", f"{warehouse}{suffix}")
    Path(f"{warehouse}.tmp").write_bytes(b"half a database")
    with pytest.raises(duckdb.Error):
        snapshot(warehouse)

    refresh_in_process(raw, warehouse, now=None)
    assert failed_checks(warehouse) == {}
    assert snapshot(warehouse) == published
    assert leftovers(warehouse) == ["kanaalmonitor.duckdb"]
