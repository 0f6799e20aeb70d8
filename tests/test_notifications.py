"""The served yearly refresh on a real Prefect server tells the team, through Prefect's own automation and
webhook block, when a run is refused, crashes or misses its edition, and stays silent when it publishes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import StateType
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.notify import AUTOMATION_NAME, BLOCK_NAME, remove_notifications
from kanaalmonitor.faults import CRASH_ENV
from kanaalmonitor.report.run_report import SUMMARY_KEY
from kanaalmonitor.status import status_lines
from tests.helpers import published_before, query
from tests.ops_support import BIN, RAW_2019, SERVING, make_raw, prefect_env, run_artifacts, running_server, stop, wait_until

pytestmark = pytest.mark.xdist_group(SERVING)

READY = "is being served and polling for scheduled runs"
RUN_SECONDS = 180
QUIET_SECONDS = 8  # after the last expected message: time for a duplicate to arrive


class Receiver(ThreadingHTTPServer):
    """A webhook endpoint on a loopback port that keeps every JSON body posted to it."""

    def __init__(self):
        self.messages: list[dict] = []
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.messages.append({"path": self.path, **json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


SERVE_WITH_NOTIFY = """
import sys
from flows.deploy import serve_refresh
raw, warehouse, name, url = sys.argv[1:]
serve_refresh(name, "0 6 1 6 *", "Europe/Amsterdam", raw, warehouse, 0.0, notify_url=url)
"""


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)


def serving(proc: subprocess.Popen, log: Path) -> bool:
    assert proc.poll() is None, log.read_text(errors="replace")
    return READY in log.read_text(errors="replace")


def missing_2020(warehouse: Path) -> str:
    """The warning for edition 2020, with the load time of edition 2019 in Amsterdam time, by hand."""
    ((loaded,),) = query(warehouse, "select loaded_at from editions where edition = 2019")
    local = loaded.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"editie 2020 van GM0344 is niet binnengekomen; laatste editie 2019, geladen op {local:%Y-%m-%d %H:%M}"


def start_run(client: SyncPrefectClient, deployment: str, name: str, **parameters):
    dep = client.read_deployment_by_name(deployment)
    parameters = {k: str(v) if isinstance(v, Path) else v for k, v in parameters.items()}
    return client.create_flow_run_from_deployment(dep.id, parameters=parameters, name=name)


def to_the_end(client: SyncPrefectClient, run):
    return wait_until(lambda: (r := client.read_flow_run(run.id)).state.is_final() and r, RUN_SECONDS,
                      f"flow run {run.name}")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A server of this module's own: the notification automation is one per server, and its webhook must hear
    of no run but these tests'."""
    with running_server(tmp_path_factory.mktemp("notify-server")) as url:
        yield url


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory, built_2018):
    """Four runs of served deployments on one server (a new edition, a missing one, a refused delivery and a
    crash) and every message the webhook received."""
    root = tmp_path_factory.mktemp("notify")
    env = prefect_env(root / "client-home", prefect_server)
    receiver = Receiver()
    default_raw = make_raw(root / "default", RAW_2019)
    serve = start([sys.executable, "-c", SERVE_WITH_NOTIFY, str(default_raw), str(root / "default.duckdb"),
                   "notify", receiver.url], env, root / "serve.log")
    # A second deployment, served by a process whose runs die at the "parsed" stage; it is notified by
    # the same automation.
    crashing = start([str(BIN / "kanaalmonitor"), "serve", "--name", "notify-crash", "--raw-dir", str(default_raw)],
                     {**env, CRASH_ENV: "parsed"}, root / "serve-crash.log")
    try:
        wait_until(lambda: serving(serve, root / "serve.log"), 120, "kanaalmonitor serve with notifications")
        wait_until(lambda: serving(crashing, root / "serve-crash.log"), 120, "kanaalmonitor serve (crashing)")
        raw, warehouse = published_before(root / "new", built_2018)
        refused_raw = make_raw(root / "refused", RAW_2019)
        table = refused_raw / "2019" / "kerncijfers.csv"
        table.write_text(table.read_text(encoding="utf-8").replace("314.803", "3l4.803"), encoding="utf-8")
        crash_raw, crash_warehouse = published_before(root / "crash", built_2018)
        with SyncPrefectClient(prefect_server) as client:
            # The crashing deployment's process runs beside the other; each runs one run at a time. The missing
            # edition is asked for once the new one has been published into the same warehouse.
            started = {
                "crashed": start_run(client, "refresh/notify-crash", "afgebroken", raw_dir=crash_raw,
                                     warehouse=crash_warehouse, expect_edition=2019),
                "new": start_run(client, "refresh/notify", "nieuwe-editie", raw_dir=raw, warehouse=warehouse,
                                 expect_edition=2019),
                "refused": start_run(client, "refresh/notify", "geweigerd", raw_dir=refused_raw,
                                     warehouse=root / "refused.duckdb", expect_edition=2019),
            }
            done = {"new": to_the_end(client, started["new"])}
            started["missing"] = start_run(client, "refresh/notify", "editie-ontbreekt", raw_dir=raw,
                                           warehouse=warehouse, expect_edition=2020)
            done.update({k: to_the_end(client, run) for k, run in started.items() if k not in done})
        wait_until(lambda: len(receiver.messages) >= 3, 120, "three notifications")
        time.sleep(QUIET_SECONDS)
        yield {"runs": done, "messages": list(receiver.messages), "warehouse": warehouse, "api": prefect_server,
               "ui": prefect_server.removesuffix("/api")}
    finally:
        stop(serve)
        stop(crashing)
        with temporary_settings({PREFECT_API_URL: prefect_server}):
            remove_notifications()
        receiver.shutdown()


