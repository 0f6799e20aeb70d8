"""Property tests of the parser and the schemas: any bytes either load or raise DeliveryError, nothing else."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries.manifest import read_manifest
from kanaalmonitor.deliveries.parse import parse_delivery
from kanaalmonitor.deliveries.validate import validate_cells
from kanaalmonitor.errors import DeliveryError, Problem
from tests.helpers import RAW_2019

CATALOGUE = Catalogue.load()
KERNCIJFERS = (RAW_2019 / "kerncijfers.csv").read_bytes()
TEVREDENHEID = (RAW_2019 / "klanttevredenheid.csv").read_bytes()
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKENS = [b";", b"\n", b"\r\n", b"\r", b",", b".", b"-", b"*", b'"', b"\x00", b"\xef\xbb\xbf", b"\xe2\x88\x92",
          b"\xc2\xa0", b"9", b"0", b" ", b"2019", b"2099", b"1.000", b"7,85", b"%", b"(x 1.000)", b"\xe9", b"\xff",
          b"Bron:", b"waarvan via 14030", b"balie", b";;;;", b"\t"]
CELLS = ["-", "0", "1", "7,8", "7,85", "10,5", "211.105", "211,105", "1.84", "-5", "101", "81 %", "", " ", "n.b.",
         "\u2013", "1.000.000", "99999999999999999999", "nan", "inf", "1e5", "0x10", "7,", ",5", "'", '"']
LABELS = [s.label_nl for s in CATALOGUE.series.values()] + ["waarvan via 14030*", "WhatsApp-berichten (x 1.000)",
                                                             "* Op een nieuwe manier gemeten", "Bron: x", "", "onbekend"]


def check(delivery, work: Path):
    """Parse and validate one delivery as the refresh does, in a fresh work folder; the validated cells."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cells = validate_cells([parse_delivery(delivery, CATALOGUE, work)], CATALOGUE, work / "cells.duckdb")
    con = connect(cells.database, read_only=True)
    try:
        return con.table("cells").df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def delivery_dir(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("fuzz") / "raw"
    shutil.copytree(RAW_2019, raw / "2019")
    return raw


def load(raw: Path, name: str, data: bytes) -> None:
    """Write data over one file of the 2019 delivery, then parse and validate the delivery."""
    for original, content in (("kerncijfers.csv", KERNCIJFERS), ("klanttevredenheid.csv", TEVREDENHEID)):
        (raw / "2019" / original).write_bytes(data if original == name else content)
    delivery = read_manifest(raw / "2019" / "manifest.toml", raw)
    try:
        obs = check(delivery, raw.parent / "work")
    except DeliveryError as exc:
        assert exc.problems and all(isinstance(p, Problem) and p.file and p.rule and p.action for p in exc.problems)
        return
    assert obs["status"].isin(["A", "B", "O", "P", "E"]).all()
    assert (obs["value"].isna() == (obs["status"] == "O")).all()
    counts = obs[obs["unit"] == "count"]["value"].dropna()
    assert (counts >= 0).all() and (counts % 1 == 0).all()


@settings(FUZZ, max_examples=400)
@given(data=st.binary(max_size=3000), name=st.sampled_from(["kerncijfers.csv", "klanttevredenheid.csv"]))
def test_arbitrary_bytes(delivery_dir, data, name):
    load(delivery_dir, name, data)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(TOKENS)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 40)),
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.sampled_from(TOKENS)),
    st.tuples(st.just("line-copy"), st.integers(0, 100), st.integers(0, 100)),
    st.tuples(st.just("line-drop"), st.integers(0, 100), st.just(0)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    for kind, at, arg in steps:
        at = at % (len(data) + 1)
        if kind == "flip" and data:
            at = at % len(data)
            data = data[:at] + bytes([data[at] ^ arg]) + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + arg + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + arg:]
        elif kind == "replace":
            data = data[:at] + arg + data[at + len(arg):]
        elif kind in ("line-copy", "line-drop"):
            lines = data.split(b"\n")
            i = at % len(lines)
            if kind == "line-copy":
                lines.insert(arg % (len(lines) + 1), lines[i])
            else:
                del lines[i]
            data = b"\n".join(lines)
    return data


@settings(FUZZ, max_examples=80)
@given(name=st.sampled_from(["kerncijfers.csv", "klanttevredenheid.csv"]), steps=st.lists(mutation, min_size=1,
                                                                                          max_size=4))
def test_mutations_of_the_real_delivery(delivery_dir, name, steps):
    load(delivery_dir, name, mutate(KERNCIJFERS if name == "kerncijfers.csv" else TEVREDENHEID, steps))


