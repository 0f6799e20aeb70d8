"""`kanaalmonitor tables`, `describe` and `export` on a warehouse built from the 2019 edition."""

from __future__ import annotations

import csv
import tomllib

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pytest import approx

from kanaalmonitor.cli import main
from kanaalmonitor.config import MODELS_FILE
from kanaalmonitor.tables import HEADERS_NL
from tests.helpers import RAW_2019, fingerprint, query, warehouse_from

MODELS = {m["name"]: m for m in tomllib.loads(MODELS_FILE.read_text(encoding="utf-8"))["model"]}


@pytest.fixture(scope="module")
def w2019(tmp_path_factory):
    return warehouse_from(tmp_path_factory.mktemp("cli"), RAW_2019)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tables_lists_every_table_with_its_comment(capsys, w2019):
    code, out, err = run(capsys, "tables", "--warehouse", str(w2019))
    assert code == 0 and err == ""
    width = len("satisfaction_by_edition")
    assert out.splitlines() == [f"{name:<{width}}  {MODELS[name]['comment']}" for name in sorted(MODELS)]
    assert f"{'per_day':<{width}}  Average per calendar day of every count series, current figures." in out


def test_describe_gives_columns_types_and_comments(capsys, w2019):
    code, out, err = run(capsys, "describe", "per_day", "--warehouse", str(w2019))
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "per_day: Average per calendar day of every count series, current figures.",
        "column        type     comment",
        "municipality  VARCHAR  CBS municipality code.",
        "series        VARCHAR  Series code (count series only).",
        "year          INTEGER  Year the figure is about.",
        "value         DOUBLE   Current count for the year; NULL where not available.",
        "days          BIGINT   Calendar days of the year (366 in a leap year).",
        "per_day       DOUBLE   value / days.",
    ]


def test_describe_an_unknown_table_suggests_the_closest(capsys, w2019):
    code, out, err = run(capsys, "describe", "yoy_chnge", "--warehouse", str(w2019))
    assert code == 4 and out == ""
    assert err == ("No table 'yoy_chnge' in the warehouse. Did you mean 'yoy_change'? "
                   "`kanaalmonitor tables` lists them.\n")


def test_no_warehouse(capsys, tmp_path):
    code, _, err = run(capsys, "tables", "--warehouse", str(tmp_path / "none.duckdb"))
    assert code == 4
    assert err == f"No warehouse at {tmp_path / 'none.duckdb'}: run `kanaalmonitor run` first.\n"


def test_export_csv(capsys, w2019, tmp_path):
    out_file = tmp_path / "out" / "yoy.csv"
    code, out, _ = run(capsys, "export", "yoy_change", "--format", "csv", "--out", str(out_file),
                       "--warehouse", str(w2019))
    assert code == 0 and out == f"Wrote 40 rows of yoy_change to {out_file} (csv).\n"
    with out_file.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert len(records) == 40  # 8 kerncijfers rows x 4 years + 4 grades x 2 years
    row = next(r for r in records if r["series"] == "phone_calls" and r["year"] == "2018")
    assert {k: v for k, v in row.items() if k != "change_pct"} == {
        "municipality": "GM0344", "series": "phone_calls", "year": "2018", "value": "314803",
        "previous_value": "334911", "change": "-20108", "comparable": "true", "edition": "2019"}
    assert float(row["change_pct"]) == approx((314803 - 334911) / 334911 * 100)


def test_export_parquet_keeps_types_and_comments(capsys, w2019, tmp_path):
    out_file = tmp_path / "per_day.parquet"
    assert run(capsys, "export", "per_day", "--format", "parquet", "--out", str(out_file),
               "--warehouse", str(w2019))[0] == 0
    table = pq.read_table(out_file)
    assert table.schema.field("year").type == pa.int32()
    assert table.schema.field("per_day").type == pa.float64()
    assert table.schema.field("days").metadata == {b"comment": b"Calendar days of the year (366 in a leap year)."}
    assert table.schema.metadata[b"comment"] == MODELS["per_day"]["comment"].encode()
    rows = [r for r in table.to_pylist() if r["series"] == "counter_visits" and r["year"] == 2016]
    # 2016 is a leap year: 274268 / 366.
    assert rows == [{"municipality": "GM0344", "series": "counter_visits", "year": 2016, "value": 274268,
                     "days": 366, "per_day": approx(274268 / 366)}]


def cells(path):
    ws = openpyxl.load_workbook(path).active
    return [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]


