from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import RAW_2019, warehouse_from
from tests.ops_support import running_server


@pytest.fixture
def warehouse_2019(tmp_path: Path) -> Path:
    """A published warehouse built from the shipped 2019 delivery."""
    return warehouse_from(tmp_path, RAW_2019)


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect server for the tests that run the real flow in-process."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import PREFECT_HOME, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings({PREFECT_HOME: str(home)}):
        with prefect_test_harness(server_startup_timeout=120):
            yield


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> str:
    """A real `prefect server start` on a free loopback port, shared by the tests that talk to one; its API URL."""
    with running_server(tmp_path_factory.mktemp("prefect-server")) as url:
        yield url
