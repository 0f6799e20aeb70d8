"""A rebuild from the same raw files gives the same warehouse, table for table."""

from __future__ import annotations

import datetime as dt
import shutil

from kanaalmonitor.db import connect
from tests.helpers import EDITIONS, RAW_2019, build_warehouse, make_raw


def snapshot(path) -> dict[str, list[tuple]]:
    con = connect(path, read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
        return {t: con.execute(f'select * from "{t}" order by all').fetchall() for t in tables}
    finally:
        con.close()


def test_loading_twice_gives_identical_tables(tmp_path):
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    target = tmp_path / "w.duckdb"
    build_warehouse(raw, target, now=dt.datetime(2026, 1, 1))
    first = snapshot(target)
    build_warehouse(raw, target, now=dt.datetime(2026, 2, 2))
    second = snapshot(target)
    assert first == second
    # 2019: 8 x 4 + 4 x 2 cells; the 2018 test edition: 8 x 4 + 4 x 1.
    assert len(first["observation_vintages"]) == 40 + 36


def test_files_keep_their_first_load_time_when_an_edition_is_added(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    target = tmp_path / "w.duckdb"
    build_warehouse(raw, target, now=dt.datetime(2026, 1, 1))
    shutil.copytree(EDITIONS / "2018-old-method", raw / "2018-old-method")
    build_warehouse(raw, target, now=dt.datetime(2026, 2, 2))
    loaded = dict(connect(target, read_only=True).execute("select file, loaded_at from deliveries").fetchall())
    assert loaded == {"2019/kerncijfers.csv": dt.datetime(2026, 1, 1),
                      "2019/klanttevredenheid.csv": dt.datetime(2026, 1, 1),
                      "2018-old-method/kerncijfers.csv": dt.datetime(2026, 2, 2),
                      "2018-old-method/klanttevredenheid.csv": dt.datetime(2026, 2, 2)}
