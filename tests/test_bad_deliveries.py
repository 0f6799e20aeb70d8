"""Every bad delivery under tests/data/bad is refused with its own message, and the published warehouse
(built from raw/2019) stays byte-for-byte unchanged."""

from __future__ import annotations

import shutil
import struct
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import LABELS_FILE, MAX_FILE_BYTES
from kanaalmonitor.deliveries.parse import MAX_PRINTED_BYTES
from kanaalmonitor.errors import DeliveryError, Problem
from tests.helpers import EDITIONS, PROJECT_ROOT, RAW_2019, copy_warehouse, make_raw
from tests.ops_support import file_state
from tests.reliability import refresh_in_process, snapshot

BAD = PROJECT_ROOT / "tests" / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
NOT_DELIVERED = {"expected.toml"}


def expected(case: str) -> dict:
    return tomllib.loads((BAD / case / "expected.toml").read_text(encoding="utf-8"))


# --- files too big, too binary or too odd to commit: made here, into the case's folder under raw/

K_TABLE = [["Kerncijfers dienstverlening", 2015, 2016, 2017, 2018],
           ["aantal digitale aanvragen via website Utrecht.nl", 211105, 223449, 233453, 260704],
           ["waarvan meldingen openbare ruimte", "-", "-", 57844, 78624],
           ["WhatsApp-berichten", 1849, 11189, 11342, 11523]]


def _workbook(path: Path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kerncijfers"
    for row in rows:
        ws.append(row)
    wb.save(path)


def xlsx_formulas(folder: Path, tmp_path: Path) -> None:
    rows = [list(r) for r in K_TABLE[:3]] + [
        ["aantal e-mails naar Klantcontactcentrum (inclusief e-formulieren)", 32347, 20578, 19287, 18671],
        ["aantal telefoontjes naar gemeente", 400354, 337029, 334911, 314803],
        ["waarvan via 14030", "-", 98185, 164862, 189857],
        ["telefonische bereikbaarheid Klantcontactcentrum (%)", 81, 91, 90, 90],
        ["aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern",
         257981, 274268, 291215, 294794],
        ["WhatsApp-berichten", "=SUM(B2:E2)/200", 11189, 11342, 11523]]
    rows[2][1] = "=ROUND(B2*0.25,0)"
    _workbook(folder / "kerncijfers.xlsx", rows)


def zip_not_workbook(folder: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(folder / "kerncijfers.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "Kerncijfers dienstverlening 2020, zie bijlage.")
        zf.writestr("tabel.csv", "Kerncijfers dienstverlening;2015\n")


def _bomb(path: Path, megabytes: int) -> None:
    """A real one-sheet workbook whose sheet1.xml is padded with megabytes of blank space."""
    _workbook(path, K_TABLE)
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            head, tail = members["xl/worksheets/sheet1.xml"].split(b"<sheetData>")
            fh.write(head + b"<sheetData>")
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(tail)


def xlsx_zip_bomb(folder: Path, tmp_path: Path) -> None:
    _bomb(folder / "kerncijfers.xlsx", 101)
    assert (folder / "kerncijfers.xlsx").stat().st_size < 1_000_000


def xlsx_zip_bomb_lying(folder: Path, tmp_path: Path) -> None:
    """The same bomb, with its directory and local header claiming that the sheet unpacks to 4 kB."""
    path = folder / "kerncijfers.xlsx"
    _bomb(path, 30)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, 4096)
    central = data.index(b"PK\x01\x02")
    while True:
        central = data.index(b"PK\x01\x02", central)
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + n]) == name:
            break
        central += 4
    usize = struct.unpack_from("<I", data, central + 24)[0]
    if usize == 0xFFFFFFFF:  # zip64 extra field holds the sizes
        extra = central + 46 + n
        struct.pack_into("<Q", data, extra + 4, 4096)
    struct.pack_into("<I", data, central + 24, 4096)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 100_000


