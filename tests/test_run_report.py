"""A refused delivery still leaves a run report in Prefect, with every problem, before the flow fails; a published
warehouse's report lists its revisions as the warehouse/report/run/ queries format them."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import StateType

from kanaalmonitor.build import warehouse as wh
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.report import run_report
from kanaalmonitor.report.run_report import KERNCIJFERS_KEY, SUMMARY_KEY, Outcome, summary_markdown
from tests.helpers import staging
from tests.ops_support import EDITIONS, RAW_2019, flow_run_id, kanaalmonitor, make_raw, prefect_env, run_artifacts


@pytest.mark.slow
def test_refused_delivery_is_reported_before_the_run_fails(prefect_server, tmp_path):
    env = prefect_env(tmp_path / "client-home", prefect_server)
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    table = raw / "2019" / "kerncijfers.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("314.803", "3l4.803"), encoding="utf-8")
    warehouse = tmp_path / "kanaalmonitor.duckdb"

    result = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert not warehouse.exists() and not Path(f"{warehouse}.tmp").exists()
    run_id = flow_run_id(result.stderr)
    with SyncPrefectClient(prefect_server) as client:
        assert client.read_flow_run(run_id).state.type == StateType.FAILED
    report = run_artifacts(prefect_server, run_id)
    assert KERNCIJFERS_KEY not in report
    summary = report[SUMMARY_KEY].data
    assert "# Verversing kanaalmonitor: Geweigerd: niets geladen" in summary
    assert "| 2019 | GM0344 | 2019 | 2019/kerncijfers.csv, 2019/klanttevredenheid.csv | " \
           "geweigerd: 1 probleem/problemen (zie hieronder) |" in summary
    assert "| 2018-old-method | GM0344 | 2018 | 2018-old-method/kerncijfers.csv, " \
           "2018-old-method/klanttevredenheid.csv | niet geladen: een andere levering is geweigerd |" in summary
    problem_lines = [line for line in summary.splitlines() if line.startswith("- ")]
    # The command prints the same problems (Prefect's log of the failure repeats them).
    cli_lines = list(dict.fromkeys(line for line in result.stderr.splitlines() if line.startswith("- ")))
    assert problem_lines == cli_lines
    assert len(problem_lines) == 1
    assert problem_lines[0].startswith("- 2019/kerncijfers.csv, row 5, label 'aantal telefoontjes naar gemeente', "
                                       "value '3l4.803'")


def test_published_summary_lists_the_restated_figures_and_the_other_revisions(tmp_path):
    raw = make_raw(tmp_path, EDITIONS / "2019-break", EDITIONS / "2018-old-method")
    target = tmp_path / "kanaalmonitor.duckdb"
    wh.publish(wh.build(target, staging(raw)), target)

    summary = summary_markdown(Outcome("published", target, discover(raw), None))

    lines = summary.splitlines()
    start = lines.index("## Herzieningen")
    # 2019 changes 2018's figures without a method change (counter visits break only from 2017):
    # (233.453 - 231.000) / 231.000 = +1,06 %; (257.981 - 310.450) / 310.450 = -16,90 %;
    # (274.268 - 318.002) / 318.002 = -13,75 %. Counter visits 2017 (322.987 -> 291.215) are on the new method.
    assert lines[start:start + 10] == [
        "## Herzieningen", "",
        "| reeks | jaar | oude editie | oude waarde | nieuwe editie | nieuwe waarde | verschil | toelichting |",
        "|---|---|---|---|---|---|---|---|",
        "| aantal digitale aanvragen via website Utrecht.nl | 2017 | 2018 | 231.000 | 2019 | 233.453 | +1,1 % "
        "| geen toelichting in de levering |",
        "| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern | 2015 | 2018 "
        "| 310.450 | 2019 | 257.981 | -16,9 % | geen toelichting in de levering |",
        "| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern | 2016 | 2018 "
        "| 318.002 | 2019 | 274.268 | -13,8 % | geen toelichting in de levering |",
        "",
        "Verder in de tabel `revisions`: 1 x remeasured.",
        ""]
    assert lines[start + 10] == "## Plausibiliteit"
    assert summary.endswith("|\n") and not summary.endswith("\n\n")


def test_a_long_list_shows_its_first_rows_how_many_there_are_and_where_the_rest_is(tmp_path, monkeypatch):
    raw = make_raw(tmp_path, EDITIONS / "2019-break", EDITIONS / "2018-old-method")
    target = tmp_path / "kanaalmonitor.duckdb"
    wh.publish(wh.build(target, staging(raw)), target)
    monkeypatch.setitem(run_report.LISTED, "revisions", 2)

    lines = summary_markdown(Outcome("published", target, discover(raw), None)).splitlines()

    start = lines.index("## Herzieningen")
    # The three restated figures of the test above, in the same order: the first two, then how many there are.
    assert lines[start + 4].startswith("| aantal digitale aanvragen via website Utrecht.nl | 2017 | 2018 | 231.000 |")
    assert lines[start + 5].startswith("| aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum "
                                       "Vleuten-De Meern | 2015 | 2018 | 310.450 |")
    assert lines[start + 6:start + 9] == [
        "", "De eerste 2 van 3 herzieningen; alle: `kanaalmonitor query \"select * from revisions where kind = "
        "'restated'\"`.", ""]
    assert lines[start + 9] == "Verder in de tabel `revisions`: 1 x remeasured."
