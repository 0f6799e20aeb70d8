"""The data rules of the cells are decided in one statement, and that statement says what pandera.ibis says, rule
by rule, on the cells of the real delivery and on the cells with one rule broken; kept between processes, it
refuses what a freshly compiled one refuses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import ibis
import pandera.errors
import pytest

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.deliveries.rules import CACHE_ENV, cached_statement, compile_statement, rule_expressions, rules_hold
from kanaalmonitor.deliveries.validate import _validate, validate_cells
from kanaalmonitor.refresh import check_delivery
from schemas import numbers
from schemas.observations import RULES, Observations, RemeasuredSeries
from tests.helpers import RAW_2019


@pytest.fixture(scope="module")
def cells_2019(tmp_path_factory) -> Path:
    """The work database of raw/2019 after validation: its table cells (40 cells)."""
    work = tmp_path_factory.mktemp("rules-once")
    catalogue = Catalogue.load()
    parsed = [check_delivery(d, catalogue, work) for d in discover(RAW_2019.parent)
              if d.name == RAW_2019.name]
    return validate_cells(parsed, catalogue, work / "cells.duckdb").database


def test_every_rule_pandera_runs_is_in_the_statement(cells_2019):
    # schemas/observations.py by hand: 14 columns that may not be null (all but value, parent, parent_value and
    # method); 10 column checks (municipality 1, edition 2, row 1, unit 1, year 2, scale 1, style 1,
    # decimals 1); 16 frame checks. RemeasuredSeries: 2 columns, 2 frame checks.
    con = duckdb.connect(str(cells_2019), read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        rules = rule_expressions(backend.table("cells"), Observations)
        remeasured = rule_expressions(backend.table("cells"), RemeasuredSeries)
    finally:
        con.close()
    assert len(rules) == 14 + 10 + 16
    assert sum(name.endswith(": not_nullable") for name in rules) == 14
    assert "value: not_nullable" not in rules and "method: not_nullable" not in rules
    assert {"edition: greater_than_or_equal_to", "edition: less_than_or_equal_to", "one_row_per_key",
            "part_at_most_parent", "status_is_delivered_status"} <= set(rules)
    assert set(remeasured) == {"method: not_nullable", "status: not_nullable", "no_break_in_restatement",
                               "restated_years_without_gap"}


# Each breaks one rule of the 40 cells of raw/2019 (an update of table cells), and the rule pandera names for it.
BROKEN = {
    "a count below zero": ("update cells set value = -5 where series = 'phone_calls' and year = 2018",
                           "count_not_negative"),
    "a year after its edition": ("update cells set year = 2020 where series = 'kcc_emails' and year = 2018",
                                 "year_not_after_edition"),
    "a code that is not GMxxxx": ("update cells set municipality = 'GM34' where series = 'kcc_emails'",
                                  "str_matches"),
    "scale zero": ("update cells set scale = 0 where series = 'phone_calls'", "greater_than_or_equal_to"),
    "an unknown style": ("update cells set style = 'en' where series = 'phone_calls'", "isin"),
    "an unreadable figure": ("update cells set form = 'unreadable' where series = 'kcc_emails' and year = 2017",
                             "cell_is_readable"),
    "a part above its whole": ("update cells set value = parent_value + 1 where parent is not null "
                               "and parent_value is not null and year = 2018", "part_at_most_parent"),
    "a row twice": ("insert into cells select * from cells where series = 'phone_calls' and year = 2018",
                    "one_row_per_key"),
    "a null file": ("update cells set file = null where series = 'phone_calls'", "not_nullable"),
    "status B": ("update cells set status = 'B' where series = 'phone_calls' and year = 2018",
                 "status_is_delivered_status"),
}


def _failing_checks(table, model) -> set[str]:
    try:
        model.validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return {str(c).split("(")[0] for c in exc.failure_cases["check"]}
    return set()


@pytest.mark.parametrize("case", [None, *BROKEN], ids=["as-delivered", *BROKEN])
def test_the_statement_and_pandera_agree(cells_2019, tmp_path, case):
    db = tmp_path / "cells.duckdb"
    shutil.copy(cells_2019, db)
    con = numbers.install(duckdb.connect(str(db)))
    try:
        if case is not None:
            con.execute(BROKEN[case][0])
        table = ibis.duckdb.from_connection(con).table("cells")
        failing = _failing_checks(table, Observations)
        held = rules_hold(con, compile_statement(table, Observations))
    finally:
        con.close()
    if case is None:
        assert (held, failing) == (True, set())
    else:
        assert held is False
        assert BROKEN[case][1] in failing


# The statement kept between processes (kanaalmonitor/deliveries/rules.py): a fresh cache and a warm one find the
# same problems, a damaged file or a table of another shape is never answered from the cache.

def _problems_of(db: Path, cache: Path, monkeypatch, change: str | None = None) -> list:
    monkeypatch.setenv(CACHE_ENV, str(cache))
    con = numbers.install(duckdb.connect(str(db)))
    try:
        if change is not None:
            con.execute(change)
        return _validate(con, "cells", "Observations")
    finally:
        con.close()


def _cells_copy(cells_2019: Path, tmp_path: Path, name: str) -> Path:
    db = tmp_path / f"{name}.duckdb"
    shutil.copy(cells_2019, db)
    return db


@pytest.mark.parametrize("case", BROKEN)
def test_a_warm_cache_refuses_what_a_cold_one_refuses(cells_2019, tmp_path, monkeypatch, case):
    cache = tmp_path / "cache"
    assert _problems_of(_cells_copy(cells_2019, tmp_path, "first"), cache, monkeypatch) == []
    (stored,) = cache.glob("*.json")
    cold = _problems_of(_cells_copy(cells_2019, tmp_path, "cold"), tmp_path / "empty", monkeypatch, BROKEN[case][0])
    warm = _problems_of(_cells_copy(cells_2019, tmp_path, "warm"), cache, monkeypatch, BROKEN[case][0])
    assert cold and warm == cold
    assert list(cache.glob("*.json")) == [stored]


def test_the_cache_answers_only_for_the_shape_it_was_compiled_for(cells_2019, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    assert _problems_of(_cells_copy(cells_2019, tmp_path, "first"), cache, monkeypatch) == []
    # `row` as text: pandera's check of the column types refuses it; the statement stored for integer rows is
    # not asked.
    problems = _problems_of(_cells_copy(cells_2019, tmp_path, "text-rows"), cache, monkeypatch,
                            "alter table cells alter row type varchar")
    assert [p.rule for p in problems] == ["breaks rule dtype('int64') in column row"]
    assert len(list(cache.glob("*.json"))) == 1


@pytest.mark.parametrize("damage", ["truncated", "statement-edited", "not-json"])
def test_a_damaged_cache_file_is_compiled_again(cells_2019, tmp_path, monkeypatch, damage):
    cache = tmp_path / "cache"
    assert _problems_of(_cells_copy(cells_2019, tmp_path, "first"), cache, monkeypatch) == []
    (stored,) = cache.glob("*.json")
    text = stored.read_text()
    entry = json.loads(text)
    stored.write_text({"truncated": text[: len(text) // 2],
                       "statement-edited": json.dumps({**entry, "sql": "select true"}),
                       "not-json": "\x00" * 10}[damage])
    assert cached_statement(entry["key"]) is None
    broken = "update cells set value = -5 where series = 'phone_calls' and year = 2018"
    problems = _problems_of(_cells_copy(cells_2019, tmp_path, "broken"), cache, monkeypatch, broken)
    # raw/2019/kerncijfers.csv prints 314.803 phone calls in 2018; the value below zero is the one problem.
    assert [(p.value, p.rule.split(" [")[0]) for p in problems] == [("314.803", RULES["count_not_negative"][0])]
    assert json.loads(stored.read_text()) == entry  # written again, whole


def test_a_refresh_with_a_warm_cache_imports_neither_pandera_nor_ibis(tmp_path):
    code = ("import sys; from pathlib import Path; from kanaalmonitor.refresh import run_refresh; "
            f"r = run_refresh(Path({str(RAW_2019.parent)!r}), Path(sys.argv[1])); "
            "print(r.status, r.observations, sorted({m.split('.')[0] for m in sys.modules} & {'pandera', 'ibis'}))")
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code, str(tmp_path / f"{i}.duckdb")], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120) for i in (1, 2)]
    assert [r.stdout for r in runs] == ["published 40 ['ibis', 'pandera']\n", "published 40 []\n"], runs
