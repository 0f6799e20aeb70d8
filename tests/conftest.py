from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import xdist

from kanaalmonitor.deliveries.rules import CACHE_ENV
from tests import helpers
from tests.helpers import EDITIONS, RAW_2019, copy_warehouse, warehouse_from
from tests.ops_support import running_server


@pytest.fixture(scope="session")
def built_2019(tmp_path_factory) -> Path:
    """The warehouse of the shipped 2019 delivery, built once: read it, or copy it before writing."""
    return warehouse_from(tmp_path_factory.mktemp("built-2019"), RAW_2019)


@pytest.fixture(scope="session")
def built_2018(tmp_path_factory) -> Path:
    """The warehouse of the 2018 edition alone, built once: read it, or copy it before writing."""
    return warehouse_from(tmp_path_factory.mktemp("built-2018"), EDITIONS / "2018-old-method")


@pytest.fixture
def warehouse_2019(tmp_path: Path, built_2019: Path) -> Path:
    """A published warehouse built from the shipped 2019 delivery, this test's own copy."""
    return copy_warehouse(built_2019, tmp_path)


@pytest.fixture
def published_before(tmp_path: Path, built_2018: Path) -> tuple[Path, Path]:
    """A warehouse published from the 2018 edition alone (this test's copy), and a raw folder with 2018 and 2019."""
    return helpers.published_before(tmp_path, built_2018)


SHARED_SERVER = "KANAALMONITOR_TEST_PREFECT_API_URL"


def loadgroup_works() -> bool:
    """Whether `--dist loadgroup` keeps a group on one worker: pytest 9.2 keeps node ids in a structured field, and
    pytest-xdist up to 3.8 still marks a test's group by rewriting the old one, which no longer takes effect."""
    def release(version: str) -> tuple[int, int]:
        major, minor = version.split(".")[:2]
        return int(major), int(minor)

    return release(pytest.__version__) < (9, 2) or release(xdist.__version__) > (3, 8)


def pytest_configure(config) -> None:
    """The run's one cache of compiled rules (never the user's). With pytest-xdist, the controlling process starts
    the run's one Prefect server before the workers start (they inherit its URL in SHARED_SERVER and the cache in
    CACHE_ENV); the temporary folders go when the run ends."""
    if CACHE_ENV not in os.environ:  # the compiled rules of this run's refreshes, commands included
        os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="kanaalmonitor-rules-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop(CACHE_ENV), ignore_errors=True))
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None) or SHARED_SERVER in os.environ:
        return
    if config.getvalue("dist") == "loadgroup" and not loadgroup_works():
        raise pytest.UsageError(
            f"pytest {pytest.__version__} with pytest-xdist {xdist.__version__} spreads the tests of one xdist_group "
            "over the workers without a word (pytest-xdist issue 1386), and the serving tests would run beside each "
            "other: install the test extra's pins (pip install -e '.[test]').")
    stack = contextlib.ExitStack()
    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kanaalmonitor-tests-")))
    os.environ[SHARED_SERVER] = stack.enter_context(running_server(root))
    config.add_cleanup(stack.close)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """`--dist loadgroup` hands out ungrouped tests one by one, so a module-scoped fixture (a refresh, a cluster)
    would be built once on each worker that gets one of its tests. The tests of a module that use one form a group
    of that module: one worker builds it once. Runs before pytest-xdist turns groups into node ids (in a worker,
    the controller's --dist is not the option's value); without pytest-xdist the mark does nothing."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        scopes = {defs[-1].scope for defs in item._fixtureinfo.name2fixturedefs.values() if defs}
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> str:
    """The one real `prefect server start` of the test run, on a free loopback port; its API URL.

    Every test that runs a flow, in this process or in a command, uses it; with pytest-xdist every worker uses the
    server the controlling process started. Its scheduler looks 1100 days ahead, so the yearly schedule test shares
    it too. Tests that serve deployments (whose runs the notification automation watches) carry
    `pytest.mark.xdist_group(SERVING)`, so they never run beside each other."""
    if SHARED_SERVER in os.environ:
        yield os.environ[SHARED_SERVER]
        return
    with running_server(tmp_path_factory.mktemp("prefect-server")) as url:
        yield url


@pytest.fixture(scope="session")
def prefect_in_process(prefect_server: str, tmp_path_factory) -> str:
    """Flows called in this process run against the shared server and can never start a temporary one."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_HOME,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        temporary_settings,
    )

    # No heartbeat thread: joining it costs each sync flow call up to a second, and no test here is about
    # detecting crashed runs through heartbeats.
    with temporary_settings({PREFECT_HOME: str(tmp_path_factory.mktemp("prefect-home")),
                             PREFECT_API_URL: prefect_server, PREFECT_SERVER_EPHEMERAL_ENABLED: False,
                             PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield prefect_server
