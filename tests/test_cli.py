"""The `kanaalmonitor` command: exit codes and exact output."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import PROJECT_ROOT, RAW_2019, fingerprint, make_raw
from tests.ops_support import prefect_env

INVALID = PROJECT_ROOT / "tests" / "data" / "invalid"


def kanaalmonitor(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kanaalmonitor.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


def test_query_prints_a_table(warehouse_2019):
    out = kanaalmonitor("query", "select series, year, value from observations where series = 'phone_calls_14030' "
                        "order by year", "--warehouse", str(warehouse_2019))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "series             year   value",
        "-----------------  ----  ------",
        "phone_calls_14030  2015    NULL",
        "phone_calls_14030  2016   98185",
        "phone_calls_14030  2017  164862",
        "phone_calls_14030  2018  189857",
        "4 rows",
    ]


def test_query_prints_csv(warehouse_2019):
    out = kanaalmonitor("query", "select series, year, value from observations where series = 'satisfaction_email' "
                        "order by year", "--warehouse", str(warehouse_2019), "--csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["series,year,value", "satisfaction_email,2017,", "satisfaction_email,2018,5.9"]


def test_query_without_a_warehouse_says_what_to_do(tmp_path):
    out = kanaalmonitor("query", "select 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert out.returncode == 4
    assert out.stderr.strip() == f"No warehouse at {tmp_path / 'none.duckdb'}: run `kanaalmonitor run` first."


def test_run_refuses_a_bad_delivery_with_the_report_and_exit_1(warehouse_2019, tmp_path, prefect_server):
    before = fingerprint(warehouse_2019)
    raw = make_raw(tmp_path / "bad", INVALID / "percent-above-100")
    out = kanaalmonitor("run", "--raw-dir", str(raw), "--warehouse", str(warehouse_2019),
                        env=prefect_env(tmp_path / "prefect-home", prefect_server))
    assert out.returncode == 1, out.stderr[-2000:]
    report = out.stderr[out.stderr.rindex("Delivery refused: "):].splitlines()
    assert report[:2] == [
        "Delivery refused: 1 problem; nothing was loaded.",
        "- percent-above-100/kerncijfers.csv, row 7, label 'telefonische bereikbaarheid Klantcontactcentrum (%)', "
        "value '109': a percentage must lie between 0 and 100 [year 2018]. Correct the figure in the delivery.",
    ]
    assert fingerprint(warehouse_2019) == before


def test_every_command_and_option_has_help_text():
    import click

    from kanaalmonitor.cli import app

    missing = [f"{name} {p.name}" for name, command in app.commands.items()
               for p in [None, *command.params]
               if (p is None and not command.help) or (isinstance(p, click.Option) and not p.help)]
    assert missing == []
    assert sorted(app.commands) == ["check", "describe", "export", "query", "report", "run", "serve", "status", "tables",
                                    "work-pool"]


def test_version_and_exit_codes_are_one_enum(capsys):
    from importlib.metadata import version

    from kanaalmonitor.cli import main
    from kanaalmonitor.errors import ExitCode

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"kanaalmonitor, version {version('kanaalmonitor')}\n"
    assert [int(c) for c in ExitCode] == list(range(9))
    assert main(["no-such-command"]) == ExitCode.USAGE
    assert "No such command 'no-such-command'" in capsys.readouterr().err


def test_an_unchanged_run_without_a_server_answers_without_starting_one(warehouse_2019, tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    before = fingerprint(warehouse_2019)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_EPHEMERAL_ENABLED="false")
    out = subprocess.run([sys.executable, "-m", "kanaalmonitor.cli", "run", "--raw-dir", str(raw), "--warehouse",
                          str(warehouse_2019), "--expect-edition", "2019"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == (f"Unchanged: {warehouse_2019} already holds this delivery; nothing was rebuilt "
                          "(--full-rebuild rebuilds anyway).\n")
    assert fingerprint(warehouse_2019) == before


def test_an_export_onto_the_warehouse_is_refused_with_exit_code_7(warehouse_2019, capsys):
    from kanaalmonitor.cli import main
    from kanaalmonitor.errors import ExitCode

    before = fingerprint(warehouse_2019)
    code = main(["export", "observations", "--format", "csv", "--out", str(warehouse_2019), "--warehouse",
                 str(warehouse_2019)])
    assert code == ExitCode.OUTPUT_REFUSED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the published warehouse" in err, err
    assert fingerprint(warehouse_2019) == before
