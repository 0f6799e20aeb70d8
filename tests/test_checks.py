"""Every data rule of the indicator tables holds on the real editions and catches a warehouse
built to break it; a broken build is never published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytest import approx

from kanaalmonitor.build import warehouse as wh
from kanaalmonitor.build.models import build_order, generic_checks, load_models
from kanaalmonitor.config import CHECKS_DIR, SQL_DIR
from tests.helpers import EDITIONS, RAW_2019, fingerprint, make_raw, publish_frames, query, staging

BROKEN_MODELS = Path(__file__).parent / "data" / "broken_models"
MODEL_FILES = {s.name: s.path for s in build_order()}
GRAIN_TABLES = [m.name for m in load_models() if m.grain]
GENERIC = {name: (path, params) for name, path, params in generic_checks(load_models())}
RULES = sorted(p.stem for p in CHECKS_DIR.glob("assert_*.sql")) + sorted(GENERIC)
EDITION_SETS = {
    "2019": [RAW_2019],
    "2018-old-method+2019": [RAW_2019, EDITIONS / "2018-old-method"],
    "2018-old-method+2019-break": [EDITIONS / "2019-break", EDITIONS / "2018-old-method"],
}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Per set of real editions: a published warehouse and the staging frames it was built from."""
    out = {}
    for name, folders in EDITION_SETS.items():
        root = tmp_path_factory.mktemp(name.replace("+", "_"))
        frames = staging(make_raw(root, *folders))
        out[name] = (publish_frames(frames, root / "kanaalmonitor.duckdb"), frames)
    return out


@pytest.mark.parametrize("rule", RULES)
def test_rule_holds_on_the_real_editions(real, rule):
    path, params = GENERIC.get(rule, (CHECKS_DIR / f"{rule}.sql", {}))
    sql = path.read_text(encoding="utf-8")
    for name, (warehouse, _) in real.items():
        assert query(warehouse, sql, params) == [], f"{rule} on {name}"


def test_every_grain_and_accepted_value_rule_is_checked():
    assert GRAIN_TABLES == [
        "series", "editions", "deliveries", "notes", "observation_vintages", "observations", "revisions",
        "kerncijfers", "kerncijfers_by_edition", "yoy_change_by_edition", "yoy_change", "per_day_by_edition",
        "per_day", "part_shares_by_edition", "part_shares", "channel_mix_by_edition", "channel_mix",
        "satisfaction_by_edition", "satisfaction", "plausibility_warnings", "build_info"]
    assert sorted(n for n in GENERIC if n.startswith("assert_accepted_values")) == [
        "assert_accepted_values[method_changes.kind]", "assert_accepted_values[observation_vintages.status]",
        "assert_accepted_values[revisions.kind]", "assert_accepted_values[series.unit]"]


def published(tmp_path: Path, real: dict, name: str) -> tuple[Path, dict, tuple]:
    """A copy of the published warehouse of real editions, the frames it was built from, and its fingerprint."""
    warehouse, frames = real[name]
    target = tmp_path / "kanaalmonitor.duckdb"
    shutil.copy2(warehouse, target)
    return target, frames, fingerprint(target)


def sql_dir_with(tmp_path: Path, replaced: dict[str, str]) -> Path:
    """A copy of the warehouse's SQL folder in which each named model is replaced by its select."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir, ignore=shutil.ignore_patterns("*.duckdb*"))
    for name, select in replaced.items():
        (sql_dir / MODEL_FILES[name].relative_to(SQL_DIR)).write_text(select, encoding="utf-8")
    return sql_dir


def model_sql(name: str) -> str:
    return MODEL_FILES[name].read_text(encoding="utf-8")


def refused(target: Path, before: tuple, frames: dict, rule: str, sql_dir: Path = SQL_DIR) -> list[tuple]:
    """Build must fail on `rule` and leave the published file as it was; return the offending rows."""
    with pytest.raises(wh.CheckFailed) as caught:
        wh.build(target, frames, sql_dir=sql_dir)
    assert rule in caught.value.failures
    assert fingerprint(target) == before
    assert not Path(f"{target}.tmp").exists()
    offending = caught.value.failures[rule].astype(object)
    return list(offending.where(offending.notna(), None).itertuples(index=False, name=None))


def set_cell(frames: dict, series: str, year: int, value: float, cell: str) -> dict:
    """The frames with one delivered cell changed past the delivery's validation."""
    cells = frames["cells"].copy()
    sel = (cells["series"] == series) & (cells["year"] == year)
    assert sel.sum() == 1
    cells.loc[sel, "value"] = value
    cells.loc[sel, "cell"] = cell
    return {**frames, "cells": cells}


