"""The warehouse models: built in the order of what each select reads, and every public table the same
(columns, types, order, comments, rows) as before the SQL was put in layers.

tests/data/tables_before_layers/<set>.json holds, per edition set, every public table as the build
made it before the SQL moved to warehouse/core/ and warehouse/indicators/: its comment, its columns
(name, type, comment, in order) and its rows sorted, each value cast to VARCHAR (NULL as null). Of
build_info, which hashes the code, only the delivery rows are kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from kanaalmonitor.build import models
from kanaalmonitor.config import SQL_DIR
from tests.helpers import EDITIONS, RAW_2019, make_raw, publish_frames, staging

BEFORE = Path(__file__).parent / "data" / "tables_before_layers"
EDITION_SETS = {
    "2019": [RAW_2019],
    "2018-old-method+2019": [RAW_2019, EDITIONS / "2018-old-method"],
    "2019-break": [EDITIONS / "2019-break"],
    "2018-old-method+2019-break": [EDITIONS / "2019-break", EDITIONS / "2018-old-method"],
}


def public_tables(warehouse: Path) -> dict:
    """Every table of schema main: comment, columns and sorted rows as text."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for name, comment in con.execute("select table_name, comment from duckdb_tables() "
                                         "where schema_name = 'main' order by table_name").fetchall():
            columns = con.execute("select column_name, data_type, comment from duckdb_columns() "
                                  "where schema_name = 'main' and table_name = ? order by column_index",
                                  [name]).fetchall()
            rel = con.table(name)
            if name == "build_info":
                rel = rel.filter("kind = 'delivery'")
            rows = rel.project(", ".join(f'cast("{c}" as varchar)' for c, _, _ in columns)).fetchall()
            out[name] = {"comment": comment, "columns": [list(c) for c in columns],
                         "rows": [list(r) for r in sorted(rows, key=repr)]}
        return out
    finally:
        con.close()


@pytest.mark.parametrize("edition_set", EDITION_SETS)
def test_every_public_table_is_as_before(tmp_path, edition_set):
    warehouse = publish_frames(staging(make_raw(tmp_path, *EDITION_SETS[edition_set])),
                               tmp_path / "kanaalmonitor.duckdb")
    expected = json.loads((BEFORE / f"{edition_set.replace('+', '_')}.json").read_text(encoding="utf-8"))
    got = public_tables(warehouse)
    assert sorted(got) == sorted(expected)
    for table in expected:
        assert got[table] == expected[table], table


def test_private_models_and_macros_are_not_published(tmp_path):
    warehouse = publish_frames(staging(make_raw(tmp_path, RAW_2019)), tmp_path / "kanaalmonitor.duckdb")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        views = con.execute("select view_name from duckdb_views() where not internal").fetchall()
        macros = con.execute("select function_name from duckdb_functions() "
                             "where function_name = 'dutch_number'").fetchall()
    finally:
        con.close()
    assert views == [] and macros == []


def test_each_model_is_built_after_the_models_it_reads():
    order = [s.name for s in models.build_order()]
    assert len(order) == len(set(order))
    for s in models.build_order():
        assert all(order.index(r) < order.index(s.name) for r in s.reads), s.name
    by_name = {s.name: s for s in models.build_order()}
    assert by_name["observations"].reads == {"_standing_vintages"}
    assert by_name["_restated_vintages"].reads == {"observation_vintages"}
    assert by_name["kerncijfers"].reads == {"_printed_figures"}
    assert by_name["satisfaction"].reads == {"_satisfaction"}
    assert by_name["series"].reads == set()
    assert {s.name for s in by_name.values() if s.public} == {m.name for m in models.load_models()}


def sql_copy(tmp_path: Path) -> Path:
    sql_dir = tmp_path / "warehouse"
    shutil.copytree(SQL_DIR, sql_dir, ignore=shutil.ignore_patterns("*.duckdb*"))
    return sql_dir


def test_a_reference_to_an_unknown_table_names_the_file(tmp_path):
    sql_dir = sql_copy(tmp_path)
    (sql_dir / "indicators" / "per_day.sql").write_text("select * from per_dag_by_edition", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        models.build_order(sql_dir)
    assert str(caught.value) == ("warehouse/indicators/per_day.sql reads per_dag_by_edition: no model of that "
                                 "name under warehouse/{core,indicators}/ and not a staging table")


def test_a_cycle_names_its_files(tmp_path):
    sql_dir = sql_copy(tmp_path)
    (sql_dir / "core" / "observation_vintages.sql").write_text(
        "select * from staging.cells where series in (select series from observations)", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        models.build_order(sql_dir)
    message = str(caught.value)
    assert message.startswith("The warehouse models read each other in a cycle: ")
    cycle = message.removeprefix("The warehouse models read each other in a cycle: ").split(" -> ")
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"warehouse/core/observation_vintages.sql", "warehouse/core/_restated_vintages.sql",
                          "warehouse/core/_standing_vintages.sql", "warehouse/core/observations.sql"}


def test_a_model_without_comments_in_models_toml_fails_the_build(tmp_path):
    sql_dir = sql_copy(tmp_path)
    (sql_dir / "indicators" / "per_week.sql").write_text("select * from per_day", encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(ValueError, match=r"^warehouse/indicators/per_week.sql: models.toml has no entry for "
                                         r"per_week$"):
        models.build_models(con, models.load_models(), sql_dir)
    con.close()
