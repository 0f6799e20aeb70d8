"""The real `refresh` flow, in this process, against the shared Prefect server."""

from __future__ import annotations

import pytest

from flows.refresh import refresh
from kanaalmonitor.db import connect
from kanaalmonitor.errors import DeliveryError
from tests.helpers import EDITIONS, PROJECT_ROOT, RAW_2019, fingerprint, make_raw, rows
from tests.test_load_2019 import expected_observations


def test_refresh_publishes_both_editions_and_warns_of_the_unexplained_restatement(prefect_in_process, tmp_path):
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    target = tmp_path / "w.duckdb"
    result = refresh(raw_dir=raw, warehouse=target)
    assert result.status == "published"
    assert result.deliveries == ["2018-old-method", "2019"]
    assert result.observations == 76
    assert result.warnings == ["web_requests 2017: edition 2019 restates 231000 (edition 2018) as 233453 without a note"]
    con = connect(target, read_only=True)
    current = rows(con, "select municipality, series, year, value, status, method, edition from observations "
                        "where year >= 2015 order by all")
    assert current == expected_observations()


def test_refresh_refuses_a_bad_delivery_and_keeps_the_published_file(prefect_in_process, tmp_path):
    target = tmp_path / "w.duckdb"
    refresh(raw_dir=make_raw(tmp_path / "good", RAW_2019), warehouse=target)
    before = fingerprint(target)
    bad = make_raw(tmp_path / "bad", PROJECT_ROOT / "tests" / "data" / "invalid" / "negative-count")
    with pytest.raises(DeliveryError, match="a count cannot be negative"):
        refresh(raw_dir=bad, warehouse=target)
    assert fingerprint(target) == before


def test_a_published_tidy_edition_stays_accepted_when_another_edition_arrives(prefect_in_process, tmp_path):
    from tests.test_delivery_forms import tidy_delivery

    raw = tidy_delivery(tmp_path / "raw", "cijfers.parquet", lambda df, path: df.to_parquet(path, index=False))
    target = tmp_path / "w.duckdb"
    assert refresh(raw_dir=raw, warehouse=target).status == "published"
    make_raw(tmp_path, EDITIONS / "2018-old-method")
    assert refresh(raw_dir=raw, warehouse=target).status == "published"
    con = connect(target, read_only=True)
    assert rows(con, "select edition, count(*) from observation_vintages group by edition order by edition") == [
        (2018, 36), (2019, 40)]
