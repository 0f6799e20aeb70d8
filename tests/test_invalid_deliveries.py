"""Each class of bad input is refused with its own message, and the published warehouse is untouched."""

from __future__ import annotations

import shutil

import pytest

from kanaalmonitor.errors import DeliveryError
from tests.helpers import PROJECT_ROOT, RAW_2019, build_warehouse, fingerprint, make_raw

INVALID = PROJECT_ROOT / "tests" / "data" / "invalid"
KCC = "aantal e-mails naar Klantcontactcentrum (inclusief e-formulieren)"
BALIE = "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern"

# case -> (file, row, label, value, words of the rule, words of the action) of its one problem
CASES = {
    "count-with-two-decimals-looking-like-thousands": (
        "kerncijfers.csv", 9, "WhatsApp-berichten", "1.84", "cannot be read as a number without guessing",
        "Dutch number format"),
    "grade-with-decimal-point": (
        "klanttevredenheid.csv", 3, "website", "7.5", "cannot be read as a number without guessing", "7,8"),
    "unknown-label": (
        "kerncijfers.csv", 5, "aantal telefoontjes naar de gemeente Utrecht", None, "unknown label",
        "The closest known labels: 'aantal telefoontjes naar gemeente' (phone_calls)"),
    "negative-count": ("kerncijfers.csv", 4, KCC, "-18.671", "a count cannot be negative [year 2018]", "Correct"),
    "percent-above-100": (
        "kerncijfers.csv", 7, "telefonische bereikbaarheid Klantcontactcentrum (%)", "109",
        "a percentage must lie between 0 and 100 [year 2018]", "Correct"),
    "grade-above-10": ("klanttevredenheid.csv", 4, "telefoon", "77", "between 1 and 10 [year 2018]", "Correct"),
    "grade-two-decimals": ("klanttevredenheid.csv", 5, "e-mail", "5,93", "at most one decimal [year 2018]", "7,8"),
    "part-larger-than-parent": (
        "kerncijfers.csv", 6, "waarvan via 14030", "364.862", "larger than its whole in the same year [year 2017]",
        "part of the row above"),
    "restated-series-with-gap": (
        "kerncijfers.csv", 8, BALIE + "*", "-", "restated series leaves a year inside its range not available",
        "declare a break instead"),
    "tidy-missing-value-without-status-o": (
        "cijfers.csv", 3, "phone_calls", "", "a missing value needs status O", "Write '-'"),
    "undeclared-method-change": (
        "kerncijfers.csv", 11, BALIE, "Op een nieuwe manier gemeten, vervangt voorgaande metingen.",
        "footnote says series counter_visits is measured in a new way, but manifest.toml declares no method change",
        '[[method_changes]] series = "counter_visits", kind = "restate"'),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    return build_warehouse(make_raw(root, RAW_2019), root / "w.duckdb")


def test_every_fixture_has_a_case():
    assert sorted(p.name for p in INVALID.iterdir() if p.is_dir()) == sorted([*CASES, "duplicate-row"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_delivery_is_refused_and_changes_nothing(case, published, tmp_path):
    before = fingerprint(published)
    raw = tmp_path / "raw"
    shutil.copytree(INVALID / case, raw / "2019")
    with pytest.raises(DeliveryError) as refused:
        build_warehouse(raw, published)
    file, row, label, value, rule, action = CASES[case]
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.label, problem.value) == (f"2019/{file}", row, label, value)
    assert rule in problem.rule
    assert action in problem.action
    assert fingerprint(published) == before
    assert not (published.parent / "w.duckdb.tmp").exists()


def test_duplicated_row_names_both_rows_and_every_year(published, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(INVALID / "duplicate-row", raw / "2019")
    with pytest.raises(DeliveryError) as refused:
        build_warehouse(raw, published)
    problems = refused.value.problems
    assert {(p.row, p.label) for p in problems} == {(9, "WhatsApp-berichten"), (10, "WhatsApp-berichten")}
    assert sorted(p.value for p in problems if p.row == 10) == [
        "1.849 (year 2015)", "11.189 (year 2016)", "11.342 (year 2017)", "11.523 (year 2018)"]
    assert all(p.rule == "the same series and year are delivered more than once" for p in problems)


def test_all_failures_of_all_files_are_reported_at_once(published, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(INVALID / "negative-count", raw / "2019")
    shutil.copy(INVALID / "grade-two-decimals" / "klanttevredenheid.csv", raw / "2019" / "klanttevredenheid.csv")
    with pytest.raises(DeliveryError) as refused:
        build_warehouse(raw, published)
    assert [(p.file, p.row) for p in refused.value.problems] == [
        ("2019/kerncijfers.csv", 4), ("2019/klanttevredenheid.csv", 5)]
    report = refused.value.report()
    assert report.splitlines()[0] == "Delivery refused: 2 problems; nothing was loaded."
    assert "- 2019/kerncijfers.csv, row 4, label '" + KCC + "', value '-18.671': a count cannot be negative" in report
