"""`kanaalmonitor query` output: an aligned table, CSV or JSON, capped rows, a time limit, a closed pipe.

Expected values are raw/2019's tables (kerncijfers.csv, klanttevredenheid.csv)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.errors import ExitCode
from tests.ops_support import BIN

COUNTER_AND_EMAIL = ("select series, year, value from observations "
                     "where series in ('satisfaction_email', 'satisfaction_counter') order by series, year")


def query(warehouse, capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["query", *args, "--warehouse", str(warehouse)])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_a_table_aligns_numbers_right_with_one_null_and_counts_its_rows(built_2019, capsys):
    assert query(built_2019, capsys, COUNTER_AND_EMAIL) == (0, [
        "series                year  value",
        "--------------------  ----  -----",
        "satisfaction_counter  2017    7.8",
        "satisfaction_counter  2018    7.8",
        "satisfaction_email    2017   NULL",
        "satisfaction_email    2018    5.9",
        "4 rows",
    ], "")


def test_whole_numbers_print_without_a_decimal_point(built_2019, capsys):
    sql = "select year, value, status from observations where series = 'whatsapp_messages' order by year"
    assert query(built_2019, capsys, sql) == (0, [
        "year  value  status",
        "----  -----  ------",
        "2015   1849  A",
        "2016  11189  A",
        "2017  11342  A",
        "2018  11523  A",
        "4 rows",
    ], "")


def test_an_empty_result_is_its_header_and_0_rows_and_one_row_is_singular(built_2019, capsys):
    assert query(built_2019, capsys, "select series, year from observations where year = 1900") == (
        0, ["series  year", "------  ----", "0 rows"], "")
    # raw/2019: 8 kerncijfers rows x 4 years + 4 grade rows x 2 years = 40 cells
    assert query(built_2019, capsys, "select count(*) as cells from observations") == (
        0, ["cells", "-----", "   40", "1 row"], "")


def test_csv_and_json(built_2019, capsys):
    assert query(built_2019, capsys, COUNTER_AND_EMAIL, "--format", "csv") == (0, [
        "series,year,value", "satisfaction_counter,2017,7.8", "satisfaction_counter,2018,7.8",
        "satisfaction_email,2017,", "satisfaction_email,2018,5.9"], "")
    sql = "select series, year, value, status from observations where series = 'phone_calls_14030' order by year"
    code, lines, err = query(built_2019, capsys, sql, "--format", "json")
    assert (code, err) == (0, "")
    assert lines == [
        '[{"series": "phone_calls_14030", "year": 2015, "value": null, "status": "O"},',
        '{"series": "phone_calls_14030", "year": 2016, "value": 98185, "status": "A"},',
        '{"series": "phone_calls_14030", "year": 2017, "value": 164862, "status": "A"},',
        '{"series": "phone_calls_14030", "year": 2018, "value": 189857, "status": "A"}',
        "]",
    ]
    assert json.loads("\n".join(lines))[1] == {"series": "phone_calls_14030", "year": 2016, "value": 98185,
                                               "status": "A"}
    assert query(built_2019, capsys, "select 1 as n where false", "--format", "json") == (0, ["[]"], "")


def test_max_rows_caps_the_output_and_says_how_many_were_left_out(built_2019, capsys):
    sql = "select series, year from observations order by series, year"
    summary = "2 of 40 rows shown; 38 left out (--max-rows sets how many are shown).\n"
    assert query(built_2019, capsys, sql, "--max-rows", "2") == (0, [
        "series          year", "--------------  ----", "counter_visits  2015", "counter_visits  2016",
        summary.strip()], "")
    assert query(built_2019, capsys, sql, "--max-rows", "2", "--csv") == (
        0, ["series,year", "counter_visits,2015", "counter_visits,2016"], summary)
    code, lines, err = query(built_2019, capsys, sql, "--max-rows", "40")
    assert (code, len(lines), lines[-2:], err) == (0, 43, ["whatsapp_messages       2018", "40 rows"], "")
    code, lines, _ = query(built_2019, capsys, sql, "--max-rows", "0", "--format", "csv")
    assert (code, len(lines)) == (0, 41)


def test_the_statement_from_a_file(built_2019, capsys, tmp_path):
    sql = tmp_path / "emails.sql"
    sql.write_text("-- e-mails to the KCC\nselect year, value\nfrom observations\n"
                   "where series = 'kcc_emails' and year >= 2017\norder by year;\n", encoding="utf-8")
    assert query(built_2019, capsys, "-f", str(sql)) == (
        0, ["year  value", "----  -----", "2017  19287", "2018  18671", "2 rows"], "")


@pytest.mark.parametrize("args, message", [
    (["select 1", "-f", "x.sql"], "Error: Give the statement either as SQL or with -f FILE.sql, not both or neither."),
    ([], "Error: Give the statement either as SQL or with -f FILE.sql, not both or neither."),
    (["select 1", "--csv", "--format", "json"], "Error: --csv and --format json ask for two formats; give one."),
    (["select 1", "--max-rows", "0"], "Error: --max-rows 0 prints every row only with --format csv or json; "
                                      "a table is aligned in memory."),
    (["select 1", "--timeout", "-1"], "Error: Invalid value for '--timeout': -1 is not between 0 and 86400 seconds"),
])
def test_bad_options_exit_6(args, message, built_2019, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.sql").write_text("select 2", encoding="utf-8")
    code, lines, err = query(built_2019, capsys, *args)
    assert code == ExitCode.USAGE and lines == []
    assert err.splitlines()[-1] == message


def command(warehouse, *args: str) -> list[str]:
    return [str(BIN / "kanaalmonitor"), "query", *args, "--warehouse", str(warehouse)]


def test_a_huge_result_prints_the_cap_and_ends_quickly(built_2019):
    start = time.monotonic()
    out = subprocess.run(command(built_2019, "select * from range(1000000000)", "--max-rows", "3"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:5] == ["range", "-----", "    0", "    1", "    2"]
    assert lines[5].startswith("3 rows shown; at least ") and lines[5].endswith(
        " more left out, counting stopped after 1 s (--max-rows sets how many are shown)."), lines[5]
    assert len(lines) == 6 and out.stderr == ""
    assert time.monotonic() - start < 30


def test_a_query_past_its_time_limit_is_interrupted_with_exit_4(built_2019):
    start = time.monotonic()
    out = subprocess.run(command(built_2019, "select count(*) from range(1000000000000)", "--timeout", "1"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == ExitCode.CANNOT_READ
    assert out.stdout == ""
    assert out.stderr == ("Query stopped after 1 s, its time limit. Nothing was changed. Narrow it (a where clause, "
                          "a limit) or allow longer with --timeout SECONDS (0: no limit).\n")
    assert time.monotonic() - start < 30


def test_a_closed_pipe_ends_the_query_quietly(built_2019):
    proc = subprocess.Popen(command(built_2019, "select * from range(1000000000)", "--format", "csv",
                                    "--max-rows", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert [proc.stdout.readline(), proc.stdout.readline()] == ["range\n", "0\n"]
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == ""
    proc.stderr.close()


TYPES = ("select 88.3::float as f, 3.50::decimal(4, 2) as d, true as b, date '2019-06-01' as day, "
         "null::varchar as n")


@pytest.mark.parametrize("fmt, expected", [
    ("table", "   f     d  b     day         n\n----  ----  ----  ----------  ----\n"
              "88.3  3.50  true  2019-06-01  NULL\n1 row\n"),
    ("csv", "f,d,b,day,n\n88.3,3.50,true,2019-06-01,\n"),
    ("json", '[{"f": 88.3, "d": 3.5, "b": true, "day": "2019-06-01", "n": null}\n]\n'),
])
def test_each_type_in_one_notation(fmt, expected):
    import io

    import duckdb

    from kanaalmonitor.query import print_query

    out, err = io.StringIO(), io.StringIO()
    print_query(duckdb.connect(), TYPES, out, err, fmt)
    assert (out.getvalue(), err.getvalue()) == (expected, "")


def test_a_statement_after_with_is_named_by_its_kind():
    from kanaalmonitor.query import QueryError, check_statement

    with pytest.raises(QueryError) as info:
        check_statement("with s as (select 1) insert into series select * from s")
    assert "got 1 statement: insert." in str(info.value)
