"""The fast paths stay fast: `kanaalmonitor query` loads no pandas, pandera or Prefect, and a `run` with nothing
changed loads no pandas, pandera, Prefect server or Dask (not even with --task-runner dask). Read from the real
command's `-X importtime` output."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import RAW_2019, make_raw
from tests.ops_support import BIN


def imported(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the real command with PYTHONPROFILEIMPORTTIME; its result and every module it imported."""
    out = subprocess.run([str(BIN / "kanaalmonitor"), *args], capture_output=True, text=True, timeout=120,
                         env={**(env or os.environ), "PYTHONPROFILEIMPORTTIME": "1"})
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("import time:")]
    assert len(lines) > 50, out.stderr
    return out, {ln.rsplit("|", 1)[1].strip() for ln in lines}


def packages(modules: set[str], *names: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names)


def test_a_query_loads_no_pandas_pandera_or_prefect(built_2019):
    out, modules = imported(["query", "select count(*) as cells from observations", "--warehouse", str(built_2019)])
    assert out.returncode == 0
    assert out.stdout == "cells\n-----\n   40\n1 row\n"  # raw/2019: 8 rows x 4 years + 4 grades x 2 years
    assert {"click", "duckdb", "kanaalmonitor.query"} <= modules
    assert packages(modules, "pandas", "pandera", "prefect", "ibis", "pyarrow", "numpy") == []


@pytest.mark.parametrize("runner", [[], ["--task-runner", "dask"]], ids=["default", "dask"])
def test_an_unchanged_run_loads_no_pandas_pandera_or_prefect_server(warehouse_2019, tmp_path, runner):
    raw = make_raw(tmp_path, RAW_2019)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_EPHEMERAL_ENABLED="false")
    out, modules = imported(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse_2019), "--expect-edition",
                             "2019", *runner], env)
    assert out.returncode == 0
    assert out.stdout.startswith(f"Unchanged: {warehouse_2019} already holds this delivery;"), out.stdout
    assert "kanaalmonitor.refresh" in modules
    # Dask is imported only when deliveries are read on it; with nothing changed, no cluster starts.
    assert packages(modules, "pandas", "pandera", "ibis", "dask", "distributed", "prefect_dask") == []
    assert sorted(m for m in modules if m.startswith(("prefect.server", "flows.refresh"))) == []