def test_export_xlsx_has_dutch_headers_and_number_formats(capsys, w2019, tmp_path):
    out_file = tmp_path / "yoy.xlsx"
    assert run(capsys, "export", "yoy_change", "--format", "xlsx", "--out", str(out_file),
               "--warehouse", str(w2019))[0] == 0
    sheet = cells(out_file)
    assert [v for v, _ in sheet[0]] == ["gemeente", "reeks", "jaar", "waarde", "waarde vorig jaar", "verschil",
                                        "verschil (%)", "vergelijkbaar", "editie"]
    row = next(r for r in sheet if r[1][0] == "phone_calls" and r[2][0] == 2018)
    # Years without thousands separator; counts '#,##0' (Dutch Excel shows 314.803); percent one decimal.
    assert row == [("GM0344", "General"), ("phone_calls", "General"), (2018, "0"), (314803, "#,##0"),
                   (334911, "#,##0"), (-20108, "#,##0"), (approx((314803 - 334911) / 334911 * 100), "0.0"),
                   (True, "General"), (2019, "0")]


def test_export_xlsx_of_grades(capsys, w2019, tmp_path):
    out_file = tmp_path / "satisfaction.xlsx"
    assert run(capsys, "export", "satisfaction", "--format", "xlsx", "--out", str(out_file),
               "--warehouse", str(w2019))[0] == 0
    sheet = cells(out_file)
    assert [v for v, _ in sheet[0]] == ["gemeente", "kanaal (code)", "kanaal", "jaar", "rapportcijfer",
                                        "rapportcijfer vorig jaar", "verschil", "rangorde"]
    phone_2018 = next(r for r in sheet if r[1][0] == "phone" and r[3][0] == 2018)
    # telefoon 7,7 in 2018 after 8,0 in 2017: -0,3, second after balie 7,8.
    assert phone_2018 == [("GM0344", "General"), ("phone", "General"), ("telefoon", "General"), (2018, "0"),
                          (7.7, "0.0"), (8.0, "0.0"), (approx(-0.3), "#,##0.0"), (2, "0")]


def test_export_xlsx_of_kerncijfers_gives_numbers_formatted_as_printed(capsys, w2019, tmp_path):
    out_file = tmp_path / "kerncijfers.xlsx"
    assert run(capsys, "export", "kerncijfers", "--format", "xlsx", "--out", str(out_file),
               "--warehouse", str(w2019))[0] == 0
    sheet = cells(out_file)
    assert [v for v, _ in sheet[0]] == ["gemeente", "tabeltitel", "regel in de tabel", "reeks",
                                        "omschrijving zoals gedrukt", "omschrijving", "eenheid (code)", "eenheid",
                                        "editie van de tabel", "volgorde", "2015", "2016", "2017", "2018",
                                        "2015 zoals gedrukt", "2016 zoals gedrukt", "2017 zoals gedrukt",
                                        "2018 zoals gedrukt"]
    by_series = {r[3][0]: [v for v, _ in r[10:]] for r in sheet[1:]}
    formats = {r[3][0]: [f for _, f in r[10:14]] for r in sheet[1:]}
    # kerncijfers.csv: 211.105;223.449;233.453;260.704 and -;-;57.844;78.624 and 81;91;90;90.
    assert by_series["web_requests"] == [211105, 223449, 233453, 260704, "211.105", "223.449", "233.453", "260.704"]
    assert formats["web_requests"] == ["#,##0"] * 4
    assert by_series["public_space_reports"] == [None, None, 57844, 78624, "-", "-", "57.844", "78.624"]
    assert by_series["kcc_phone_reachability"] == [81, 91, 90, 90, "81", "91", "90", "90"]
    assert list(by_series) == ["web_requests", "public_space_reports", "kcc_emails", "phone_calls",
                               "phone_calls_14030", "kcc_phone_reachability", "counter_visits", "whatsapp_messages",
                               "satisfaction_counter", "satisfaction_website", "satisfaction_phone", "satisfaction_email"]
    # klanttevredenheid.csv: e-mail -;5,9 for 2017-2018, a grade with one decimal; no 2015 or 2016.
    assert by_series["satisfaction_email"] == [None, None, None, 5.9, None, None, "-", "5,9"]
    assert formats["satisfaction_email"][3] == "#,##0.0"


def test_every_column_has_a_dutch_header(w2019):
    columns = query(w2019, "select distinct column_name from duckdb_columns() where schema_name = 'main' "
                              "and not internal order by 1")
    assert [c for (c,) in columns if not c.isdigit() and c not in HEADERS_NL] == []


@pytest.mark.parametrize("name", ["series; drop table series", "main.series", "SERIES", "duckdb_tables()"])
def test_export_refuses_a_name_outside_the_catalogue_of_tables(capsys, w2019, tmp_path, name):
    before = fingerprint(w2019)
    out_file = tmp_path / "x.csv"
    code, out, err = run(capsys, "export", name, "--format", "csv", "--out", str(out_file), "--warehouse", str(w2019))
    assert code == 4 and out == ""
    assert err.startswith(f"No table {name!r} in the warehouse.")
    assert not out_file.exists()
    assert fingerprint(w2019) == before


def test_export_to_a_folder_is_refused(capsys, w2019, tmp_path):
    code, out, err = run(capsys, "export", "series", "--format", "csv", "--out", str(tmp_path),
                         "--warehouse", str(w2019))
    assert code == 4 and out == ""
    assert err.startswith("Cannot write the file: ") and str(tmp_path) in err
