"""manifest.toml is read strictly: every shape it can take is read or refused with Problems (never another
exception), a refusal names the key, and a refused manifest changes neither raw/ nor the published warehouse."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.deliveries.manifest import read_manifest
from kanaalmonitor.errors import DeliveryError, Problem
from tests.helpers import PROJECT_ROOT, RAW_2019, digests, make_raw
from tests.reliability import refresh_in_process

BAD = PROJECT_ROOT / "tests" / "data" / "bad"
SERIES = frozenset(Catalogue.load().series)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("manifest")
    warehouse = base / "kanaalmonitor.duckdb"
    refresh_in_process(make_raw(base, RAW_2019), warehouse)
    return warehouse


REFUSALS = {
    "manifest-method-changes-not-tables":
        "label 'method_changes[1]', value 'counter_visits': method_changes must be a list of [[method_changes]] "
        "tables. See raw/README.md.",
    "manifest-revision-years-text":
        "label 'revision_notes[1].years[1]', value 'abc': years of a revision note must be years from 1900 to 9999. "
        "Write e.g. years = [2017, 2018], or leave years out for every year of the series.",
    "manifest-revision-year-not-whole":
        "label 'revision_notes[1].years[1]', value '2017.9': years of a revision note must be years from 1900 to "
        "9999. Write e.g. years = [2017, 2018], or leave years out for every year of the series.",
    "manifest-nul-in-path":
        "label 'files[1].path', value 'kerncijfers.csv\\x00.txt': file path contains a control character. Write the "
        "file name as it is on disk, without control characters.",
    "manifest-revision-note-unknown-series":
        "label 'revision_notes[1].series', value 'web_request': revision note names an unknown series. Use a code "
        "from schemas/series.csv.",
    "manifest-path-into-other-delivery":
        "label 'files[1].path', value '../2019/kerncijfers.csv': file path points outside its delivery folder. Name "
        "a file inside the delivery folder; each delivery lists only its own files.",
    "manifest-revision-notes-twice":
        "label 'revision_notes[2]', value '2017': more than one revision note explains web_requests for the same "
        "year (a note without years explains every year). Keep one [[revision_notes]] per series and year; put the "
        "explanations together in one note.",
    "manifest-municipality-newline":
        "value 'GM0344\\n': municipality must be a CBS code like GM0344. Write the CBS code, e.g. "
        "municipality = \"GM0344\".",
    "manifest-municipality-other-digits":
        "value 'GM\u0660\u0663\u0664\u0664': municipality must be a CBS code like GM0344. Write the CBS code, e.g. "
        "municipality = \"GM0344\".",
    "manifest-unknown-key-in-files":
        "label 'files[1].pad': unknown key 'pad' in a [[files]] table. Use only: form, path.",
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_manifest_of_the_wrong_shape_is_refused_with_the_key_and_nothing_changes(case, tmp_path, published):
    raw = make_raw(tmp_path, RAW_2019)
    shutil.copytree(BAD / case, raw / case, ignore=shutil.ignore_patterns("expected.toml"))
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    shutil.copy2(published, warehouse)
    before = digests(raw, warehouse)
    with pytest.raises(DeliveryError) as info:
        refresh_in_process(raw, warehouse)
    assert info.value.report() == ("Delivery refused: 1 problem; nothing was loaded.\n"
                                   f"- {case}/manifest.toml, {REFUSALS[case]}")
    assert digests(raw, warehouse) == before


def write_manifest(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(RAW_2019 / "kerncijfers.csv", folder / "kerncijfers.csv")
    (folder / "manifest.toml").write_text(text, encoding="utf-8")
    return folder / "manifest.toml"


def test_revision_notes_of_one_series_for_different_years_are_read(tmp_path):
    manifest = write_manifest(tmp_path / "raw" / "2020", """edition = 2020
