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


@settings(FUZZ, max_examples=200)
@given(name=st.sampled_from(["kerncijfers.csv", "klanttevredenheid.csv"]), steps=st.lists(mutation, min_size=1,
                                                                                          max_size=4))
def test_mutations_of_the_real_delivery(delivery_dir, name, steps):
    load(delivery_dir, name, mutate(KERNCIJFERS if name == "kerncijfers.csv" else TEVREDENHEID, steps))


row = st.tuples(st.one_of(st.sampled_from(LABELS), st.text(max_size=20)),
                st.lists(st.one_of(st.sampled_from(CELLS), st.text(max_size=6)), max_size=6))
header = st.lists(st.one_of(st.sampled_from(["2015", "2016", "2017", "2018", "2019", "2020", "1899", "x", ""]),
                            st.text(max_size=5)), max_size=6)


@settings(FUZZ, max_examples=400)
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


@settings(FUZZ, max_examples=150)
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
