"""Validate every delivered cell once, inside DuckDB; check the delivery set against the published warehouse.

The raw cells of every delivery of a run, printed and tidy alike, land in one table `raw_cells` of the
run's work database. `cells` types them (unit and parent from the catalogue, the value by the grammar of
schemas/numbers.py, status, declared method, load id) and is validated once against the pandera schemas of
schemas/observations.py; it is what the build stages as `staging.cells`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kanaalmonitor.catalogue import Catalogue
from kanaalmonitor.config import WAREHOUSE_MEMORY_LIMIT
from kanaalmonitor.db import connect
from kanaalmonitor.deliveries import rules
from kanaalmonitor.deliveries.parse import ParsedDelivery
from kanaalmonitor.errors import DeliveryError, Problem, PublishedUnreadable
from kanaalmonitor.words import plural
from schemas import numbers

METHOD_NOTE = re.compile(r"nieuwe (manier|wijze|methode)|andere (meet)?methode|vervangt (alle )?(voorgaande|eerdere)"
                         r"|trendbreuk|niet vergelijkbaar met (voorgaande|eerdere)", re.IGNORECASE)
MAX_PROBLEMS_PER_RULE = 50

_TABLES = """
create table raw_cells (municipality varchar, edition bigint, file varchar, row bigint, label varchar,
    series varchar, year bigint, cell varchar, scale bigint, style varchar, number_format varchar, status varchar,
    delivery varchar);
create table catalogue (series varchar, unit varchar, parent varchar);
create table declared (delivery varchar, position bigint, series varchar, kind varchar, method varchar,
    from_year bigint);
create table loads (delivery varchar, load_id varchar);
"""

_INSERT_PRINTED = "insert into raw_cells by name select * from printed"

_INSERT_TIDY = """
insert into raw_cells by name
select * exclude (year_text), cast(cast(year_text as double) as bigint) as year
from read_parquet(?)
"""

_CELLS = """
create table cells as
with

changes as (
    select delivery, series,
        list({'kind': kind, 'method': method, 'from_year': from_year} order by position) as declared
    from declared
    group by all
),

read as (
    select raw_cells.*, catalogue.unit, catalogue.parent,
        read_figure(raw_cells.cell, catalogue.unit, raw_cells.scale, raw_cells.style) as figure,
        figure_form(raw_cells.cell, catalogue.unit, raw_cells.scale, raw_cells.style) as form
    from raw_cells
    left join catalogue using (series)
),

typed as (
    select
        read.* exclude (status, figure),
        read.figure as value,
        coalesce(read.status, case when read.figure is null then 'O' else 'A' end) as status,
        cast(figure_decimals(read.cell) as bigint) as decimals,
        list_filter(changes.declared, lambda c: c.kind = 'restate' or read.year >= c.from_year)[-1].method as method
    from read
    left join changes using (delivery, series)
),

parents as (
    select municipality, edition, year, series as parent, max(value) as parent_value
    from typed
    where value is not null and series in (select parent from catalogue)
    group by all
)

select typed.*, parents.parent_value, loads.load_id
from typed
left join parents using (municipality, edition, year, parent)
join loads using (delivery)
"""

_SAME_KEY_TWICE = """
with

-- only an edition of a municipality with cells from more than one file can deliver a figure twice
per_file as (
    select municipality, edition, series, year, file,
        min(row) as row, arg_min(label, row) as label, arg_min(cell, row) as cell
    from raw_cells
    where (municipality, edition) in (
        select (municipality, edition) from raw_cells group by all having count(distinct file) > 1)
    group by all
),

twice as (
    select here.*, string_agg(there.file || ', row ' || there.row, '; ' order by there.file) as elsewhere
    from per_file as here
    inner join per_file as there
        on here.municipality = there.municipality and here.edition = there.edition
        and here.series = there.series and here.year = there.year and here.file != there.file
    group by all
)