def test_duplicated_rows_break_unique_grain(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2018-old-method+2019")
    sql_dir = sql_dir_with(tmp_path, {t: f"select * from ({model_sql(t)}) union all (select * from ({model_sql(t)}) limit 1)"
                                      for t in GRAIN_TABLES})
    with pytest.raises(wh.CheckFailed) as caught:
        wh.build(target, frames, sql_dir=sql_dir)
    for table in GRAIN_TABLES:
        rows = caught.value.failures.get(f"assert_unique_grain[{table}]")
        assert rows is not None and len(rows) >= 1 and (rows["n"] >= 2).all(), table
    n = len(caught.value.failures["assert_unique_grain[kerncijfers]"])
    assert f"- assert_unique_grain[kerncijfers]: {n} offending {'row' if n == 1 else 'rows'}" in str(caught.value)
    assert fingerprint(target) == before


def test_one_duplicated_row_names_its_model_and_key(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2019")
    original = model_sql("per_day")
    rows = refused(target, before, frames, "assert_unique_grain[per_day]",
                   sql_dir_with(tmp_path, {"per_day": f"select * from ({original}) union all "
                                                      f"(select * from ({original}) where series = 'kcc_emails' "
                                                      "and year = 2016)"}))
    assert rows == [("GM0344", "kcc_emails", 2016, 2)]


def with_column(frames: dict, table: str, column: str, row: int, value: str) -> dict:
    """The frames with one staging value changed past the delivery's validation."""
    frame = frames[table].copy()
    frame.loc[frame.index[row], column] = value
    return {**frames, table: frame}


@pytest.mark.parametrize("table, column, value", [("series", "unit", "minutes"), ("cells", "status", "X"),
                                                  ("method_changes", "kind", "replace")])
def test_a_value_outside_the_accepted_ones_is_caught(tmp_path, real, table, column, value):
    target, frames, before = published(tmp_path, real, "2019")
    model = {"cells": "observation_vintages"}.get(table, table)
    rows = refused(target, before, with_column(frames, table, column, 0, value),
                   f"assert_accepted_values[{model}.{column}]")
    assert rows == [(value, 1)]


def test_a_revision_kind_outside_the_accepted_ones_is_caught(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2018-old-method+2019")
    # 2018 -> 2019: counter visits 2015-2017 remeasured, 2014 withdrawn, web requests 2017 restated.
    rows = refused(target, before, frames, "assert_accepted_values[revisions.kind]",
                   sql_dir_with(tmp_path, {"revisions": "select * replace ('revised' as kind) from ("
                                                        f"{model_sql('revisions')})"}))
    assert rows == [("revised", 5)]


def test_grade_above_10_is_caught(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2019")
    rows = refused(target, before, set_cell(frames, "satisfaction_phone", 2018, 11.0, "11,0"),
                   "assert_grades_within_1_10")
    assert sorted(rows, key=str) == sorted([
        ("observation_vintages", "GM0344", "satisfaction_phone", 2018, 2019, 11.0),
        ("satisfaction", "GM0344", "phone", 2018, None, 11.0),
        ("satisfaction_by_edition", "GM0344", "phone", 2018, 2019, 11.0),
    ], key=str)


def test_part_larger_than_parent_is_caught(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2019")
    # 14030 calls 2018 set to 400.000, more than all 314.803 calls: 400000 / 314803 * 100 = 127,06 %.
    frames = set_cell(frames, "phone_calls_14030", 2018, 400000.0, "400.000")
    shares = refused(target, before, frames, "assert_shares_within_0_100")
    assert sorted(shares) == [
        ("part_shares", "GM0344", "phone_calls_14030", 2018, None, approx(400000 / 314803 * 100)),
        ("part_shares_by_edition", "GM0344", "phone_calls_14030", 2018, 2019, approx(400000 / 314803 * 100)),
    ]
    parts = refused(target, before, frames, "assert_part_at_most_parent")
    assert parts == [("GM0344", "phone_calls_14030", 2018, 2019, 400000, 314803)]


@pytest.mark.parametrize("table", ["channel_mix", "channel_mix_by_edition"])
def test_channel_mix_without_a_channel_does_not_sum_to_100(tmp_path, real, table):
    target, frames, before = published(tmp_path, real, "2019")
    original = model_sql(table)
    rows = refused(target, before, frames, "assert_channel_mix_sums_to_100",
                   sql_dir_with(tmp_path, {table: f"select * from ({original}) where channel <> 'whatsapp'"}))
    # 2015 without WhatsApp: 100 - 1849 / 903636 * 100 (903.636 = all contacts of 2015).
    totals = {r[2]: r[4] for r in rows}
    assert sorted(totals) == [2015, 2016, 2017, 2018]
    assert totals[2015] == approx(100 - 1849 / (211105 + 32347 + 400354 + 257981 + 1849) * 100)


def test_change_across_a_break_is_caught(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2018-old-method+2019-break")
    rows = refused(target, before, frames, "assert_no_change_across_methods",
                   sql_dir_with(tmp_path, {"yoy_change_by_edition":
                                           (BROKEN_MODELS / "yoy_change_by_edition.sql").read_text(encoding="utf-8")}))
    offending = {(r[0], r[2], r[3], r[4]) for r in rows}
    # 2017 (break, new method) against 2016 (old method): 291.215 - 274.268.
    assert ("yoy_change_by_edition", "counter_visits", 2017, 2019) in offending
    assert {r[2] for r in rows} == {"counter_visits"}


def test_current_change_on_another_method_is_caught(tmp_path, real):
    target, frames, before = published(tmp_path, real, "2018-old-method+2019")
    rows = refused(target, before, frames, "assert_no_change_across_methods",
                   sql_dir_with(tmp_path, {"yoy_change":
                                           (BROKEN_MODELS / "yoy_change.sql").read_text(encoding="utf-8")}))
    # The current 2015 counter visits are 2019's restated figure (new method); the 2018 edition's
    # pair 2014-2015 (310.450 - 301.112) is on the old method.
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("yoy_change", "counter_visits", 2015, 2018, 310450, 301112)]
