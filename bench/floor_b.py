"""Floor B: the same files and the same SQL as the pipeline, with bare DuckDB (no Prefect, no pandera).

Reads every tidy file under RAW the way the pipeline does (CSV with ',' and plain numbers, CSV with ';'
and Dutch numbers, Parquet; numbers by the grammar's macro `read_figure` of schemas/numbers.py), loads
the staging tables and builds every model under warehouse/core/ and warehouse/indicators/ with the
pipeline's own model runner (kanaalmonitor.build.models: macros, order from references, comments).
No checks or atomic publish. It fails unless every public table of warehouse/models.toml is built.

    python bench/floor_b.py RAW WAREHOUSE [MEMORY_LIMIT]

MEMORY_LIMIT (e.g. 512MB) caps DuckDB as the pipeline caps itself; by default DuckDB takes what it wants.
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from kanaalmonitor.build.models import build_models, load_models  # noqa: E402
from schemas.numbers import install  # noqa: E402

CELLS = """
with numbered as (
    select *, row_number() over () as position from source
),
read as (
    select numbered.*, read_figure(coalesce(numbered.value, ''), series.unit, 1, ?) as figure
    from numbered
    left join staging.series using (series)
)
select municipality, series, cast(year as integer) as year, cast(? as integer) as edition, figure as value,
    coalesce(nullif(status, ''), case when figure is null then 'O' else 'A' end) as status,
    cast(null as varchar) as method, value as cell, cast(figure_decimals(coalesce(value, '')) as integer) as decimals,
    cast(? as varchar) as file,
    cast(position + 1 as integer) as row, series as label, cast(? as varchar) as delivery,
    cast(? as varchar) as load_id
from read
"""


def main(raw: Path, target: Path, memory_limit: str | None = None) -> None:
    target.unlink(missing_ok=True)
    config = {"autoinstall_known_extensions": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = install(duckdb.connect(str(target), config=config))
    con.execute("create schema staging")
    con.execute("create table staging.series as select s.series, s.label_nl, s.unit, s.channel, s.parent, "
                "s.description, s.counts_contacts = 'true' as counts_contacts, "
                "s.position, s.noun_nl, c.name_nl as channel_name_nl, c.phrase_nl as channel_phrase_nl "
                "from (select *, cast(row_number() over () as integer) as position "
                "from read_csv(?, all_varchar=true)) as s "
                "left join read_csv(?, all_varchar=true) as c using (channel)",
                [str(PROJECT / "schemas" / "series.csv"), str(PROJECT / "schemas" / "channels.csv")])
    con.execute("create table staging.files (file varchar, sha256 varchar, delivery varchar, municipality varchar, "
                "edition integer, published_on date, source varchar, load_id varchar, loaded_at timestamp)")
    con.execute("create table staging.cells (municipality varchar, series varchar, year integer, edition integer, "
                "value double, status varchar, method varchar, cell varchar, decimals integer, file varchar, "
                "row integer, label varchar, delivery varchar, load_id varchar)")
    con.execute("create table staging.method_changes (municipality varchar, edition integer, series varchar, "
                "kind varchar, method varchar, from_year integer, note varchar)")
    con.execute("create table staging.revision_notes (municipality varchar, edition integer, series varchar, "
                "year integer, note varchar)")
    con.execute("create table staging.notes (municipality varchar, edition integer, file varchar, "
                "table_title varchar, row integer, marker varchar, text varchar)")
    con.execute("create table staging.printed_rows (municipality varchar, edition integer, file varchar, "
                "table_number integer, table_title varchar, row_number integer, series varchar, "
                "label_printed varchar, marker varchar, scale bigint)")
    con.execute("create table staging.build_inputs (kind varchar, name varchar, sha256 varchar)")
    con.execute("create table staging.sheets (delivery varchar, file varchar, position integer, sheet varchar, "
                "table_name varchar, state varchar)")
    for manifest in sorted(raw.rglob("manifest.toml")):
        m = tomllib.loads(manifest.read_text(encoding="utf-8"))
        name, edition = manifest.parent.relative_to(raw).as_posix(), m["edition"]
        for entry in m["files"]:
            path = manifest.parent / entry["path"]
            rel = path.relative_to(raw).as_posix()
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            con.execute("insert into staging.files values (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                        [rel, sha, name, m.get("municipality", "GM0344"), edition, m.get("published_on"),
                         m.get("source"), sha[:16]])
            if path.suffix == ".parquet":
                con.read_parquet(str(path)).project(
                    "municipality, series, year, cast(value as varchar) as value, status").create_view("source")
                style = "plain"
            else:
                style = "nl" if b";" in path.open("rb").readline() else "plain"
                con.read_csv(str(path), header=True, all_varchar=True, sep=";" if style == "nl" else ",") \
                    .create_view("source")
            con.execute("insert into staging.cells " + CELLS, [style, edition, rel, name, sha[:16]])
            con.execute("drop view source")
        for n in m.get("revision_notes", []):
            for y in n.get("years", []) or [None]:
                con.execute("insert into staging.revision_notes select distinct municipality, ?, ?, ?, ? "
                            "from staging.cells where delivery = ? and series = ?",
                            [edition, n["series"], y, n["note"], name, n["series"]])
    models = load_models()
    build_models(con, models)
    built = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
    missing = sorted({m.name for m in models} - built)
    if missing:
        raise SystemExit(f"floor B did not build the public tables {', '.join(missing)}")
    con.execute("checkpoint")
    con.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