def _rewrite_sheet(path: Path, change) -> None:
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    members["xl/worksheets/sheet1.xml"] = change(members["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def xlsx_sheet_truncated(folder: Path, tmp_path: Path) -> None:
    _workbook(folder / "kerncijfers.xlsx", K_TABLE)
    _rewrite_sheet(folder / "kerncijfers.xlsx", lambda xml: xml[:len(xml) // 2])


def xlsx_entity_bomb(folder: Path, tmp_path: Path) -> None:
    entities = '<!ENTITY e1 "lol">' + "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(2, 10))

    def bomb(xml: bytes) -> bytes:
        i = xml.index(b"<worksheet")
        return (xml[:i] + f"<!DOCTYPE worksheet [{entities}]>".encode() + xml[i:]).replace(
            b"<v>1849</v>", b"<v>&e9;</v>", 1)
    _workbook(folder / "kerncijfers.xlsx", K_TABLE)
    _rewrite_sheet(folder / "kerncijfers.xlsx", bomb)


def large_csv(folder: Path, tmp_path: Path) -> None:
    row = b"WhatsApp-berichten;1.849;11.189;11.342;11.523\n"
    with (folder / "kerncijfers.csv").open("wb") as fh:
        fh.write(b"Kerncijfers dienstverlening;2015;2016;2017;2018\n")
        fh.write(row * (6 * 1024 * 1024 // len(row)))
    assert (folder / "kerncijfers.csv").stat().st_size > MAX_PRINTED_BYTES


def large_tidy(folder: Path, tmp_path: Path) -> None:
    with (folder / "observations.csv").open("wb") as fh:
        fh.write(b"series,year,value\nweb_requests,2018,260704\n")
        fh.truncate(MAX_FILE_BYTES + 1)


def symlink_outside(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(RAW_2019 / "kerncijfers.csv", outside / "kerncijfers.csv")
    (folder / "kerncijfers.csv").symlink_to(outside / "kerncijfers.csv")


def _parquet(path: Path, series: list[str], years: list[int], values: list[float], kind: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"series": series, "year": years, "value": pa.array(values, type=getattr(pa, kind)())}),
                   path)


def parquet_float_noise(folder: Path, tmp_path: Path) -> None:
    _parquet(folder / "observations.parquet", ["kcc_phone_reachability"] * 2, [2017, 2018], [90.0, 100 / 3],
             "float64")


def parquet_float32_count(folder: Path, tmp_path: Path) -> None:
    _parquet(folder / "observations.parquet", ["web_requests"], [2018], [23345312.0], "float32")


GENERATORS = {f.__name__: f for f in (xlsx_formulas, zip_not_workbook, xlsx_zip_bomb, xlsx_zip_bomb_lying,
                                      large_csv, large_tidy, symlink_outside, xlsx_sheet_truncated,
                                      xlsx_entity_bomb, parquet_float_noise, parquet_float32_count)}


# --- placing a case beside raw/2019 on top of a published warehouse

def setup_case(case: str, tmp_path: Path, published: Path) -> tuple[Path, Path, dict]:
    exp = expected(case)
    folder = exp.get("folder", case)
    keep = [] if "2019" in exp.get("drop", []) or folder == "2019" else [RAW_2019]
    raw = make_raw(tmp_path, *keep)
    target = raw / folder
    target.mkdir()
    for p in (BAD / case).iterdir():
        if p.name not in NOT_DELIVERED and p.name != exp.get("labels"):
            shutil.copy2(p, target / p.name)
    if "generate" in exp:
        GENERATORS[exp["generate"]](target, tmp_path)
    return raw, copy_warehouse(published, tmp_path / "wh"), exp


def catalogue_for(exp: dict, case: str, tmp_path: Path) -> Catalogue:
    if "labels" not in exp:
        return Catalogue.load()
    labels = tmp_path / "schemas" / "labels.csv"
    labels.parent.mkdir()
    extra = (BAD / case / exp["labels"]).read_text(encoding="utf-8").splitlines()[1:]
    labels.write_text(LABELS_FILE.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(extra) + "\n",
                      encoding="utf-8")
    return Catalogue.load(labels_file=labels)


def matches(problem: Problem, want: dict, tidy: bool) -> bool:
    if problem.file != want["file"] or want["rule"] not in problem.rule:
        return False
    if tidy:
        return True
    return (problem.row == want.get("row") and problem.label == want.get("label")
            and problem.value == want.get("value") and want["action"] in problem.action)


def assert_problems(problems: list[Problem], exp: dict) -> None:
    left = list(problems)
    tidy = exp.get("tidy", False)
    for want in exp["problem"]:
        hit = next((p for p in left if matches(p, want, tidy)), None)
        assert hit is not None, f"no problem like {want} among:\n" + "\n".join(map(str, left))
        left.remove(hit)
    assert not left or tidy, "unexpected problems:\n" + "\n".join(map(str, left))


def test_there_are_at_least_40_cases_and_the_index_lists_each_with_its_rule():
    assert len(CASES) >= 40
    index = (BAD / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        rule = expected(case)["problem"][0]["rule"].replace("|", "\\|")
        assert f"| `{case}` |" in index and f"| {rule} |" in index, case
    assert index.count("\n| `") == len(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_delivery_is_refused_with_its_message_and_the_warehouse_is_unchanged(case, tmp_path, built_2019):
    raw, warehouse, exp = setup_case(case, tmp_path, built_2019)
    before = file_state(warehouse)
    with pytest.raises(DeliveryError) as info:
        refresh_in_process(raw, warehouse, catalogue=catalogue_for(exp, case, tmp_path))
    assert_problems(info.value.problems, exp)
    assert file_state(warehouse) == before
    assert sorted(p.name for p in warehouse.parent.iterdir()) in (
        ["kanaalmonitor.duckdb"], ["kanaalmonitor.duckdb", "kanaalmonitor.duckdb.lock"])


CLI_CASES = [c for c in CASES if expected(c).get("cli")]


@pytest.mark.parametrize("case", CLI_CASES)
def test_the_command_refuses_with_exit_code_1_and_the_report(case, tmp_path, built_2019, prefect_in_process,
                                                             capsys):
    """`kanaalmonitor run` in this process (tests/test_cli.py runs the command as a process of its own)."""
    from kanaalmonitor.cli import main

    raw, warehouse, exp = setup_case(case, tmp_path, built_2019)
    before = file_state(warehouse)
    code = main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)])
    stderr = capsys.readouterr().err
    assert code == 1, stderr[-3000:]
    n = len(exp["problem"])
    assert f"Delivery refused: {n} {'problem' if n == 1 else 'problems'}; nothing was loaded." in stderr
    for want in exp["problem"]:
        where = want["file"] if "row" not in want else f"{want['file']}, row {want['row']}"
        line = next((ln for ln in stderr.splitlines() if ln.startswith(f"- {where}") and want["rule"] in ln), None)
        assert line is not None, stderr[-3000:]
        for key in ("label", "value"):
            if key in want:
                assert f"{key} {want[key]!r}" in line
        assert want["action"] in line
    assert file_state(warehouse) == before


def test_an_older_edition_arriving_late_loads_as_if_it_had_come_first(tmp_path, built_2019):
    """Not a bad delivery: 2018 differs from 2019 (web requests 2017: 231.000 there, 233.453 in 2019), a
    restatement; the warehouse must not depend on the order the editions arrived in."""
    late = copy_warehouse(built_2019, tmp_path / "late")
    raw = make_raw(tmp_path, RAW_2019, EDITIONS / "2018-old-method")
    refresh_in_process(raw, late)
    fresh = tmp_path / "fresh.duckdb"
    refresh_in_process(raw, fresh)
    late_tables, fresh_tables = snapshot(late), snapshot(fresh)
    for table in ("main.observation_vintages", "main.observations", "main.revisions"):
        assert late_tables[table] == fresh_tables[table], table
    restated = [r for r in late_tables["main.revisions"] if r[1] == "web_requests" and r[2] == 2017]
    assert [(r[3], r[4], r[5], r[6], r[9]) for r in restated] == [(2018, 231000.0, 2019, 233453.0, "restated")]