select municipality, edition, series, year, file, row, label, cell, elsewhere, count(*) over () as n
from twice
qualify row_number() over (order by file, row, series, year) <= ?
order by file, row, series, year
"""

_EDITION_TWICE = """
select municipality, edition, delivery, file, min(row) as row, count(*) as n
from raw_cells
where (municipality, edition) in (
    select (municipality, edition) from raw_cells group by all having count(distinct delivery) > 1)
group by all
order by all
"""

_SAME_KEY_ACTION = ("Deliver each figure once: remove it from one of the files (a printed and a tidy file of one "
                    "delivery hold different series and years), or correct the municipality of the tidy rows.")

_DELIVERED = "select delivery, series, list(distinct year) from raw_cells group by all"


@dataclass
class CheckedCells:
    """The validated cells of a run: table `cells` of the work database."""

    database: Path
    count: int


def work_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the run's work database, with the grammar's macros."""
    return numbers.install(connect(path, memory_limit=WAREHOUSE_MEMORY_LIMIT, preserve_insertion_order=False,
                                   temp_directory=str(Path(path).parent / "spill-cells")))


def validate_cells(parsed: list[ParsedDelivery], catalogue: Catalogue, database: Path) -> CheckedCells:
    """Load the raw cells of every delivery into one table and apply the schemas once; raise one DeliveryError
    with every problem (declarations included), or return the validated cells."""
    con = work_database(database)
    try:
        _load(con, parsed, catalogue)
        problems = _declaration_problems(con, parsed, catalogue) + duplicates_across_files(con, parsed)
        problems += _validate(con, "cells", "Observations")
        if not problems and con.execute("select count(*) from declared where kind = 'restate'").fetchall()[0][0]:
            con.execute("create view restated as select * from cells where (delivery, series) in "
                        "(select (delivery, series) from declared where kind = 'restate')")
            problems += _validate(con, "restated", "RemeasuredSeries")
        if problems:
            raise DeliveryError(problems)
        count = con.execute("select count(*) from cells").fetchall()[0][0]
        con.execute("drop table raw_cells")
        con.execute("checkpoint")
    finally:
        con.close()
    return CheckedCells(database, count)


def _load(con: duckdb.DuckDBPyConnection, parsed: list[ParsedDelivery], catalogue: Catalogue) -> None:
    con.execute(_TABLES)
    con.executemany("insert into catalogue values (?, ?, ?)",
                    [(s.series, s.unit, s.parent) for s in catalogue.series.values()])
    rows = [(p.delivery.name, i, c.series, c.kind, c.method, c.from_year)
            for p in parsed for i, c in enumerate(p.delivery.method_changes)]
    if rows:
        con.executemany("insert into declared values (?, ?, ?, ?, ?, ?)", rows)
    con.executemany("insert into loads values (?, ?)", [(p.delivery.name, p.delivery.load_id()) for p in parsed])
    for p in parsed:
        if len(p.cells):
            con.register("printed", p.cells)
            con.execute(_INSERT_PRINTED)
            con.unregister("printed")
    tidy = [str(t.cells) for p in parsed for t in p.tidy]
    if tidy:
        con.execute(_INSERT_TIDY, [tidy])
    con.execute(_CELLS)


