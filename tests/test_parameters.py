"""The refresh's parameters are validated the way Prefect validates every trigger (CLI, deployment run, UI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.exceptions import ParameterTypeError, SignatureMismatchError

from flows.refresh import refresh
from kanaalmonitor.cli import main
from kanaalmonitor.errors import ExitCode


def test_parameters_are_coerced_from_the_text_a_trigger_sends():
    got = refresh.validate_parameters({"raw_dir": "/data/raw", "warehouse": "/data/k.duckdb",
                                       "full_rebuild": "true", "wait_seconds": "30",
                                       "expect_edition": "2027", "task_runner": "dask",
                                       "dask_address": "tcp://10.0.0.5:8786"})
    assert got == {"raw_dir": Path("/data/raw"), "warehouse": Path("/data/k.duckdb"), "full_rebuild": True,
                   "wait_seconds": 30.0, "expect_edition": 2027, "task_runner": "dask",
                   "dask_address": "tcp://10.0.0.5:8786"}


@pytest.mark.parametrize("bad", [{"wait_seconds": -1}, {"wait_seconds": 86401}, {"full_rebuild": "perhaps"},
                                 {"raw_dir": 12}, {"task_runner": "spark"}])
def test_invalid_parameters_are_refused(bad):
    with pytest.raises(ParameterTypeError):
        refresh.validate_parameters(bad)


def test_an_unknown_parameter_is_refused():
    with pytest.raises(SignatureMismatchError, match="no_such_parameter"):
        refresh.validate_parameters({"no_such_parameter": 1})


def test_parameter_schema_documents_every_parameter_for_the_ui():
    schema = refresh.parameters.model_dump()
    props = schema["properties"]
    assert list(props) == ["raw_dir", "warehouse", "full_rebuild", "wait_seconds", "expect_edition", "task_runner",
                           "dask_address"]
    assert props["task_runner"]["enum"] == ["default", "dask"]
    assert all(props[name].get("description") for name in props)
    assert (props["wait_seconds"]["minimum"], props["wait_seconds"]["maximum"]) == (0, 86400)


@pytest.mark.parametrize("argv, message", [
    (["run", "--wait", "-5"], "Invalid value for '--wait': -5 is not between 0 and 86400 seconds"),
    (["serve", "--wait", "90000"], "Invalid value for '--wait': 90000 is not between 0 and 86400 seconds"),
    (["serve", "--timezone", "Europe/Utrecht"],
     "Invalid value for '--timezone': unknown time zone 'Europe/Utrecht'; use an IANA name such as Europe/Amsterdam"),
    (["serve", "--cron", "61 6 1 6 *"], "Invalid value for '--cron': Invalid schedule '61 6 1 6 *'"),
    (["run", "--task-runner", "spark"], "Invalid value for '--task-runner': 'spark' is not one of 'default', 'dask'."),
    (["run", "--dask-address", "tcp://127.0.0.1:8786"],
     "--dask-address names the scheduler of --task-runner dask; give both, or neither."),
    (["run", "--expect-edition", "nineteen"], "Invalid value for '--expect-edition': 'nineteen' is not a valid "
                                              "integer range."),
])
def test_command_line_refuses_bad_options_with_the_usage_exit_code(argv, message, capsys):
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Error: " + message in err, err
    assert err.count("Error:") == 1 and "Traceback" not in err
