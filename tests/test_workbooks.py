"""A workbook delivery: cells read as their number format displays them, hidden sheets skipped and reported,
and the workbook one row of `deliveries` with the cells of all its sheets."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.deliveries.parse import Sheet, parse_delivery, xlsx_text
from kanaalmonitor.errors import DeliveryError, Problem
from kanaalmonitor.report.run_report import Outcome, summary_markdown
from tests.helpers import build_warehouse, make_raw, query

BOOK = "kanaalmonitor-2021.xlsx"
FILE = f"2021/{BOOK}"
PHONE = "Baliebezoek & telefonie"
ONLINE = "Online dienstverlening"
COUNTER = "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern"
REACHABILITY = "telefonische bereikbaarheid Klantcontactcentrum (%)"
REQUESTS = "aantal digitale aanvragen via website Utrecht.nl (in miljoenen)"
G = "General"

# Each sheet: (title, state, rows); a row is a list of cells, a cell a value or (value, number format).
SHEETS = [
    (PHONE, "visible", [
        [PHONE, 2019, 2020],
        ["aantal telefoontjes naar gemeente", (305112, "#,##0"), (298476, "#,##0")],
        ["waarvan via 14030", (196320, "#,##0"), (201345, "#,##0")],
        [REACHABILITY, (0.61, "0%"), (0.613, "0.0%")],
        [COUNTER, "-", (181422, G)],
        [],
        ["* Telefoontjes naar 14030 en 030-286 0000 samen."],
        ["Bron: gemeente Utrecht, Klantcontactcentrum"],
    ]),
    ("Concept", "hidden", [  # an older draft: read as data, its labels and its formula would be refused
        ["Concept baliebezoek", 2019, 2020],
        ["telefoontjes totaal (concept)", 1, "=B2+1"],
    ]),
    (ONLINE, "visible", [
        [ONLINE, 2019, 2020],
        [REQUESTS, (0.27, "0.0"), (0.35, "0.0")],
        ["waarvan meldingen openbare ruimte", (80112, "#,##0"), (85433, "#,##0")],
        [],
        ["Bron: gemeente Utrecht, webstatistieken"],
    ]),
    ("Leeg", "visible", []),
    ("Oud", "veryHidden", [
        ["Oude indeling", 2018],
        ["bezoekers balie (oud)", True],
    ]),
]

MANIFEST = 'edition = 2021\nsource = "gemeente Utrecht, Utrecht Monitor 2021"\n\n[[files]]\npath = "{name}"\n'


def write_workbook(path: Path, sheets: list) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, state, rows in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                value, number_format = cell if isinstance(cell, tuple) else (cell, G)
                target = ws.cell(row=r, column=c, value=value)
                target.number_format = number_format
    wb.save(path)
    return path


def delivery(root: Path, sheets: list = SHEETS, name: str = BOOK) -> Path:
    folder = root / "src" / "2021"
    folder.mkdir(parents=True)
    write_workbook(folder / name, sheets)
    (folder / "manifest.toml").write_text(MANIFEST.format(name=name), encoding="utf-8")
    return make_raw(root, folder)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workbook")
    return build_warehouse(delivery(root), root / "kanaalmonitor.duckdb")


def test_observations_are_the_figures_as_displayed(built):
    assert query(built, "select series, year, value, status, method, edition from observations order by all") == [
        ("counter_visits", 2019, None, "O", "standaard", 2021),
        ("counter_visits", 2020, 181422.0, "A", "standaard", 2021),
        ("kcc_phone_reachability", 2019, 61.0, "A", "standaard", 2021),
        ("kcc_phone_reachability", 2020, 61.3, "A", "standaard", 2021),
        ("phone_calls", 2019, 305112.0, "A", "standaard", 2021),
        ("phone_calls", 2020, 298476.0, "A", "standaard", 2021),
        ("phone_calls_14030", 2019, 196320.0, "A", "standaard", 2021),
        ("phone_calls_14030", 2020, 201345.0, "A", "standaard", 2021),
        ("public_space_reports", 2019, 80112.0, "A", "standaard", 2021),
        ("public_space_reports", 2020, 85433.0, "A", "standaard", 2021),
        ("web_requests", 2019, 300000.0, "A", "standaard", 2021),
        ("web_requests", 2020, 400000.0, "A", "standaard", 2021),
    ]


def test_vintages_keep_each_cell_as_displayed(built):
    phone, online = f"{FILE}[{PHONE}]", f"{FILE}[{ONLINE}]"
    assert query(built, "select file, row, label, series, year, cell, value, status from observation_vintages "
                        "order by file, row, year") == [
        (phone, 2, "aantal telefoontjes naar gemeente", "phone_calls", 2019, "305.112", 305112.0, "A"),
        (phone, 2, "aantal telefoontjes naar gemeente", "phone_calls", 2020, "298.476", 298476.0, "A"),
        (phone, 3, "waarvan via 14030", "phone_calls_14030", 2019, "196.320", 196320.0, "A"),
        (phone, 3, "waarvan via 14030", "phone_calls_14030", 2020, "201.345", 201345.0, "A"),
        (phone, 4, REACHABILITY, "kcc_phone_reachability", 2019, "61", 61.0, "A"),
        (phone, 4, REACHABILITY, "kcc_phone_reachability", 2020, "61,3", 61.3, "A"),
        (phone, 5, COUNTER, "counter_visits", 2019, "-", None, "O"),
        (phone, 5, COUNTER, "counter_visits", 2020, "181422", 181422.0, "A"),
        (online, 2, REQUESTS, "web_requests", 2019, "0,3", 300000.0, "A"),
        (online, 2, REQUESTS, "web_requests", 2020, "0,4", 400000.0, "A"),
        (online, 3, "waarvan meldingen openbare ruimte", "public_space_reports", 2019, "80.112", 80112.0, "A"),
        (online, 3, "waarvan meldingen openbare ruimte", "public_space_reports", 2020, "85.433", 85433.0, "A"),
    ]


def test_the_workbook_is_one_delivered_file_with_the_cells_of_its_sheets(built):
    sha = hashlib.sha256((built.parent / "raw" / FILE).read_bytes()).hexdigest()
    assert query(built, "select * from deliveries") == [
        (FILE, sha, "GM0344", 2021, 12, discover(built.parent / "raw")[0].load_id(), dt.datetime(2026, 6, 1, 6))]
    assert query(built, "select * from workbook_sheets order by position") == [
        ("GM0344", 2021, FILE, PHONE, 1, "visible", True, 8),
        ("GM0344", 2021, FILE, "Concept", 2, "hidden", False, 0),
        ("GM0344", 2021, FILE, ONLINE, 3, "visible", True, 4),
        ("GM0344", 2021, FILE, "Leeg", 4, "visible", False, 0),
        ("GM0344", 2021, FILE, "Oud", 5, "veryHidden", False, 0),
    ]


def test_notes_of_each_sheet(built):
    assert query(built, "select file, row, marker, text from notes order by file, row") == [
        (f"{FILE}[{PHONE}]", 7, "*", "Telefoontjes naar 14030 en 030-286 0000 samen."),
        (f"{FILE}[{PHONE}]", 8, None, "Bron: gemeente Utrecht, Klantcontactcentrum"),
        (f"{FILE}[{ONLINE}]", 5, None, "Bron: gemeente Utrecht, webstatistieken"),
    ]


def test_the_run_report_lists_the_hidden_sheets_as_skipped(built):
    summary = summary_markdown(Outcome("published", built, discover(built.parent / "raw"), None))
    assert ("## Overgeslagen werkbladen\n\nVerborgen werkbladen worden nooit als gegevens gelezen.\n\n"
            "| bestand | werkblad |\n|---|---|\n"
            f"| {FILE} | Concept |\n| {FILE} | Oud |\n") in summary


def test_raw_cells_carry_the_text_and_the_number_format(tmp_path):
    raw = delivery(tmp_path)
    parsed = parse_delivery(discover(raw)[0], Catalogue.load(), tmp_path / "work")
    cells = parsed.cells.sort_values(["file", "row", "year"])
    got = [(f.split("[")[1].rstrip("]"), r, y, c, nf) for f, r, y, c, nf
           in cells[["file", "row", "year", "cell", "number_format"]].itertuples(index=False)]
    assert got == [
        (PHONE, 2, 2019, "305.112", "#,##0"), (PHONE, 2, 2020, "298.476", "#,##0"),
        (PHONE, 3, 2019, "196.320", "#,##0"), (PHONE, 3, 2020, "201.345", "#,##0"),
        (PHONE, 4, 2019, "61", "0%"), (PHONE, 4, 2020, "61,3", "0.0%"),
        (PHONE, 5, 2019, "-", "General"), (PHONE, 5, 2020, "181422", "General"),
        (ONLINE, 2, 2019, "0,3", "0.0"), (ONLINE, 2, 2020, "0,4", "0.0"),
        (ONLINE, 3, 2019, "80.112", "#,##0"), (ONLINE, 3, 2020, "85.433", "#,##0"),
    ]
    assert parsed.sheets == [Sheet(FILE, PHONE, f"{FILE}[{PHONE}]", "visible"), Sheet(FILE, "Concept", None, "hidden"),
                             Sheet(FILE, ONLINE, f"{FILE}[{ONLINE}]", "visible"), Sheet(FILE, "Leeg", None, "visible"),
                             Sheet(FILE, "Oud", None, "veryHidden")]


def test_one_visible_sheet_is_named_by_its_file(tmp_path):
    raw = delivery(tmp_path, SHEETS[:2])
    parsed = parse_delivery(discover(raw)[0], Catalogue.load(), tmp_path / "work")
    assert set(parsed.cells["file"]) == {FILE}
    assert parsed.sheets == [Sheet(FILE, PHONE, FILE, "visible"), Sheet(FILE, "Concept", None, "hidden")]


@pytest.mark.parametrize(("value", "number_format", "text"), [
    (0.61, "0%", "61"),
    (0.613, "0.0%", "61,3"),
    (0.6134, "0.0%", "61,3"),
    (0.61, "0%;[Red]-0%", "61"),
    (1234567, "#,##0", "1.234.567"),
    (-1234.5, "#,##0.0", "-1.234,5"),
    (3.64, "0.0", "3,6"),
    (4.25, "0.0", "4,3"),
    (0.35, "0.0", "0,4"),
    (3600000, "0.0,,", "3,6"),
    (1234, "[$-413]#,##0", "1.234"),
    (211105, "General", "211105"),
    (7.8, "General", "7,8"),
    (0.1 + 0.2, "General", "0,3"),
    (1.5e-7, "General", "0,00000015"),
    (292 / 86400, "m:ss", "4:52"),
    (dt.time(0, 4, 52), "m:ss", "4:52"),
    (dt.time(0, 4, 52), "mm:ss", "04:52"),
    (dt.time(1, 4, 52), "h:mm:ss", "1:04:52"),
    (dt.timedelta(hours=26, seconds=292), "[h]:mm:ss", "26:04:52"),
    (61.3, '0.0"%"', "61,3"),
    (1234, '#,##0_);[Red](#,##0)', "1.234"),
    ("-", "General", "-"),
    ("1.234", "@", "1.234"),
])
def test_a_cell_reads_as_its_format_displays_it(value, number_format, text):
    assert xlsx_text(value, number_format) == text


TYPE_FIGURE = "Type the figure as a number (or '-' where it is not available) and save the workbook again."


@pytest.mark.parametrize(("value", "number_format", "shown", "holds", "action"), [
    (dt.datetime(2020, 3, 1), "dd-mm-yyyy", "2020-03-01", "a date",
     "A figure is a number: type it as a number (not as a date), or '-' where it is not available, and save the "
     "workbook again."),
    (dt.datetime(2020, 3, 1, 10, 30), "dd-mm-yyyy hh:mm", "2020-03-01 10:30:00", "a date",
     "A figure is a number: type it as a number (not as a date), or '-' where it is not available, and save the "
     "workbook again."),
    (dt.time(10, 30), "h:mm AM/PM", "10:30:00", "a time of day",
     "Type the figure as a number, or a duration with a duration format (m:ss, [h]:mm:ss), or '-' where it is not "
     "available, and save the workbook again."),
    (True, "General", "TRUE", "a truth value", TYPE_FIGURE),
    (5.5, '0.0" mln"', '5,5 (0.0" mln")', "a number shown with the text 'mln' beside it",
     "Write the figure in the unit its row's label names (for millions, '(in miljoenen)' in the label), with a "
     "number format without words, such as 0.0 or #,##0, and save the workbook again."),
    (305, '#,##0\\k', '305 (#,##0\\k)', "a number shown with the text 'k' beside it",
     "Write the figure in the unit its row's label names (for millions, '(in miljoenen)' in the label), with a "
     "number format without words, such as 0.0 or #,##0, and save the workbook again."),
    ("#DIV/0!", "General", "#DIV/0!", "an Excel error",
     "Replace the error by the figure, or by '-' where it is not available, and save the workbook again."),
])
def test_a_cell_that_is_no_figure_is_refused(tmp_path, value, number_format, shown, holds, action):
    rows = [["Tabel", 2019, 2020], ["aantal telefoontjes naar gemeente", 305112, (value, number_format)]]
    raw = delivery(tmp_path, [("Telefonie", "visible", rows)], name="t.xlsx")
    with pytest.raises(DeliveryError) as exc:
        build_warehouse(raw, tmp_path / "kanaalmonitor.duckdb")
    assert exc.value.problems == [Problem("2021/t.xlsx[Telefonie]", 2, "aantal telefoontjes naar gemeente", shown,
                                          f"cell C2 holds {holds}, not a figure", action)]
    assert not (tmp_path / "kanaalmonitor.duckdb").exists()


def test_every_cell_that_is_no_figure_in_every_sheet_at_once(tmp_path):
    sheets = [("Telefonie", "visible", [["Tabel", 2019, 2020],
                                        ["aantal telefoontjes naar gemeente", True,
                                         (dt.datetime(2020, 1, 2), "d-m-yy")]]),
              ("Online", "visible", [["Tabel", 2019], ["waarvan meldingen openbare ruimte", "#N/A"]])]
    raw = delivery(tmp_path, sheets, name="t.xlsx")
    with pytest.raises(DeliveryError) as exc:
        build_warehouse(raw, tmp_path / "kanaalmonitor.duckdb")
    assert [(p.file, p.row, p.value, p.rule) for p in exc.value.problems] == [
        ("2021/t.xlsx[Online]", 2, "#N/A", "cell B2 holds an Excel error, not a figure"),
        ("2021/t.xlsx[Telefonie]", 2, "TRUE", "cell B2 holds a truth value, not a figure"),
        ("2021/t.xlsx[Telefonie]", 2, "2020-01-02", "cell C2 holds a date, not a figure"),
    ]


def test_a_duration_is_left_to_the_grammar_of_its_series(tmp_path):
    rows = [["Tabel", 2019, 2020], ["aantal telefoontjes naar gemeente", 305112, (292 / 86400, "m:ss")]]
    raw = delivery(tmp_path, [("Telefonie", "visible", rows)], name="t.xlsx")
    parsed = parse_delivery(discover(raw)[0], Catalogue.load(), tmp_path / "work")
    assert list(parsed.cells["cell"]) == ["305112", "4:52"]
    with pytest.raises(DeliveryError) as exc:
        build_warehouse(raw, tmp_path / "kanaalmonitor.duckdb")
    assert [(p.file, p.row, p.label, p.value) for p in exc.value.problems] == [
        ("2021/t.xlsx", 2, "aantal telefoontjes naar gemeente", "4:52")]


def test_a_workbook_of_hidden_sheets_only_is_refused(tmp_path):
    raw = delivery(tmp_path, [SHEETS[0][:1] + ("hidden",) + SHEETS[0][2:], ("Leeg", "visible", [])], name="t.xlsx")
    with pytest.raises(DeliveryError) as exc:
        build_warehouse(raw, tmp_path / "kanaalmonitor.duckdb")
    assert [str(p) for p in exc.value.problems] == [
        f"2021/t.xlsx: workbook has no filled sheet. Hidden sheets are never read ({PHONE}): show the sheet that "
        "holds the table (right-click a sheet tab > Unhide) and save again."]


def test_kerncijfers_by_edition_is_the_two_visible_sheets_as_printed(built):
    # Typed from SHEETS: each visible sheet one table under its title, rows in sheet order, labels as printed,
    # figures as displayed (0,27 and 0,35 million in a 0.0 format show as 0,3 and 0,4).
    got = query(built, 'select table_title, row_number, label_printed, "2019", "2020" from kerncijfers_by_edition '
                       "where edition = 2021 order by position")
    assert got == [
        (PHONE, 1, "aantal telefoontjes naar gemeente", "305.112", "298.476"),
        (PHONE, 2, "waarvan via 14030", "196.320", "201.345"),
        (PHONE, 3, REACHABILITY, "61", "61,3"),
        (PHONE, 4, COUNTER, "-", "181.422"),
        (ONLINE, 1, REQUESTS, "0,3", "0,4"),
        (ONLINE, 2, "waarvan meldingen openbare ruimte", "80.112", "85.433"),
    ]
