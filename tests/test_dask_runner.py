"""The refresh with its deliveries read on Dask workers (task_runner "dask", kanaalmonitor[dask]) publishes the same
warehouse, and refuses a bad delivery with the same text, as with the default runner.

One LocalCluster of worker processes serves the module; the runs reach it by its address (--dask-address), so
every delivery, its result and its refusal cross a process boundary. The runs use the session's Prefect server.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import distributed
import pytest

from kanaalmonitor.cli import main
from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.errors import DeliveryError, ExitCode
from tests.test_warehouse_models import public_tables

_spec = importlib.util.spec_from_file_location("synth", PROJECT_ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)


@pytest.fixture(scope="module")
def dask_address():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def both_runners(tmp_path_factory, prefect_in_process, dask_address):
    """The synthetic national set at 3 municipalities, refreshed once per runner into a warehouse of its own."""
    from flows.refresh import refresh

    out = tmp_path_factory.mktemp("synthetic-dask")
    synth.write(out, municipalities=3)
    default = refresh(raw_dir=out / "raw", warehouse=out / "default.duckdb", expect_edition=2026)
    dask = refresh(raw_dir=out / "raw", warehouse=out / "dask.duckdb", expect_edition=2026, task_runner="dask",
                   dask_address=dask_address)
    return (default, public_tables(out / "default.duckdb")), (dask, public_tables(out / "dask.duckdb"))


def _load_time_blanked(table: dict) -> dict:
    """A table of public_tables with its load times (the time each run read the files) left out; every row of
    one run carries the same one."""
    at = [i for i, (name, _, _) in enumerate(table["columns"]) if name == "loaded_at"]
    if not at:
        return table
    [i] = at
    assert len({row[i] for row in table["rows"]}) == 1
    return {**table, "rows": [[*row[:i], "(load time)", *row[i + 1:]] for row in table["rows"]]}


def test_both_runners_publish_every_public_table_alike(both_runners):
    (_, default), (_, dask) = both_runners
    assert sorted(dask) == sorted(default)
    assert len(default) == 23
    for name in default:
        assert dask[name]["comment"] == default[name]["comment"], name
        assert dask[name]["columns"] == default[name]["columns"], name
        assert _load_time_blanked(dask[name]) == _load_time_blanked(default[name]), name


def test_both_runners_report_the_same_run(both_runners):
    (default, tables), (dask, _) = both_runners
    # 3 municipalities x 19 series x 25 editions x 12 years, as tests/test_synthetic.py counts them
    assert default.observations == dask.observations == 17_100
    assert len(tables["observation_vintages"]["rows"]) == 17_100
    assert dask.deliveries == default.deliveries
    assert (dask.warnings, dask.plausibility) == (default.warnings, default.plausibility)


def _bad_delivery(raw: Path) -> None:
    """Two deliveries: 2019 with a negative count, 2020 with a year that is not a whole year (refused while reading)."""
    for edition, rows in ((2019, "GM0344,web_requests,2019,1000\nGM0344,phone_calls,2018,-5\n"),
                          (2020, "GM0344,web_requests,2020,1100\nGM0344,kcc_emails,2020.5,7\n")):
        folder = raw / str(edition)
        folder.mkdir(parents=True)
        (folder / "manifest.toml").write_text(f'edition = {edition}\n[[files]]\npath = "obs.csv"\nform = "tidy"\n')
        (folder / "obs.csv").write_text("municipality,series,year,value\n" + rows, encoding="utf-8")


def test_a_refused_delivery_reads_the_same_on_both_runners(tmp_path, prefect_in_process, dask_address):
    from flows.refresh import refresh

    _bad_delivery(tmp_path / "raw")
    with pytest.raises(DeliveryError) as on_default:
        refresh(raw_dir=tmp_path / "raw", warehouse=tmp_path / "default.duckdb")
    with pytest.raises(DeliveryError) as on_dask:
        refresh(raw_dir=tmp_path / "raw", warehouse=tmp_path / "dask.duckdb", task_runner="dask",
                dask_address=dask_address)
    assert on_dask.value.report() == on_default.value.report()
    assert [(p.file, p.row, p.label, p.value) for p in on_dask.value.problems] == [
        ("2019/obs.csv", 3, "phone_calls", "-5"), ("2020/obs.csv", 3, "kcc_emails", "2020.5")]
    assert not (tmp_path / "dask.duckdb").exists()


def test_a_refused_delivery_crosses_a_process_boundary_whole():
    import pickle

    from kanaalmonitor.errors import Problem

    error = DeliveryError([Problem("2020/obs.csv", 3, "kcc_emails", "-5", "a count cannot be negative", "Correct.")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == str(error) == ("Delivery refused: 1 problem; nothing was loaded.\n"
                                        "- 2020/obs.csv, row 3, label 'kcc_emails', value '-5': a count cannot be "
                                        "negative. Correct.")


def test_the_dask_runner_without_prefect_dask_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "prefect_dask", None)  # as if it were not installed
    code = main(["run", "--raw-dir", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "w.duckdb"),
                 "--task-runner", "dask"])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert ("Error: --task-runner dask needs prefect-dask, which is not installed: install kanaalmonitor[dask] "
            "(pip install 'kanaalmonitor[dask]', or pip install -e '.[dask]' in a checkout).") in err
    assert "Traceback" not in err
    assert not (tmp_path / "w.duckdb").exists()