[[revision_notes]]
series = "web_requests"
years = [2016]
note = "Dubbele aanvragen verwijderd."
[[revision_notes]]
series = "web_requests"
years = [2017, 2018]
note = "Nagekomen aanvragen meegeteld."
[[revision_notes]]
series = "phone_calls"
note = "Nieuwe telefooncentrale."
""")
    notes = read_manifest(manifest, tmp_path / "raw").revision_notes
    assert [(n.series, n.years, n.note) for n in notes] == [
        ("web_requests", (2016,), "Dubbele aanvragen verwijderd."),
        ("web_requests", (2017, 2018), "Nagekomen aanvragen meegeteld."),
        ("phone_calls", (), "Nieuwe telefooncentrale.")]


@pytest.mark.parametrize("notes, value", [
    ('years = [2017, 2017]', "2017"),
    ('years = [2017]\n[[revision_notes]]\nseries = "web_requests"\nnote = "x"', None),
])
def test_a_year_explained_twice_within_a_note_or_by_a_note_for_every_year_is_refused(tmp_path, notes, value):
    manifest = write_manifest(tmp_path / "raw" / "2020",
                              f'edition = 2020\n[[revision_notes]]\nseries = "web_requests"\nnote = "n"\n{notes}\n')
    with pytest.raises(DeliveryError) as info:
        read_manifest(manifest, tmp_path / "raw")
    [problem] = info.value.problems
    assert problem.value == value and problem.rule.startswith("more than one revision note explains web_requests")


@pytest.mark.parametrize("line, rule", [
    ("edition = true", "edition must be a whole year"),
    ("edition = 2020.0", "edition must be a whole year"),
    ("edition = 2020\npublished_on = 2020-06-01T10:00:00", "published_on must be a date"),
    ('edition = 2020\n[[method_changes]]\nseries = "counter_visits"\nkind = "break"\nmethod = "m"\nfrom_year = true',
     "from_year of the method change for counter_visits must be a year from 1900 to 9999"),
])
def test_a_bool_or_float_is_no_year_and_a_datetime_is_no_date(tmp_path, line, rule):
    manifest = write_manifest(tmp_path / "raw" / "2020", line + "\n")
    with pytest.raises(DeliveryError) as info:
        read_manifest(manifest, tmp_path / "raw")
    assert [p.rule for p in info.value.problems] == [rule]


# --- every TOML value under every key: read, or refused with Problems

def toml_string(text: str) -> str:
    escaped = (c if c not in '"\\' and c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF
               else f"\\U{ord(c):08x}" for c in text)
    return '"' + "".join(escaped) + '"'


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else {math.inf: "inf", -math.inf: "-inf"}.get(value, repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


WORDS = ["kerncijfers.csv", "../2019/kerncijfers.csv", "/etc/hosts", "sub/../kerncijfers.csv", "kerncijfers.txt",
         "GM0344", "GM0344\n", "GM\u0660344", "gm0344", "web_requests", "counter_visits", "restate", "break",
         "printed", "tidy", "", "*", "\x00", "2020"]
SCALARS = (st.integers(min_value=-2**63, max_value=2**63 - 1) | st.sampled_from([1989, 1990, 2017, 2020, 2999])
           | st.floats() | st.booleans() | st.sampled_from(WORDS) | st.text(max_size=12) | st.dates()
           | st.datetimes(timezones=st.none() | st.just(dt.UTC)) | st.times())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["path", "series", "years", "x"]), inner, max_size=3),
                      max_leaves=8)
GOOD = {  # values that can be read, so that most manifests get past the first key to the next rule
    "edition": st.just(2020), "municipality": st.sampled_from(["GM0344", "GM0363"]),
    "published_on": st.just(dt.date(2020, 6, 1)), "source": st.just("gemeente Utrecht"),
    "path": st.sampled_from(["kerncijfers.csv", "../2019/kerncijfers.csv", "sub/../kerncijfers.csv"]),
    "form": st.sampled_from(["printed", "tidy"]),
    "series": st.sampled_from(["web_requests", "counter_visits", "web_request"]),
    "kind": st.sampled_from(["restate", "break"]), "method": st.just("nieuw"), "from_year": st.just(2017),
    "footnote": st.just("*"), "note": st.just("Toelichting."),
    "years": st.lists(st.sampled_from([2016, 2017]), max_size=2),
}
FIELDS = {"files": ["path", "form"], "method_changes": ["series", "kind", "method", "from_year", "footnote", "note"],
          "revision_notes": ["series", "years", "note"]}
REQUIRED = {"files": ["path"], "method_changes": ["series", "kind", "method"], "revision_notes": ["series", "note"]}


def mostly(good, bad: int):
    """Mostly a draw of good, about one time in bad an arbitrary value."""
    return st.integers(1, 1000).flatmap(lambda i: VALUES if i <= 1000 // bad else good)


def value(key: str, bad: int):
    return mostly(GOOD[key], bad)


def tables(key: str, bad: int, extra: dict):
    entry = st.fixed_dictionaries({f: value(f, bad) for f in REQUIRED[key]},
                                  optional={f: value(f, bad) for f in FIELDS[key] if f not in REQUIRED[key]} | extra)
    return mostly(st.lists(mostly(entry, bad), max_size=3), bad)


def manifests(bad: int, extra: dict):
    return st.fixed_dictionaries({"edition": value("edition", bad)}, optional={
        **{k: value(k, bad) for k in ("municipality", "published_on", "source")},
        **{k: tables(k, bad, extra) for k in FIELDS}, **extra})


MANIFESTS = manifests(12, {}) | manifests(3, {"extra": VALUES})


@pytest.fixture(scope="module")
def fuzz_raw(tmp_path_factory) -> Path:
    raw = make_raw(tmp_path_factory.mktemp("fuzz-manifest"), RAW_2019)
    write_manifest(raw / "2020", "")
    return raw


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(data=MANIFESTS)
def test_any_manifest_is_read_or_refused_with_problems(fuzz_raw, data):
    text = "\n".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in data.items()) + "\n"
    tomllib.loads(text)
    manifest = fuzz_raw / "2020" / "manifest.toml"
    manifest.write_text(text, encoding="utf-8")
    try:
        delivery = read_manifest(manifest, fuzz_raw, SERIES)
    except DeliveryError as exc:
        assert exc.problems
        assert all(isinstance(p, Problem) and p.file == "2020/manifest.toml" and p.rule and p.action
                   for p in exc.problems)
        return
    assert type(delivery.edition) is int and 1990 <= delivery.edition <= dt.date.today().year + 1
    assert delivery.municipality.isascii() and len(delivery.municipality) == 6
    assert delivery.published_on is None or type(delivery.published_on) is dt.date
    assert delivery.files and {f.name for f in delivery.files} == {"2020/kerncijfers.csv"}
    for note in delivery.revision_notes:
        assert note.series in SERIES and all(type(y) is int for y in note.years)