def duplicates_across_files(con: duckdb.DuckDBPyConnection, parsed: list[ParsedDelivery]) -> list[Problem]:
    """A figure (municipality, series, year, edition) delivered by two files, and an edition of a municipality
    delivered by two deliveries (tidy rows naming another manifest's municipality), from table raw_cells."""
    twice = con.execute(_SAME_KEY_TWICE, [MAX_PROBLEMS_PER_RULE]).fetchall()
    problems, n = [], twice[0][-1] if twice else 0
    for m, e, series, year, file, row, label, cell, elsewhere, _ in twice:
        problems.append(Problem(file, int(row), label, f"{cell} (year {year})",
                                f"{series} {year} of edition {e} of {m} is also delivered in {elsewhere}",
                                _SAME_KEY_ACTION))
    if n > MAX_PROBLEMS_PER_RULE:
        problems.append(Problem("(delivery)", None, None, None, f"{n - MAX_PROBLEMS_PER_RULE} more figures are "
                                "delivered by more than one file", _SAME_KEY_ACTION))
    named = {p.delivery.name: p.delivery.municipality for p in parsed}
    editions: dict[tuple[str, int], list[tuple]] = {}
    for m, e, delivery, file, row, count in con.execute(_EDITION_TWICE).fetchall():
        editions.setdefault((m, e), []).append((delivery, file, int(row), count))
    for (m, e), files in editions.items():
        owner = next((d for d, *_ in files if named.get(d) == m), files[0][0])
        for delivery, file, row, count in files:
            if delivery != owner:
                problems.append(Problem(
                    file, row, None, m, f"edition {e} of {m} is also delivered in {owner} ({plural(count, 'row')} of "
                    f"this file name municipality {m})",
                    f"Keep one delivery per edition and municipality: correct the municipality column of these "
                    f"rows, or move the figures into {owner}."))
    return problems