row = st.tuples(st.one_of(st.sampled_from(LABELS), st.text(max_size=20)),
                st.lists(st.one_of(st.sampled_from(CELLS), st.text(max_size=6)), max_size=6))
header = st.lists(st.one_of(st.sampled_from(["2015", "2016", "2017", "2018", "2019", "2020", "1899", "x", ""]),
                            st.text(max_size=5)), max_size=6)


@settings(FUZZ, max_examples=200)
@given(title=st.sampled_from(["Kerncijfers dienstverlening", "Klanttevredenheid per kanaal", "", "Tabel"]),
       years=header, rows=st.lists(row, max_size=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_tables_of_plausible_cells(delivery_dir, title, years, rows, encoding):
    lines = [";".join([title, *years])] + [";".join([label, *cells]) for label, cells in rows]
    data = "\n".join(lines).encode(encoding, errors="replace")
    load(delivery_dir, "kerncijfers.csv", data)


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX = _xlsx([["Klanttevredenheid per kanaal (rapportcijfer)", 2017, 2018], ["balie", 7.8, 7.8],
              ["website", 7.5, 7.6], ["telefoon", 8.0, 7.7], ["e-mail", "-", 5.9]])


@settings(FUZZ, max_examples=60)
@given(steps=st.lists(mutation, min_size=1, max_size=3), whole=st.booleans())
def test_mutations_of_an_xlsx(tmp_path, steps, whole):
    raw = tmp_path / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    (raw / "2019").mkdir(parents=True)
    (raw / "2019" / "manifest.toml").write_text('edition = 2019\n[[files]]\npath = "t.xlsx"\n', encoding="utf-8")
    if whole:
        data = mutate(XLSX, steps)
    else:  # mutate the sheet inside a well-formed zip, so the XML parser sees the damage
        with zipfile.ZipFile(io.BytesIO(XLSX)) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist()}
        members["xl/worksheets/sheet1.xml"] = mutate(members["xl/worksheets/sheet1.xml"], steps)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for k, v in members.items():
                zf.writestr(k, v)
        data = out.getvalue()
    (raw / "2019" / "t.xlsx").write_bytes(data)
    delivery = read_manifest(raw / "2019" / "manifest.toml", raw)
    try:
        check(delivery, tmp_path / "work")
    except DeliveryError as exc:
        assert exc.problems


# --- number cells: arbitrary text per cell per unit, against an oracle of the Dutch number rules

NUMBER_ROWS = {  # unit -> (printed label, series)
    "count": ("WhatsApp-berichten", "whatsapp_messages"),
    "percent": ("telefonische bereikbaarheid Klantcontactcentrum (%)", "kcc_phone_reachability"),
    "grade": ("telefoon", "satisfaction_phone"),
    "duration": ("gemiddelde wachttijd telefoon", "kcc_phone_wait_time"),
}
NUMBER_YEARS = (2016, 2017, 2018)
ASCII_DIGITS = "0123456789"
NUMBER_ALPHABET = ASCII_DIGITS + ".,-:% \u00a0\u2212Ool|\u0661\u0660\uff18\u00b2\u00bde+"
REFUSE = "refuse"
OUT_OF_CELL = set(';"\r\n\x00')  # what ends a CSV cell or makes the file binary


def _digits(text: str) -> bool:
    return bool(text) and all(c in ASCII_DIGITS for c in text)


def _dutch_whole(text: str) -> int | None:
    """A whole number written plainly (1849) or with a point before each group of three (1.849)."""
    if _digits(text):
        return int(text)
    groups = text.split(".")
    if (len(groups) > 1 and 1 <= len(groups[0]) <= 3 and _digits(groups[0]) and groups[0][0] != "0"
            and all(len(g) == 3 and _digits(g) for g in groups[1:])):
        return int("".join(groups))
    return None


def oracle(unit: str, cell: str):
    """What a printed cell means by the Dutch number rules: None (not available), the figure, or REFUSE."""
    from decimal import Decimal

    text = cell.strip().replace("\u00a0", " ").replace("\u2212", "-").strip(" ")
    if text == "-":
        return None
    if unit == "duration":
        parts = text.split(":")
        if (len(parts) in (2, 3) and all(_digits(p) for p in parts) and len(parts[0]) <= 3
                and all(len(p) == 2 and int(p) < 60 for p in parts[1:])):
            seconds = 0
            for p in parts:
                seconds = seconds * 60 + int(p)
            return Decimal(seconds)
        return REFUSE
    negative, body = text.startswith("-"), text[1:] if text.startswith("-") else text
    if unit == "percent" and body.endswith("%"):
        body = body[:-1]
        body = body[:-1] if body.endswith(" ") else body
    whole, fraction = body.split(",", 1) if "," in body else (body, None)
    if fraction is not None and (unit == "count" or not _digits(fraction)):
        return REFUSE
    if unit == "grade":
        number = int(whole) if _digits(whole) and len(whole) <= 2 else None
    else:
        number = _dutch_whole(whole)
    if number is None:
        return REFUSE
    figure = Decimal(f"{number}.{fraction or '0'}") * (-1 if negative else 1)
    decimals = len(fraction or "")
    if abs(figure) >= 10**15 or decimals > 6:
        return REFUSE
    in_range = {"count": figure >= 0, "percent": 0 <= figure <= 100, "grade": 1 <= figure <= 10 and decimals <= 1}
    return figure if in_range[unit] else REFUSE


def _printed(unit: str, in_range: bool):
    """Figures written as the monitor prints them: in their unit's range, or anywhere."""
    def dutch(n: int) -> str:
        return f"{n:,}".replace(",", ".")
    if unit == "duration":
        seconds = st.integers(0, 59) if in_range else st.integers(0, 99)
        return st.builds(lambda h, m, s, long: f"{h}:{m:02d}:{s:02d}" if long else f"{m}:{s:02d}",
                         st.integers(0, 99), seconds, seconds, st.booleans())
    if unit == "count":
        whole = st.integers(0, 10**15 - 1) if in_range else st.integers(0, 10**16)
        return st.one_of(whole.map(dutch), whole.map(str))
    top, places = {"percent": (99, 6), "grade": (9, 1)}[unit]
    first = st.integers(1 if unit == "grade" else 0, top) if in_range else st.integers(0, 120)
    sign = st.sampled_from(["", "%", " %"] if unit == "percent" else [""])
    return st.builds(lambda n, f, pct: f"{dutch(n)}{',' + f if f else ''}{pct}", first,
                     st.text(ASCII_DIGITS, max_size=places if in_range else 8), sign)


def number_cell(unit: str, in_range: bool):
    if in_range:
        return st.one_of(_printed(unit, True), st.just("-"))
    return st.one_of(_printed(unit, False), st.sampled_from([c for c in CELLS if '"' not in c]),
                     st.text(NUMBER_ALPHABET, max_size=10), st.text(max_size=6).filter(lambda t: not set(t) & OUT_OF_CELL))


@pytest.fixture(scope="module")
def number_delivery(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("fuzz-numbers") / "raw"
    (raw / "t").mkdir(parents=True)
    (raw / "t" / "manifest.toml").write_text('edition = 2019\n\n[[files]]\npath = "tabel.csv"\n', encoding="utf-8")
    return raw


def number_cells(in_range: bool):
    return st.tuples(*(st.lists(number_cell(unit, in_range), min_size=len(NUMBER_YEARS), max_size=len(NUMBER_YEARS))
                       for unit in NUMBER_ROWS))


@settings(FUZZ, max_examples=12)
@given(cells=st.one_of(number_cells(True), number_cells(False)))
def test_number_cells_load_as_printed_or_are_refused(number_delivery, cells):
    """Every cell loads as the figure the Dutch rules read in it, or the delivery is refused: every row with a
    cell the rules refuse has a Problem and every Problem names such a cell; never a traceback, never
    another number."""
    table = dict(zip(NUMBER_ROWS, cells))
    lines = [";".join(["Tabel", *map(str, NUMBER_YEARS)])]
    lines += [";".join([NUMBER_ROWS[unit][0], *texts]) for unit, texts in table.items()]
    (number_delivery / "t" / "tabel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = {unit: i for i, unit in enumerate(NUMBER_ROWS, start=2)}
    expected = {(NUMBER_ROWS[unit][1], year): oracle(unit, text)
                for unit, texts in table.items() for year, text in zip(NUMBER_YEARS, texts)}
    refused = {(rows[unit], text.strip()) for unit, texts in table.items() for text in texts
               if oracle(unit, text) is REFUSE}
    try:
        obs = check(read_manifest(number_delivery / "t" / "manifest.toml", number_delivery),
                    number_delivery.parent / "work")
    except DeliveryError as exc:
        assert refused, f"refused although every cell is a figure: {exc.report()}"
        for p in exc.problems:
            assert (p.file, p.row, p.value) in {("t/tabel.csv", r, v) for r, v in refused}, str(p)
        assert {p.row for p in exc.problems} == {r for r, _ in refused}, exc.report()
        return
    assert not refused, f"loaded although the rules refuse {refused}"
    got = {(r.series, r.year): (None if r.value != r.value else r.value, r.status) for r in obs.itertuples()}
    assert got == {key: (None if want is None else float(want), "O" if want is None else "A")
                   for key, want in expected.items()}
