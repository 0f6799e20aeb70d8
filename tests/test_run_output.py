"""What a run shows: the terminal's summary and warnings, and in Prefect a run name that says what ran, a log
line per step with its counts and a progress artifact."""

from __future__ import annotations

import shutil

import pytest

from flows.refresh import PROGRESS_KEY, refresh
from kanaalmonitor.refresh import run_name
from tests.ops_support import EDITIONS, RAW_2019, flow_run_id, kanaalmonitor, make_raw, prefect_env, run_artifacts


def flow_run(api_url: str, run_id: str):
    from prefect.client.orchestration import SyncPrefectClient

    with SyncPrefectClient(api_url) as client:
        return client.read_flow_run(run_id)


def run_logs(api_url: str, run_id: str) -> list[str]:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with SyncPrefectClient(api_url) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    return [log.message for log in sorted(logs, key=lambda log: log.timestamp)]


@pytest.mark.slow
def test_a_run_prints_its_summary_and_warnings_and_prefect_shows_each_step(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    raw = make_raw(tmp_path, EDITIONS / "2018-old-method", RAW_2019)
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    result = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--expect-edition", "2019",
                           env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # 36 + 40 cells; edition 2019 restates web_requests 2017 without a note; the four changes of more than
    # 25 % are those of raw/2019 (2018 adds 2014, whose changes into 2015 stay within 25 %).
    assert result.stdout == (
        f"Published {warehouse}: 2 deliveries, 76 cells, 5 warnings.\n"
        "warning: web_requests 2017: edition 2019 restates 231000 (edition 2018) as 233453 without a note\n"
        "warning: kcc_emails 2016: 32347 in 2015, 20578 in 2016 (-36.4%), more than 25% in a year on one method\n"
        "warning: phone_calls_14030 2017: 98185 in 2016, 164862 in 2017 (+67.9%), more than 25% in a year on one "
        "method\n"
        "warning: public_space_reports 2018: 57844 in 2017, 78624 in 2018 (+35.9%), more than 25% in a year on "
        "one method\n"
        "warning: whatsapp_messages 2016: 1849 in 2015, 11189 in 2016 (+505.1%), more than 25% in a year on one "
        "method\n")
    assert "━" not in result.stderr  # no progress bars when the output is not a terminal

    run_id = flow_run_id(result.stderr)
    assert flow_run(prefect_server, run_id).name == "refresh-2019-2-editions"
    logs = run_logs(prefect_server, run_id)
    steps = [m for m in logs if m.startswith(("deliveries read", "cells validated", "models built", "published"))]
    assert steps[:3] == ["deliveries read 1/2: 2018-old-method (2 files, 36 cells)",
                         "deliveries read 2/2: 2019 (2 files, 40 cells)", "cells validated 76"]
    assert [m.split(":")[0] for m in steps[3:26]] == [f"models built {k}/23" for k in range(1, 24)]
    assert steps[26:] == ["models built 23/23: 33 data rules checked, none broken", f"published: {warehouse}"]
    assert f"Published {warehouse}: 2 deliveries, 76 cells, 5 warnings." in logs
    progress = run_artifacts(prefect_server, run_id)[PROGRESS_KEY]
    assert (progress.type, float(progress.data), progress.description) == ("progress", 100.0,
                                                                             f"published: {warehouse}")


def test_an_in_process_run_is_named_after_its_editions(prefect_in_process, tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    state = refresh(raw_dir=raw, warehouse=tmp_path / "w.duckdb", return_state=True)
    assert flow_run(prefect_in_process, state.state_details.flow_run_id).name == "refresh-2019-1-edition"


def test_run_names_say_what_a_run_loads(tmp_path):
    raw = make_raw(tmp_path / "two", EDITIONS / "2018-old-method", RAW_2019)
    assert run_name(raw) == "refresh-2019-2-editions"
    shutil.copytree(RAW_2019, raw / "amsterdam-2019")
    manifest = raw / "amsterdam-2019" / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('municipality = "GM0344"',
                                                                     'municipality = "GM0363"'), encoding="utf-8")
    assert run_name(raw) == "refresh-2019-2-editions-2-municipalities"
    same = make_raw(tmp_path / "same", RAW_2019, EDITIONS / "2019-break")
    assert run_name(same) == "refresh-deliveries-refused"  # edition 2019 of GM0344 twice
    (tmp_path / "empty").mkdir()
    assert run_name(tmp_path / "empty") == "refresh-deliveries-refused"  # no delivery is refused too


def test_only_names_prefect_made_up_are_replaced():
    from prefect.utilities.names import generate_slug

    from flows.refresh import made_up

    assert all(made_up(generate_slug(2)) for _ in range(200))
    assert made_up("excellent-otter")
    # Names given when a run is triggered are kept, two lowercase words included.
    assert not any(made_up(n) for n in ["editie-ontbreekt", "nieuwe-editie", "geweigerd", "jaarlijkse-run",
                                        "refresh-2019-2-editions", "excellent"])
