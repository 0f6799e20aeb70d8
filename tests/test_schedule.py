"""The yearly deployment on a real Prefect server: schedule, restart, a triggered run and its report."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

from kanaalmonitor.build.warehouse import run_checks
from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import connect
from kanaalmonitor.report.run_report import KERNCIJFERS_KEY, SUMMARY_KEY
from tests.ops_support import BIN, EDITIONS, RAW_2019, SERVING, kanaalmonitor, make_raw, prefect_env, stop, wait_until

pytestmark = pytest.mark.xdist_group(SERVING)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DESCRIPTION = ("Yearly refresh of the Kanaalmonitor warehouse from the deliveries under raw_dir. Schedule: cron "
               "'0 6 1 6 *' (minute hour day month weekday) in time zone Europe/Amsterdam, local time there in "
               "summer and winter alike.")
READY = "is being served and polling for scheduled runs"


def start_serve(root: Path, env: dict, raw: Path, warehouse: Path, log_name: str) -> subprocess.Popen:
    log = (root / log_name).open("wb")
    proc = subprocess.Popen([str(BIN / "kanaalmonitor"), "serve", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
                            env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return proc


def served(proc: subprocess.Popen, log: Path) -> bool:
    assert proc.poll() is None, log.read_text(errors="replace")
    return READY in log.read_text(errors="replace")


def deployment(client: SyncPrefectClient):
    try:
        return client.read_deployment_by_name("refresh/yearly")
    except ObjectNotFound:
        return None


def scheduled_runs(client: SyncPrefectClient, deployment_id) -> list:
    runs = client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))))
    return sorted(runs, key=lambda r: r.expected_start_time)


def next_first_of_june(now: dt.datetime) -> dt.datetime:
    """1 June 06:00 in Amsterdam, the first one after now."""
    this_year = dt.datetime(now.year, 6, 1, 6, 0, tzinfo=AMSTERDAM)
    return this_year if now < this_year else dt.datetime(now.year + 1, 6, 1, 6, 0, tzinfo=AMSTERDAM)


def assert_schedule_active(client: SyncPrefectClient):
    dep = deployment(client)
    assert not dep.paused
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in dep.schedules] == [
        ("0 6 1 6 *", "Europe/Amsterdam", True)]
    assert dep.description == DESCRIPTION
    expected = next_first_of_june(dt.datetime.now(AMSTERDAM))
    runs = wait_until(lambda: scheduled_runs(client, dep.id), 60, "the scheduled yearly runs")
    assert runs[0].expected_start_time == expected
    return dep, runs


@pytest.mark.slow
def test_yearly_schedule_survives_restart_and_a_triggered_run_reports(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    default_raw = make_raw(tmp_path / "default", RAW_2019)
    raw = make_raw(tmp_path / "both", RAW_2019, EDITIONS / "2018-old-method")
    warehouse = tmp_path / "triggered" / "kanaalmonitor.duckdb"
    serve = start_serve(tmp_path, env, default_raw, tmp_path / "default.duckdb", "serve-1.log")
    try:
        wait_until(lambda: served(serve, tmp_path / "serve-1.log"), 120, "kanaalmonitor serve")
        with SyncPrefectClient(prefect_server) as client:
            dep, runs = assert_schedule_active(client)
            assert dep.parameters["raw_dir"] == str(default_raw)
            # 1 June 06:00 is summer time in Amsterdam: 04:00 UTC.
            assert runs[0].expected_start_time.astimezone(dt.UTC).hour == 4
            # The scheduler looks 1100 days ahead: the next three yearly runs are there, one year apart.
            years = [r.expected_start_time.astimezone(AMSTERDAM).year for r in runs]
            assert years[:3] == [years[0], years[0] + 1, years[0] + 2]

            assert stop(serve) == 0
            dep, _ = assert_schedule_active(client)

            serve = start_serve(tmp_path, env, default_raw, tmp_path / "default.duckdb", "serve-2.log")
            wait_until(lambda: served(serve, tmp_path / "serve-2.log"), 120, "kanaalmonitor serve, restarted")
            assert_schedule_active(client)

            trigger = subprocess.run(
                [str(BIN / "prefect"), "deployment", "run", "refresh/yearly", "-p", f"raw_dir={raw}",
                 "-p", f"warehouse={warehouse}", "--flow-run-name", "triggered-by-test", "--watch",
                 "--watch-timeout", "180"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
            assert trigger.returncode == 0, trigger.stdout + trigger.stderr
            (run,) = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=["triggered-by-test"])))
            assert run.state.type == StateType.COMPLETED
            assert (run.parameters["raw_dir"], run.parameters["warehouse"]) == (str(raw), str(warehouse))

            artifacts = {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[SUMMARY_KEY, KERNCIJFERS_KEY]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))}
    finally:
        stop(serve)

    con = connect(warehouse, read_only=True)
    try:
        assert run_checks(con) == {}
        values = dict(((s, y), v) for s, y, v in con.execute(
            "select series, year, value from observations where series in ('phone_calls', 'web_requests')").fetchall())
    finally:
        con.close()
    assert values[("phone_calls", 2018)] == 314803  # 2019 edition, kerncijfers.csv
    assert values[("web_requests", 2014)] == 198420  # only in the 2018 edition: the parameter raw_dir was used
    assert values[("web_requests", 2017)] == 233453  # the 2019 edition restates the 2018 edition's 231.000

    summary = artifacts[SUMMARY_KEY]
    assert summary.type == "markdown"
    assert "# Verversing kanaalmonitor: Gepubliceerd" in summary.data
    assert "| 2018-old-method | GM0344 | 2018 |" in summary.data
    # Restatement: (233.453 - 231.000) / 231.000 = 2.453 / 231.000 = +1,06 %.
    assert "| aantal digitale aanvragen via website Utrecht.nl | 2017 | 2018 | 231.000 | 2019 | 233.453 | +1,1 % |" \
        in summary.data
    # Plausibility: WhatsApp 2015 -> 2016: (11.189 - 1.849) / 1.849 = 9.340 / 1.849 = +505,1 %.
    assert "| WhatsApp-berichten | 2016 | 1.849 | 11.189 | +505,1 % |" in summary.data
    # 14030 calls 2016 -> 2017: (164.862 - 98.185) / 98.185 = 66.677 / 98.185 = +67,9 %.
    assert "| waarvan via 14030 | 2017 | 98.185 | 164.862 | +67,9 % |" in summary.data
    # E-mails 2015 -> 2016: (20.578 - 32.347) / 32.347 = -11.769 / 32.347 = -36,4 %.
    assert "| aantal e-mails naar Klantcontactcentrum (inclusief e-formulieren) | 2016 | 32.347 | 20.578 | -36,4 % |" \
        in summary.data
    # Reports 2017 -> 2018: (78.624 - 57.844) / 57.844 = 20.780 / 57.844 = +35,9 %; four warnings in all.
    assert "| waarvan meldingen openbare ruimte | 2018 | 57.844 | 78.624 | +35,9 % |" in summary.data
    assert "4 waarschuwing(en)" in summary.data

    table = {row["series"]: row for row in json.loads(artifacts[KERNCIJFERS_KEY].data)}
    assert artifacts[KERNCIJFERS_KEY].type == "table"
    assert table["phone_calls"]["2018"] == "314.803"
    assert table["web_requests"]["2014"] == "198.420"
    # The 2019 edition restates counter visits on a new method from 2015 on: 2014 (old method) has no current value.
    assert table["counter_visits"]["2014"] is None
    assert table["counter_visits"]["2015"] == "257.981"


@pytest.mark.slow
def test_work_pool_and_prefect_yaml_deploy_without_internet(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    result = kanaalmonitor("work-pool", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Work pool 'kanaalmonitor' created" in result.stdout
    deploy = subprocess.run([str(BIN / "prefect"), "deploy", "--all", "--no-prompt"], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=240)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    with SyncPrefectClient(prefect_server) as client:
        pool = client.read_work_pool("kanaalmonitor")
        dep = client.read_deployment_by_name("refresh/yearly-worker")
    assert pool.type == "process"
    assert pool.base_job_template == ProcessWorker.get_default_base_job_template()
    assert dep.work_pool_name == "kanaalmonitor"
    assert dep.entrypoint == "flows/refresh.py:refresh"
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in dep.schedules] == [
        ("0 6 1 6 *", "Europe/Amsterdam", True)]
    assert dep.description == DESCRIPTION
    assert dep.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_ROOT)}}]


def test_serve_refuses_without_a_server(tmp_path):
    result = kanaalmonitor("serve", env=prefect_env(tmp_path / "home"), cwd=tmp_path, timeout=60)
    assert result.returncode == 5
    assert "kanaalmonitor serve needs a Prefect server that outlives it" in result.stderr