def test_each_run_ends_in_the_state_that_tells_what_happened(runs):
    states = {k: (r.state.type, r.state.name) for k, r in runs["runs"].items()}
    assert states == {"new": (StateType.COMPLETED, "Completed"),
                      "missing": (StateType.COMPLETED, "Editie ontbreekt"),
                      "refused": (StateType.FAILED, "Failed"),
                      "crashed": (StateType.CRASHED, "Crashed")}


def test_refused_crashed_and_missing_runs_each_post_one_message_and_a_new_edition_none(runs):
    by_run = {}
    for m in runs["messages"]:
        run_line = next(line for line in m["text"].splitlines() if line.startswith("Run: "))
        by_run.setdefault(run_line.removeprefix("Run: "), []).append(m)
    assert sorted(by_run) == ["afgebroken", "editie-ontbreekt", "geweigerd"]
    assert all(len(ms) == 1 and ms[0]["path"] == "/hook" for ms in by_run.values())

    def lines(name):
        return by_run[name][0]["text"].splitlines()

    ids = {k: r.id for k, r in runs["runs"].items()}
    assert by_run["editie-ontbreekt"][0]["subject"] == "Kanaalmonitor refresh/notify: Editie ontbreekt"
    assert lines("editie-ontbreekt")[:2] == ["Deployment: refresh/notify", "Run: editie-ontbreekt"]
    assert lines("editie-ontbreekt")[2:] == [
        "Wat er gebeurde: de verwachte editie ontbreekt; wat wel binnenkwam is geladen",
        "Eerste problemen:",
        missing_2020(runs["warehouse"]),
        f"Bekijk de run: {runs['ui']}/runs/flow-run/{ids['missing']}"]

    assert by_run["geweigerd"][0]["subject"] == "Kanaalmonitor refresh/notify: Failed"
    refused = lines("geweigerd")
    assert refused[2] == "Wat er gebeurde: geweigerd: een levering is afgekeurd; er is niets geladen"
    assert refused[3] == "Eerste problemen:"
    assert "Delivery refused: 1 problem; nothing was loaded." in refused[4]
    assert refused[5].startswith("- 2019/kerncijfers.csv, row 5, label 'aantal telefoontjes naar gemeente', "
                                 "value '3l4.803'")
    assert refused[-1] == f"Bekijk de run: {runs['ui']}/runs/flow-run/{ids['refused']}"

    assert by_run["afgebroken"][0]["subject"] == "Kanaalmonitor refresh/notify-crash: Crashed"
    crashed = lines("afgebroken")
    assert crashed[:3] == ["Deployment: refresh/notify-crash", "Run: afgebroken",
                           "Wat er gebeurde: afgebroken: het proces van de run stopte onverwacht; "
                           "het gepubliceerde warehouse is heel gebleven"]
    assert crashed[3:5] == ["Eerste problemen:", "Process exited with status code: -9. Process exited due to a "
                            "SIGKILL signal. Typically caused by the operating system terminating the process for "
                            "exceeding memory limits, or by manual cancellation."]
    assert crashed[-1] == f"Bekijk de run: {runs['ui']}/runs/flow-run/{ids['crashed']}"


def test_missing_edition_is_in_the_state_the_run_report_and_the_status(runs):
    missing = runs["runs"]["missing"]
    line = missing_2020(runs["warehouse"])
    assert missing.state.message == line
    summary = run_artifacts(runs["api"], missing.id)[SUMMARY_KEY].data
    assert summary.startswith("# Verversing kanaalmonitor: Ongewijzigd: niets herbouwd")
    assert f"## Waarschuwing: editie ontbreekt\n\n- {line}\n" in summary

    status = status_lines(runs["warehouse"], expect_edition=2020, api_url=runs["api"])
    assert "Laatste verversing: run editie-ontbreekt (refresh/notify), Editie ontbreekt, " in "\n".join(status)
    assert f"- {line}" in status


def test_notify_command_creates_then_updates_one_automation_and_block(prefect_server, tmp_path):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    env = prefect_env(tmp_path / "client-home", prefect_server)
    for url in ("http://127.0.0.1:9/eerste", "http://127.0.0.1:9/chat"):
        done = subprocess.run([sys.executable, "-m", "flows.notify", url], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"Automation '{AUTOMATION_NAME}' posts to http://127.0.0.1:9/chat when")
    with temporary_settings({PREFECT_API_URL: prefect_server}):
        try:
            with SyncPrefectClient(prefect_server) as client:
                named = client.read_automations_by_name(AUTOMATION_NAME)
            assert len(named) == 1
            (action,) = named[0].actions
            block = CustomWebhookNotificationBlock.load(BLOCK_NAME)
            assert action.block_document_id == block._block_document_id
            assert block.url == "http://127.0.0.1:9/chat"
            assert named[0].trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed",
                                               "prefect.flow-run.Editie ontbreekt"}
        finally:
            assert remove_notifications()
            assert not remove_notifications()
