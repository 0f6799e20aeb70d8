"""Unusual but valid forms of the 2019 delivery load, and give exactly the observations of raw/2019."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.helpers import RAW_2019, make_raw
from tests.reliability import refresh_in_process

TABLES = ("kerncijfers.csv", "klanttevredenheid.csv")
NOTE = "Bron: gemeente Utrecht, afdeling Onderzoek \u2013 cijfers geënquêteerd, café-bezoek niet geteld"


def text(name: str) -> str:
    return (RAW_2019 / name).read_text(encoding="utf-8")


def crlf(folder: Path) -> None:
    for name in TABLES:
        (folder / name).write_bytes(text(name).replace("\n", "\r\n").encode("utf-8"))


def bom(folder: Path) -> None:
    for name in TABLES:
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text(name).encode("utf-8"))


def trailing_empty_columns(folder: Path) -> None:
    for name in TABLES:
        (folder / name).write_text("".join(line + ";;;\n" for line in text(name).splitlines()), encoding="utf-8")


def windows_1252_notes(folder: Path) -> None:
    for name in TABLES:
        (folder / name).write_bytes(text(name).replace("Bron: gemeente Utrecht", NOTE, 1).encode("cp1252"))


def quoted_cells_and_nbsp(folder: Path) -> None:
    for name in TABLES:
        rows = list(csv.reader(io.StringIO(text(name)), delimiter=";"))
        rows = [[c.replace(" ", "\u00a0", 2) if i == 0 else c for i, c in enumerate(r)] for r in rows]
        out = io.StringIO()
        csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        (folder / name).write_text(out.getvalue(), encoding="utf-8")


def everything_at_once(folder: Path) -> None:
    for name in TABLES:
        lines = text(name).replace("Bron: gemeente Utrecht", NOTE, 1).splitlines()
        (folder / name).write_bytes(b"\xef\xbb\xbf" + "".join(ln + ";;\r\n" for ln in lines).encode("cp1252"))


def as_xlsx(folder: Path) -> None:
    """The same tables as Excel workbooks, figures stored as numbers, '-' as text."""
    manifest = (folder / "manifest.toml").read_text(encoding="utf-8").replace(".csv", ".xlsx")
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    for name in TABLES:
        wb = openpyxl.Workbook()
        for row in csv.reader(io.StringIO(text(name)), delimiter=";"):
            cells = [row[0]]
            for c in row[1:]:
                number = c.replace(".", "").replace(",", ".")
                cells.append(c if c in ("", "-") else float(number) if "." in number else int(number))
            wb.active.append(cells if any(row) else [])
        wb.save(folder / name.replace(".csv", ".xlsx"))
        (folder / name).unlink()


VARIANTS = {f.__name__: f for f in (crlf, bom, trailing_empty_columns, windows_1252_notes, quoted_cells_and_nbsp,
                                    everything_at_once, as_xlsx)}


def observations(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select * from observations order by all").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(built_2019) -> list[tuple]:
    return observations(built_2019)


def test_reference_is_the_2019_table(reference):
    # 8 kerncijfers rows x 4 years + 4 grade rows x 2 years
    assert len(reference) == 40
    assert ("GM0344", "web_requests", 2015, 211105.0, "A", "standaard", 2019) in reference
    assert ("GM0344", "satisfaction_email", 2017, None, "O", "standaard", 2019) in reference
    assert ("GM0344", "counter_visits", 2018, 294794.0, "A", "afspraak-2019", 2019) in reference


@pytest.mark.parametrize("variant", VARIANTS)
def test_unusual_form_loads_the_same_observations(variant, tmp_path, reference):
    raw = make_raw(tmp_path, RAW_2019)
    VARIANTS[variant](raw / "2019")
    warehouse = tmp_path / "kanaalmonitor.duckdb"
    refresh_in_process(raw, warehouse)
    assert observations(warehouse) == reference
    if variant in ("windows_1252_notes", "everything_at_once"):
        con = duckdb.connect(str(warehouse), read_only=True)
        notes = {r[0] for r in con.execute("select text from notes").fetchall()}
        con.close()
        assert NOTE in notes


def test_fixtures_differ_from_raw_2019(tmp_path):
    for name, make in VARIANTS.items():
        folder = tmp_path / name
        shutil.copytree(RAW_2019, folder)
        make(folder)
        changed = [p.name for p in sorted(folder.iterdir())
                   if not (RAW_2019 / p.name).exists() or (RAW_2019 / p.name).read_bytes() != p.read_bytes()]
        assert changed, name
