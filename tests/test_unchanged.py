"""A refresh on unchanged deliveries and code says so and leaves the published file alone; full_rebuild rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from kanaalmonitor.build.fingerprint import build_inputs
from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.report.run_report import KERNCIJFERS_KEY, SUMMARY_KEY
from tests.ops_support import (
    EDITIONS,
    RAW_2019,
    file_state,
    flow_run_id,
    kanaalmonitor,
    make_raw,
    prefect_env,
    run_artifacts,
)


def run(env, tmp_path, raw, warehouse, *extra):
    result = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), *extra, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.slow
def test_second_run_on_unchanged_raw_files_leaves_the_warehouse_untouched(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    raw = make_raw(tmp_path, RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"

    first = run(env, tmp_path, raw, warehouse)
    assert first.stdout.startswith(f"Published {warehouse}: 1 delivery,")
    published = file_state(warehouse)

    second = run(env, tmp_path, raw, warehouse, "--expect-edition", "2019")
    assert second.stdout == (f"Unchanged: {warehouse} already holds this delivery; nothing was rebuilt "
                             "(--full-rebuild rebuilds anyway).\n")
    assert file_state(warehouse) == published
    assert not warehouse.with_name(warehouse.name + ".tmp").exists()
    report = run_artifacts(prefect_server, flow_run_id(second.stderr))
    assert "# Verversing kanaalmonitor: Ongewijzigd: niets herbouwd" in report[SUMMARY_KEY].data
    assert "| 2019 | GM0344 | 2019 | 2019/kerncijfers.csv, 2019/klanttevredenheid.csv | " \
           "ongewijzigd, niet opnieuw geladen |" in report[SUMMARY_KEY].data
    assert '"2018": "314.803"' in report[KERNCIJFERS_KEY].data

    rebuilt = run(env, tmp_path, raw, warehouse, "--full-rebuild")
    assert rebuilt.stdout.startswith(f"Published {warehouse}: 1 delivery,")
    assert file_state(warehouse)[1:] != published[1:]
    report = run_artifacts(prefect_server, flow_run_id(rebuilt.stderr))
    assert "| 2019 | GM0344 | 2019 | 2019/kerncijfers.csv, 2019/klanttevredenheid.csv | geladen (ongewijzigd) |" \
        in report[SUMMARY_KEY].data

    shutil.copytree(EDITIONS / "2018-old-method", raw / "2018-old-method")
    grown = run(env, tmp_path, raw, warehouse)
    assert grown.stdout.startswith(f"Published {warehouse}: 2 deliveries")
    report = run_artifacts(prefect_server, flow_run_id(grown.stderr))
    assert "| 2018-old-method | GM0344 | 2018 | 2018-old-method/kerncijfers.csv, " \
           "2018-old-method/klanttevredenheid.csv | geladen (nieuw) |" in report[SUMMARY_KEY].data
    con = connect(warehouse, read_only=True)
    try:
        got = con.execute("select value from observations where series = 'web_requests' and year = 2014").fetchall()
        recorded = con.execute("select name from build_info where kind = 'delivery' order by name").fetchall()
    finally:
        con.close()
    assert got == [(198420,)]  # printed only in the 2018 edition: the new delivery was loaded
    assert recorded == [("2018-old-method",), ("2019",)]


def test_a_changed_sql_model_changes_the_fingerprint(tmp_path):
    root = tmp_path / "project"
    for folder in ("flows", "schemas", "warehouse"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("*.duckdb*", "__pycache__"))
    deliveries = discover(make_raw(tmp_path, RAW_2019))
    before = build_inputs(deliveries, root)
    assert build_inputs(deliveries, root) == before
    model = root / "warehouse" / "core" / "observations.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    after = build_inputs(deliveries, root)
    assert before - after == {("code", "warehouse/core/observations.sql", h) for k, n, h in before
                              if n == "warehouse/core/observations.sql"}
    assert len(after) == len(before)


def test_a_missing_edition_is_a_warning_on_the_terminal_and_the_run_exits_0(built_2019, tmp_path):
    from tests.helpers import copy_warehouse

    warehouse = copy_warehouse(built_2019, tmp_path / "wh")
    raw = make_raw(tmp_path, RAW_2019)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_EPHEMERAL_ENABLED="false")
    out = subprocess.run([sys.executable, "-m", "kanaalmonitor.cli", "run", "--raw-dir", str(raw), "--warehouse",
                          str(warehouse), "--expect-edition", "2020"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"Unchanged: {warehouse} already holds this delivery; nothing was rebuilt (--full-rebuild rebuilds anyway).",
        "warning: editie 2020 van GM0344 is niet binnengekomen; laatste editie 2019, geladen op 2026-06-01 08:00"]
