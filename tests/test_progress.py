"""A refresh tells each stage with its counts as it goes; the terminal shows them, other output stays quiet."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from kanaalmonitor.errors import DeliveryError
from kanaalmonitor.progress import Step, TerminalProgress, listening
from kanaalmonitor.refresh import run_refresh
from kanaalmonitor.words import plural
from tests.helpers import EDITIONS, PROJECT_ROOT, RAW_2019, make_raw

# The public tables of the README's table list.
PUBLIC_TABLES = sorted([
    "series", "editions", "deliveries", "observation_vintages", "observations", "revisions", "method_changes",
    "notes", "yoy_change", "yoy_change_by_edition", "per_day", "per_day_by_edition", "part_shares",
    "part_shares_by_edition", "channel_mix", "channel_mix_by_edition", "satisfaction", "satisfaction_by_edition",
    "kerncijfers", "kerncijfers_by_edition", "plausibility_warnings", "build_info", "workbook_sheets"])


def test_each_stage_is_told_with_its_counts(tmp_path):
    raw = make_raw(tmp_path, EDITIONS / "2018-old-method", RAW_2019)
    target = tmp_path / "w.duckdb"
    steps: list[Step] = []
    with listening(steps.append):
        run_refresh(raw, target)
    lines = [s.line() for s in steps]
    # 2018: 8 rows x 4 years + 4 grades x 1 year = 36 cells; 2019: 8 x 4 + 4 x 2 = 40; two files each.
    assert lines[:3] == ["deliveries read 1/2: 2018-old-method (2 files, 36 cells)",
                         "deliveries read 2/2: 2019 (2 files, 40 cells)",
                         "cells validated 76"]
    built = steps[3:-2]
    assert [(s.stage, s.done, s.total) for s in built] == [("built", k, 23) for k in range(1, 24)]
    assert sorted(s.detail for s in built) == PUBLIC_TABLES
    # 8 files warehouse/checks/assert_*.sql, 21 grains and 4 accepted-value columns in models.toml.
    assert lines[-2:] == ["models built 23/23: 33 data rules checked, none broken", f"published: {target}"]
    assert [s.percent for s in steps[:3]] == [20.0, 40.0, 55.0]
    assert steps[-1].percent == 100.0


def test_a_refused_delivery_is_told_with_its_problems(tmp_path):
    raw = make_raw(tmp_path, PROJECT_ROOT / "tests" / "data" / "invalid" / "negative-count")
    steps: list[Step] = []
    with listening(steps.append), pytest.raises(DeliveryError):
        run_refresh(raw, tmp_path / "w.duckdb")
    assert [s.line() for s in steps] == ["deliveries read 1/1: negative-count (2 files, 40 cells)",
                                         "cells validated 0: refused (1 problem)"]


def test_the_terminal_shows_a_bar_per_stage_with_its_counts():
    console = Console(file=io.StringIO(), force_terminal=True, width=120, record=True)
    with TerminalProgress(console) as progress:
        for step in [Step("read", 1, 2, "2018"), Step("read", 2, 2, "2019"), Step("validated", 76),
                     Step("built", 22, 22, "kerncijfers"), Step("published", 1, 1, "w.duckdb")]:
            progress(step)
    bar = "━" * 30
    # The last frame: stage (16 wide), bar, counts (13 wide, right), time taken, the last step's detail.
    text = console.export_text()
    last_frame = text[text.rindex("deliveries read"):]
    assert [line.rstrip() for line in last_frame.splitlines()] == [
        f"deliveries read  {bar}           2/2 0:00:00 2019",
        f"cells validated  {bar}            76 0:00:00",
        f"models built     {bar}         22/22 0:00:00 kerncijfers",
        f"published        {bar}               0:00:00 w.duckdb",
    ]


def test_output_that_is_not_a_terminal_gets_no_progress():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with TerminalProgress(console) as progress:
        progress(Step("read", 1, 1, "2019"))
        progress(Step("published", 1, 1, "w.duckdb"))
    assert out.getvalue() == ""


def test_plurals():
    assert [plural(1, "delivery", "deliveries"), plural(2, "delivery", "deliveries"), plural(0, "problem"),
            plural(1, "problem"), plural(12345, "cell")] == ["1 delivery", "2 deliveries", "0 problems",
                                                              "1 problem", "12,345 cells"]
