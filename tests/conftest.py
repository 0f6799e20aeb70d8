from __future__ import annotations

import pytest

from tests.ops_support import running_server


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> str:
    """A real `prefect server start` on a free loopback port, shared by the tests that talk to one; its API URL."""
    with running_server(tmp_path_factory.mktemp("prefect-server")) as url:
        yield url
