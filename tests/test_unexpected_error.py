"""An unexpected error of `kanaalmonitor run` (a real one, raised at a crash point): exit code 8, one line on stderr
naming the error log beside the warehouse, the whole traceback in that file and in the Prefect run log, and no
traceback on the terminal; the published warehouse and raw/ as they were."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kanaalmonitor.faults import CRASH_ENV
from tests.helpers import digests
from tests.ops_support import file_state, kanaalmonitor, prefect_env


def _run_logs(api_url: str, warehouse: Path) -> list[str]:
    """Every log message of the flow runs on the server that refreshed this warehouse."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with SyncPrefectClient(api_url) as client:
        runs = [r for r in client.read_flow_runs(limit=200) if r.parameters.get("warehouse") == str(warehouse)]
        assert len(runs) == 1, runs
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[runs[0].id])))
    return [log.message for log in logs]


@pytest.mark.slow
def test_an_unexpected_error_is_one_line_with_the_path_of_its_traceback(tmp_path, prefect_server, published_before):
    raw, warehouse = published_before
    before, raw_before = file_state(warehouse), digests(raw)
    result = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse),
                           env=prefect_env(tmp_path / "client", prefect_server, **{CRASH_ENV: "staged:raise"}),
                           cwd=tmp_path)
    assert result.returncode == 8, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    found = re.fullmatch(r"Unexpected error \(InjectedFault\): fault injected at stage staged\. Its traceback is in "
                         r"(.+/kanaalmonitor\.duckdb\.log/error-\d{8}T\d{6}Z-\d+\.txt)\.", last)
    assert found, last
    log = Path(found.group(1))
    assert log.parent == Path(f"{warehouse}.log")
    text = log.read_text(encoding="utf-8")
    assert text.startswith("Traceback (most recent call last):")
    assert 'crash_point("staged")' in text and text.rstrip().endswith(
        "kanaalmonitor.faults.InjectedFault: fault injected at stage staged")
    messages = _run_logs(prefect_server, warehouse)
    assert any("Traceback (most recent call last)" in m and "InjectedFault: fault injected at stage staged" in m
               for m in messages), messages
    assert file_state(warehouse) == before and digests(raw) == raw_before
    assert sorted(p.name for p in warehouse.parent.iterdir()) == [
        "kanaalmonitor.duckdb", "kanaalmonitor.duckdb.lock", "kanaalmonitor.duckdb.log"]