def _validate(con: duckdb.DuckDBPyConnection, table: str, model: str) -> list[Problem]:
    """Problems of table against the pandera.ibis model of schemas/observations.py named model.

    Every data rule is decided in one statement (kanaalmonitor/deliveries/rules.py), taken from the cache when
    this table shape passed pandera's check of columns and types before; else pandera checks the columns and
    types alone and the statement is compiled and kept. Only when a rule fails does pandera run them all its own
    way, to find the failure cases the problems are told from.
    """
    key = rules.statement_key(con, table, model)
    sql = rules.cached_statement(key)
    try:
        if sql is not None and rules.rules_hold(con, sql):
            return []
    except duckdb.Error:
        sql = None  # a statement this DuckDB does not run: compile it again
    import ibis
    import pandera.errors
    from pandera.config import ValidationDepth, config_context

    from schemas import observations

    schema, data = getattr(observations, model), ibis.duckdb.from_connection(con).table(table)
    try:
        if sql is None:
            with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
                schema.validate(data, lazy=True)
            sql = rules.compile_statement(data, schema)
            rules.store_statement(key, sql)
            if rules.rules_hold(con, sql):
                return []
        schema.validate(data, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return _problems(exc, data)
    raise RuntimeError(f"the data rules of {model} failed in one statement but held when pandera ran them one by "
                       f"one on table {table}")


def _problems(exc, table) -> list[Problem]:
    """Problems in the user's terms from pandera's failure cases.

    A frame check's failure case is the whole row; a column check's is the value, located here at its
    first row. A row that breaks a rule of CELL_RULES reports only the rules of its first tier broken.
    """
    from schemas.observations import CELL_RULES, RULES

    failures = []
    for rec in exc.failure_cases.itertuples(index=False):
        check = str(rec.check).split("(")[0]
        case = rec.failure_case
        if not isinstance(case, dict) or "row" not in case:
            column = str(rec.column)
            if isinstance(case, dict) and case:  # pandera.ibis names the column in the key, not in `column`
                column, case = next(iter(case.items()))
            if column in table.columns and case is not None:
                hit = (table.filter(table[column] == case).select("file", "row", "label", "cell", "year")
                       .order_by(["file", "row"]).limit(1))
                found = hit.to_pyarrow().to_pylist()
                case = {**found[0], "column": column, "value": case} if found else case
        failures.append((check, rec, case))
    tier = {check: i for i, checks in enumerate(CELL_RULES) for check in checks}
    first_tier: dict[tuple, int] = {}
    for check, _, c in failures:
        if check in tier and isinstance(c, dict):
            key = (c["file"], c["row"])
            first_tier[key] = min(first_tier.get(key, tier[check]), tier[check])
    problems, counts = [], {}
    for check, rec, case in failures:
        if isinstance(case, dict) and tier.get(check, len(CELL_RULES)) > first_tier.get((case["file"], case["row"]),
                                                                                       len(CELL_RULES)):
            continue
        counts[check] = counts.get(check, 0) + 1
        if counts[check] > MAX_PROBLEMS_PER_RULE:
            continue
        column = case.get("column", rec.column) if isinstance(case, dict) else rec.column
        rule, action = RULES.get(check, (f"breaks rule {rec.check} in column {column}",
                                         "Correct the delivery; see the column's rule in schemas/observations.py."))
        if not isinstance(case, dict):
            problems.append(Problem("(delivery)", None, None, str(case), rule, action))
            continue
        value = case.get("cell")
        if "column" in case:
            value = str(case["value"])
        elif check == "one_row_per_key":
            value = f"{case.get('cell')} (year {case.get('year')})"
        elif check in RULES:
            if check == "status_is_delivered_status":
                value = case.get("status")
            elif check == "digits_are_ascii" and numbers.lookalike(str(value)):
                rule = f"{rule}: {numbers.lookalike(str(value))}"
            rule = f"{rule} [year {case.get('year')}]"
        problems.append(Problem(case["file"], int(case["row"]), case.get("label"), value, rule, action))
    return problems + _more(counts)


def _more(counts: dict[str, int]) -> list[Problem]:
    """One problem per rule broken more than MAX_PROBLEMS_PER_RULE times, for the rows not listed."""
    from schemas.observations import RULES

    problems = []
    for check, n in counts.items():
        if n > MAX_PROBLEMS_PER_RULE:
            rule, action = RULES.get(check, (f"breaks rule {check}", "Correct the delivery."))
            problems.append(Problem("(delivery)", None, None, None,
                                    f"{n - MAX_PROBLEMS_PER_RULE} more rows break the rule: {rule}", action))
    return problems


def _declaration_problems(con: duckdb.DuckDBPyConnection, parsed: list[ParsedDelivery],
                          catalogue: Catalogue) -> list[Problem]:
    """Method changes must be declared, and declarations must name delivered series."""
    delivered: dict[str, dict[str, set[int]]] = {}
    for name, series, years in con.execute(_DELIVERED).fetchall():
        delivered.setdefault(name, {})[series] = set(years)
    problems = []
    for p in parsed:
        d = p.delivery
        years = delivered.get(d.name, {})
        declared = {c.series for c in d.method_changes}
        manifest = f"{d.name}/manifest.toml"
        for c in d.method_changes:
            if c.series not in catalogue.series:
                problems.append(Problem(manifest, None, c.series, None, "method change names an unknown series",
                                        "Use a code from schemas/series.csv."))
            elif c.series not in years:
                problems.append(Problem(manifest, None, c.series, None, "method change names a series this "
                                        "delivery does not contain", "Remove the declaration or add the series' "
                                        "table."))
            elif c.kind == "break" and c.from_year not in years[c.series]:
                problems.append(Problem(manifest, None, c.series, str(c.from_year),
                                        "break year is not among the delivered years of the series",
                                        "Set from_year to the first year measured the new way."))
        for note in p.notes:
            if not METHOD_NOTE.search(note.text):
                continue
            marked = p.markers.get((note.file, note.marker), set()) if note.marker else set()
            for series in sorted(marked - declared):
                problems.append(Problem(
                    note.file, note.row, catalogue.series[series].label_nl, note.text,
                    f"footnote says series {series} is measured in a new way, but manifest.toml declares no method "
                    f"change",
                    f"Add to manifest.toml: [[method_changes]] series = \"{series}\", kind = \"restate\" (the new "
                    f"figures replace all earlier ones) or kind = \"break\" with from_year = the first new year, "
                    f"method = a short name, note = the footnote."))
    return problems


_EDITIONS_GONE = """
select municipality, edition, list(distinct file order by file)
from published.observation_vintages
where (municipality, edition) not in (select distinct (municipality, edition) from cells)
group by all
order by all
"""

_CELLS_CHANGED = """
with

again as (
    select * from cells
    where (municipality, edition) in (select (municipality, edition) from published.observation_vintages)
),

shown as (
    select * from published.observation_vintages
    where (municipality, edition) in (select (municipality, edition) from cells)
),

compared as (
    select
        case when again.series is null then 'removed' when shown.series is null then 'added'
            else 'changed' end as kind,
        coalesce(again.edition, shown.edition) as edition,
        coalesce(again.series, shown.series) as series,
        coalesce(again.year, shown.year) as year,
        again.file, again.row, again.label, again.cell,
        shown.file as published_file, shown.row as published_row, shown.label as published_label,
        shown.cell as published_cell
    from again
    full join shown
        on again.municipality = shown.municipality and again.edition = shown.edition
        and again.series = shown.series and again.year = shown.year
    where again.series is null or shown.series is null or again.value is distinct from shown.value
)

select *, count(*) over (partition by kind) as of_kind
from compared
qualify row_number() over (partition by kind order by coalesce(file, published_file), coalesce(row, published_row),
    series, year) <= ?
order by all
"""

_PUBLISHED_ACTION = ("A published edition is never changed: put back the file as published (its sha256 is in the "
                     "table deliveries) and deliver corrections in a new edition, where they show up in revisions.")


def check_against_published(cells: CheckedCells, warehouse: Path) -> None:
    """Rules across deliveries, against the cells of the published warehouse (nothing published: no rule; a
    published file that cannot be read: PublishedUnreadable).

    A refresh rebuilds from every delivery under raw/, so it is refused when it would lose or rewrite what
    was published: an edition missing from raw/, or an edition delivered again with other cells (printed or
    tidy alike). An older edition that arrives late and differs from a newer one is not refused: the result
    must not depend on the order editions arrived in, and a difference between editions is a restatement (a
    warning)."""
    if not Path(warehouse).exists():
        return
    con = connect(cells.database, read_only=True)
    try:
        try:
            con.execute("attach ? as published (read_only)", [str(warehouse)])
            gone = con.execute(_EDITIONS_GONE).fetchall()
            changed = con.execute(_CELLS_CHANGED, [MAX_PROBLEMS_PER_RULE]).fetchall()
        except duckdb.Error as exc:
            raise PublishedUnreadable(warehouse, exc) from None
    finally:
        con.close()
    problems = [Problem(files[0], None, None, str(e),
                        f"edition {e} of {m} is published but no longer under raw/ (files {', '.join(files)})",
                        "Put the delivery back: raw/ keeps every edition ever delivered, and a refresh "
                        "never drops a published one.") for m, e, files in gone]
    counts = {}
    for (kind, e, series, year, file, row, label, cell, p_file, p_row, p_label, p_cell, of_kind) in changed:
        counts[kind] = of_kind
        if kind == "removed":
            problems.append(Problem(p_file, int(p_row), p_label, p_cell,
                                    f"edition {e} was published with this cell ({series} {year}), "
                                    f"and the delivery no longer has it", _PUBLISHED_ACTION))
        elif kind == "added":
            problems.append(Problem(file, int(row), label, cell,
                                    f"edition {e} was published without {series} {year}; the delivery adds it",
                                    _PUBLISHED_ACTION))
        else:
            problems.append(Problem(file, int(row), label, cell,
                                    f"edition {e} was published with {p_cell!r} for {series} {year}; "
                                    f"the delivery changes it", _PUBLISHED_ACTION))
    for kind, n in counts.items():
        if n > MAX_PROBLEMS_PER_RULE:
            problems.append(Problem("(delivery)", None, None, None, f"{n - MAX_PROBLEMS_PER_RULE} more published "
                                    f"cells are {kind} by the delivery", _PUBLISHED_ACTION))
    if problems:
        raise DeliveryError(problems)
