"""The synthetic national deliveries (bench/synth.py) at small size through the real refresh flow."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.errors import DeliveryError

_spec = importlib.util.spec_from_file_location("synth", PROJECT_ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)


@pytest.fixture(scope="module")
def national(tmp_path_factory, prefect_in_process):
    out = tmp_path_factory.mktemp("synthetic")
    totals = synth.write(out, municipalities=3)
    from flows.refresh import refresh

    result = refresh(raw_dir=out / "raw", warehouse=out / "w.duckdb")
    con = duckdb.connect(str(out / "w.duckdb"), read_only=True)
    yield totals, result, con
    con.close()


def test_generator_counts_follow_from_its_shape(national):
    totals, _, _ = national
    # 3 municipalities x 19 series (the catalogue's 22 but its 3 durations) x 25 editions (2002-2026) x 12 years
    assert totals["vintages"] == 3 * 19 * 25 * 12 == 17_100
    # current view: every year 1991-2026 once per municipality and series
    assert totals["observations"] == 3 * 19 * (2026 - 1991 + 1) == 2_052
    # whatsapp before 2016 (25 years) and the grades of 2026 (5 grade series) are not available
    assert totals["not_available"] == 3 * (25 + 5) == 90
    # grades of 2002-2025 are filled one edition after their first printing
    assert totals["revisions"]["filled"] == 3 * 5 * (2025 - 2002 + 1) == 360


def test_every_delivered_cell_is_kept(national):
    totals, result, con = national
    assert result.observations == totals["vintages"]
    assert con.execute("select count(*) from observation_vintages").fetchone()[0] == totals["vintages"]
    rows = con.execute("select municipality, edition, rows from deliveries order by all").fetchall()
    assert len(rows) == 3 * 25
    assert {r[2] for r in rows} == {19 * 12}


def test_current_values_match_the_generator(national):
    totals, _, con = national
    n, missing = con.execute("select count(*), count(*) - count(value) from observations").fetchone()
    assert (n, missing) == (totals["observations"], totals["not_available"])
    sums = dict(con.execute("select series, sum(value) from observations group by series").fetchall())
    assert sums == pytest.approx(totals["current_sum"], rel=1e-12)


def test_revisions_match_the_generator(national):
    totals, _, con = national
    kinds = dict(con.execute("select kind, count(*) from revisions group by kind").fetchall())
    assert kinds == totals["revisions"]


def test_every_table_is_keyed_by_municipality(national):
    _, _, con = national
    editions = con.execute("select count(distinct municipality), count(*) from editions").fetchone()
    assert editions == (3, 3 * 25)
    # The catalogue and the record of what a build read are the same for every municipality.
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main' "
                                        "and table_name not in ('series', 'build_info')").fetchall()]
    for t in tables:
        cols = [r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = ?",
                                          [t]).fetchall()]
        assert "municipality" in cols, t


def _tidy_delivery(raw: Path, text: str) -> None:
    folder = raw / "2020"
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text('edition = 2020\n[[files]]\npath = "obs.csv"\nform = "tidy"\n')
    (folder / "obs.csv").write_text(text, encoding="utf-8")


def test_bad_tidy_rows_are_refused_with_file_and_row(tmp_path, prefect_in_process):
    from flows.refresh import refresh

    raw = tmp_path / "raw"
    _tidy_delivery(raw, "municipality,series,year,value\n"
                        "GM0344,web_requests,2019,1000\n"
                        "GM0344,public_space_reports,2019,1001\n"
                        "GM0363,phone_calls,2019,-5\n"
                        "GM0363,satisfaction_phone,2019,7.55\n"
                        "GM0363,satisfaction_phone,2018,7.5\n"
                        "GM0363,satisfaction_phone,2018,7.6\n")
    with pytest.raises(DeliveryError) as err:
        refresh(raw_dir=raw, warehouse=tmp_path / "w.duckdb")
    found = {(p.file, p.row, p.label, p.value, p.rule.split(" [")[0]) for p in err.value.problems}
    assert found == {
        ("2020/obs.csv", 3, "public_space_reports", "1001", "a part ('waarvan') is larger than its whole in the same year"),
        ("2020/obs.csv", 4, "phone_calls", "-5", "a count cannot be negative"),
        ("2020/obs.csv", 5, "satisfaction_phone", "7.55", "a report grade has at most one decimal"),
        ("2020/obs.csv", 6, "satisfaction_phone", "7.5 (year 2018)",
         "the same series and year are delivered more than once"),
        ("2020/obs.csv", 7, "satisfaction_phone", "7.6 (year 2018)",
         "the same series and year are delivered more than once"),
    }
    assert not (tmp_path / "w.duckdb").exists()


def test_unreadable_tidy_cell_is_refused(tmp_path, prefect_in_process):
    from flows.refresh import refresh

    raw = tmp_path / "raw"
    _tidy_delivery(raw, "series;year;value\nweb_requests;2019;211.105\nkcc_emails;2019;1.84\n")
    with pytest.raises(DeliveryError) as err:
        refresh(raw_dir=raw, warehouse=tmp_path / "w.duckdb")
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.label, problem.value) == ("2020/obs.csv", 3, "kcc_emails", "1.84")
    assert problem.rule.startswith("cannot be read as a number without guessing")


def test_every_frame_rule_has_its_text_for_the_user():
    from schemas.observations import RULES, Observations, RemeasuredSeries

    checks = [c.name for model in (Observations, RemeasuredSeries) for c in model.to_schema().checks]
    assert sorted(checks) == sorted(RULES)


def test_bad_municipality_code_is_located(tmp_path, prefect_in_process):
    from flows.refresh import refresh

    raw = tmp_path / "raw"
    _tidy_delivery(raw, "municipality,series,year,value\nGM0344,web_requests,2019,1000\nGM34,kcc_emails,2019,5\n")
    with pytest.raises(DeliveryError) as err:
        refresh(raw_dir=raw, warehouse=tmp_path / "w.duckdb")
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.label, problem.value) == ("2020/obs.csv", 3, "kcc_emails", "GM34")
    assert "municipality" in problem.rule
