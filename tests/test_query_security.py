"""`kanaalmonitor query` cannot change the warehouse or reach files, and delivery content never becomes SQL."""

from __future__ import annotations

import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.errors import DeliveryError
from tests.helpers import RAW_2019, make_raw
from tests.ops_support import file_state, kanaalmonitor, prefect_env
from tests.reliability import refresh_in_process, snapshot

REFUSED = {
    "drop": "drop table observations",
    "insert": "insert into series select * from series",
    "update": "update observations set value = 0",
    "delete": "delete from observations",
    "create": "create table x as select 1",
    "create-temp": "create temp table t as select 1",
    "alter": "alter table observations rename to o",
    "attach-file": "attach '{tmp}/other.duckdb' as other",
    "attach-read-write": "attach '{warehouse}' as again (read_write)",
    "detach": "detach kanaalmonitor",
    "copy-to": "copy observations to '{tmp}/out.csv'",
    "export": "export database '{tmp}/export'",
    "install": "install excel",
    "load": "load icu",
    "set-external-access": "set enable_external_access = true",
    "pragma-setting": "pragma enable_checkpoint_on_shutdown",
    "read-file": "select * from read_text('/etc/passwd')",
    "read-csv-outside": "select * from read_csv('{tmp}/../../../etc/hosts')",
    "second-statement": "select 1; drop table series",
    "vacuum": "vacuum",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("query")
    path = base / "wh" / "kanaalmonitor.duckdb"
    path.parent.mkdir()
    refresh_in_process(make_raw(base, RAW_2019), path)
    return path


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_statement_that_changes_or_reaches_outside_is_refused(name, warehouse, tmp_path, capsys):
    sql = REFUSED[name].format(tmp=tmp_path, warehouse=warehouse)
    before, tables = file_state(warehouse), snapshot(warehouse)
    code = main(["query", sql, "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 4
    assert err.startswith(("Query refused: kanaalmonitor query runs one statement that only reads",
                           "Query failed:")), err
    assert file_state(warehouse) == before and snapshot(warehouse) == tables
    assert list(tmp_path.iterdir()) == []
    assert sorted(p.name for p in warehouse.parent.iterdir()) in (
        ["kanaalmonitor.duckdb"], ["kanaalmonitor.duckdb", "kanaalmonitor.duckdb.lock"])


def test_read_statements_still_work(warehouse, capsys):
    # raw/2019: 8 kerncijfers rows x 4 years + 4 grade rows x 2 years = 40 cells
    assert main(["query", "select count(*) as n from observations", "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out == "n\n40\n"
    assert main(["query", "pivot (select series, year, value from observations where series = 'kcc_emails') "
                 "on year using sum(value)", "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out == "series,2015,2016,2017,2018\nkcc_emails,32347,20578,19287,18671\n"


READS = "(select, pivot, unpivot, describe, show, summarize, explain, pragma or call)"


@pytest.mark.parametrize("sql, message", [
    ("drop table observations", f"Query refused: kanaalmonitor query runs one statement that only reads {READS}; "
                                "got 1 statement: drop. Nothing was changed.\n"),
    ("select * from read_text('/etc/passwd')", 'Query failed: Permission Error: Cannot access file "/etc/passwd" '
                                              "- file system operations are disabled by configuration\n\n"
                                              "LINE 1: select * from read_text('/etc/passwd')\n"
                                              "                      ^^^^^^^^^^^^^^^^^^^^^^^^\n"),
    ("set enable_external_access = true", f"Query refused: kanaalmonitor query runs one statement that only reads "
                                          f"{READS}; got 1 statement: set. Nothing was changed.\n"),
    ("create table t as pivot (select series, year, value from observations) on year using sum(value)",
     f"Query refused: kanaalmonitor query runs one statement that only reads {READS}; got 1 statement: create. "
     "Nothing was changed.\n"),
    ("install excel; select 1", f"Query refused: kanaalmonitor query runs one statement that only reads {READS}; "
                                "got 2 statements: install, select. Nothing was changed.\n"),
])
def test_the_command_refuses_with_exit_code_4(sql, message, warehouse, tmp_path):
    before = file_state(warehouse)
    result = kanaalmonitor("query", sql, "--warehouse", str(warehouse), env=prefect_env(tmp_path / "client"),
                           cwd=tmp_path, timeout=120)
    assert result.returncode == 4
    assert result.stderr == message
    assert file_state(warehouse) == before


SQL_NOTE = "Bron: gemeente Utrecht'); drop table observations; --"
SQL_SOURCE = "x'; delete from editions where '1'='1"
SQL_FILE = "kern'cijfers; drop table series;--.csv"


def test_quotes_and_sql_in_a_delivery_load_as_data(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    d = raw / "2020"
    d.mkdir()
    table = (RAW_2019 / "kerncijfers.csv").read_text(encoding="utf-8").replace(
        "Bron: gemeente Utrecht;", f'"{SQL_NOTE}";')
    (d / SQL_FILE).write_text(table, encoding="utf-8")
    manifest = (RAW_2019 / "manifest.toml").read_text(encoding="utf-8")
    manifest = manifest.replace("edition = 2019", "edition = 2020").replace(
        'source = "gemeente Utrecht, Utrecht Monitor 2019"', f'source = "{SQL_SOURCE}"').replace(
        '[[files]]\npath = "kerncijfers.csv"\n\n[[files]]\npath = "klanttevredenheid.csv"\n',
        f'[[files]]\npath = "{SQL_FILE}"\n').replace(
        'method = "afspraak-2019"', "method = \"afspraak'); drop table revisions; --\"")
    (d / "manifest.toml").write_text(manifest, encoding="utf-8")
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    refresh_in_process(raw, warehouse)

    tables = snapshot(warehouse)
    for t in ("series", "observations", "revisions", "editions", "notes", "deliveries"):
        assert f"main.{t}" in tables
    assert ("GM0344", 2020, f"2020/{SQL_FILE}", "Kerncijfers dienstverlening", 12, None, SQL_NOTE) \
        in tables["main.notes"]
    assert {r[3] for r in tables["main.editions"] if r[1] == 2020} == {SQL_SOURCE}
    assert f"2020/{SQL_FILE}" in {r[0] for r in tables["main.deliveries"]}
    # 2019: 40 cells; 2020: the 8 kerncijfers rows x 4 years
    assert len(tables["main.observation_vintages"]) == 40 + 32
    assert {r[4] for r in tables["main.method_changes"]} == {"afspraak-2019", "afspraak'); drop table revisions; --"}


def test_a_label_with_sql_is_refused_as_an_unknown_label(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    d = raw / "2020"
    d.mkdir()
    label = "WhatsApp'); drop table observations; --"
    (d / "kerncijfers.csv").write_text(f'Kerncijfers dienstverlening;2018\n"{label}";11.523\n', encoding="utf-8")
    (d / "manifest.toml").write_text("edition = 2020\n", encoding="utf-8")
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    with pytest.raises(DeliveryError) as info:
        refresh_in_process(raw, warehouse)
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.label, problem.rule) == ("2020/kerncijfers.csv", 2, label,
                                                                        "unknown label")
    assert "The closest known labels: 'WhatsApp-berichten' (whatsapp_messages)," in problem.action
    assert not warehouse.exists()
