"""`kanaalmonitor tables`, `describe` and `export`: the data dictionary and exports of the public tables."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

FORMATS = ("csv", "csv-nl", "parquet", "xlsx")
# A printed table's year column holds text as printed; its export holds the figure, and the text in PRINTED + year.
PRINTED = "printed_"
FIGURE_COMMENT = ("Figure for the year named by the column, a number (from observations, or observation_vintages "
                  "of the row's edition); empty where not available.")

HEADERS_NL = {
    "municipality": "gemeente",
    "series": "reeks",
    "label_nl": "omschrijving",
    "unit": "eenheid (code)",
    "unit_name": "eenheid",
    "channel": "kanaal (code)",
    "channel_name": "kanaal",
    "parent": "totaalreeks",
    "description": "beschrijving (Engels)",
    "counts_contacts": "telt contacten",
    "noun_nl": "omschrijving in een zin",
    "channel_name_nl": "naam van het kanaal",
    "channel_phrase_nl": "kanaal in een zin",
    "scale": "schaal",
    "decimals": "decimalen",
    "table_title": "tabeltitel",
    "row_number": "regel in de tabel",
    "label_printed": "omschrijving zoals gedrukt",
    "table_edition": "editie van de tabel",
    "position": "volgorde",
    "edition": "editie",
    "published_on": "publicatiedatum",
    "source": "bron",
    "loaded_at": "geladen op",
    "file": "bestand",
    "sha256": "SHA-256",
    "rows": "aantal cellen",
    "load_id": "levering",
    "sheet": "werkblad",
    "state": "zichtbaarheid",
    "is_read": "gelezen",
    "kind": "soort",
    "name": "naam",
    "method": "methode",
    "from_year": "vanaf jaar",
    "note": "toelichting",
    "row": "rij",
    "marker": "voetnootteken",
    "text": "tekst",
    "year": "jaar",
    "value": "waarde",
    "status": "status",
    "cell": "cel zoals geleverd",
    "label": "label zoals gedrukt",
    "old_edition": "oude editie",
    "old_value": "oude waarde",
    "new_edition": "nieuwe editie",
    "new_value": "nieuwe waarde",
    "change": "verschil",
    "change_pct": "verschil (%)",
    "previous_value": "waarde vorig jaar",
    "comparable": "vergelijkbaar",
    "days": "dagen",
    "per_day": "per dag",
    "parent_value": "waarde totaalreeks",
    "share_pct": "aandeel (%)",
    "contacts": "contacten",
    "channels_covered": "kanalen in de verdeling",
    "grade": "rapportcijfer",
    "previous_grade": "rapportcijfer vorig jaar",
    "rank": "rangorde",
}
# Whole numbers that name something (a year, an order) and get no thousands separator.
PLAIN_INTEGERS = {"year", "edition", "old_edition", "new_edition", "from_year", "position", "row", "days", "rank"}
DECIMAL_FORMATS = {"share_pct": "0.0", "change_pct": "0.0", "per_day": "#,##0.0", "grade": "0.0",
                   "previous_grade": "0.0"}


def public_tables(con) -> dict[str, str]:
    """Name -> comment of every public table, by name."""
    rows = con.execute(
        "select table_name, coalesce(comment, '') from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main' and not internal "
        "order by table_name").fetchall()
    return dict(rows)


def table_columns(con, table: str) -> list[tuple[str, str, str]]:
    """(column, type, comment) of one public table, in column order."""
    return con.execute(
        "select column_name, data_type, coalesce(comment, '') from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and table_name = ? "
        "order by column_index", [table]).fetchall()


def checked_table(con, name: str) -> str:
    """The name if it is a public table of the warehouse; otherwise LookupError with a suggestion."""
    tables = public_tables(con)
    if name in tables:
        return name
    close = difflib.get_close_matches(name, list(tables), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise LookupError(f"No table {name!r} in the warehouse.{hint} `kanaalmonitor tables` lists them.")


def dutch_header(column: str) -> str:
    if column.startswith(PRINTED) and column.removeprefix(PRINTED).isdigit():
        return f"{column.removeprefix(PRINTED)} zoals gedrukt"
    return HEADERS_NL.get(column, column)


def number_format(column: str, value: object) -> str | None:
    """The Excel number format of one cell; Excel shows it with the reader's (Dutch) separators."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if column in PLAIN_INTEGERS:
        return "0"
    if column in DECIMAL_FORMATS:
        return DECIMAL_FORMATS[column]
    return "#,##0" if float(value).is_integer() else "#,##0.0"


def _is_string(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def year_columns(table) -> list[str]:
    """The columns of a printed table (kerncijfers, kerncijfers_by_edition) that hold a year's figures as printed."""
    return [c for c in table.column_names if c.isdigit() and _is_string(table.schema.field(c).type)]


def with_figures(con, table):
    """The table with each year column of a printed table holding the figure itself, a number, and the printed
    text in its own column PRINTED + year at the end; any other table as it is.

    The figure of a row and year is the current one (observations), or, for a row of an edition (a table with
    an edition column), that edition's (observation_vintages); every other column is kept as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    years = year_columns(table)
    if not years:
        return table
    keys = ["municipality", "series", *(["edition"] if "edition" in table.column_names else [])]
    source = "observation_vintages" if "edition" in keys else "observations"
    rows_of_table = con.from_arrow(table.select(keys)).distinct()
    figures = con.table(source).join(rows_of_table, keys).select(*keys, "year", "value").to_arrow_table()
    rows = table.select(keys).append_column("row_index", pa.array(range(table.num_rows), type=pa.int64()))
    for year in years:
        of_year = figures.filter(pc.equal(figures["year"], int(year))).drop_columns(["year"])
        values = rows.join(of_year, keys, join_type="left outer").sort_by("row_index")["value"]
        table = table.append_column(PRINTED + year, table.column(year))
        table = table.set_column(table.column_names.index(year), year, values.cast(pa.float64()))
    return table


def with_dutch_names(table):
    """The table with the Dutch name beside each code a reader cannot be expected to know: channel_name after
    channel (schemas/channels.csv), unit_name after unit."""
    import pyarrow as pa

    from kanaalmonitor.catalogue import UNIT_NAMES_NL

    names = {}
    if "channel" in table.column_names:
        from kanaalmonitor.catalogue import Catalogue

        names["channel"] = {c.channel: c.name_nl for c in Catalogue.load().channels.values()}
    if "unit" in table.column_names:
        names["unit"] = UNIT_NAMES_NL
    for column, dutch in names.items():
        values = pa.array([dutch.get(code) for code in table.column(column).to_pylist()], type=pa.string())
        table = table.add_column(table.column_names.index(column) + 1, f"{column}_name", values)
    return table


def printed_formats(cells: list[str | None]) -> list[str | None]:
    """The Excel number format of each figure printed in Dutch format: as many decimals as printed; None for
    '-' and an empty cell."""
    import pandas as pd

    from schemas.numbers import NOT_AVAILABLE, decimals

    text = pd.Series([c if c not in (None, "") else NOT_AVAILABLE for c in cells], dtype="str")
    return [None if t == NOT_AVAILABLE else "#,##0" + ("." + "0" * int(d) if d else "")
            for t, d in zip(text, decimals(text))]


def dutch_columns(table):
    """The table as the Dutch CSV writes it: every decimal number as text with a decimal comma (no thousands
    separator, so Dutch Excel reads it as a number), times to the second, true and false as in the csv."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_floating(field.type) or pa.types.is_decimal(field.type):
            column = pc.replace_substring(pc.cast(table.column(i), pa.string()), ".", ",")
        elif pa.types.is_timestamp(field.type):
            seconds = pc.cast(table.column(i), pa.timestamp("s", field.type.tz), safe=False)
            column = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
        elif pa.types.is_boolean(field.type):
            column = pc.cast(table.column(i), pa.string())
        else:
            continue
        table = table.set_column(i, field.name, column)
    return table


def write_csv_nl(table, out: Path) -> None:
    """The CSV Dutch Excel opens as it is: ';' between fields, decimal comma, UTF-8 with a byte order mark;
    a field is quoted only where it holds ';', a quote or a line break."""
    import csv
    import io

    from kanaalmonitor.paths import replacing

    with replacing(out) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";")
        writer.writerow(table.column_names)
        for batch in dutch_columns(table).to_batches():
            writer.writerows(zip(*(column.to_pylist() for column in batch.columns)))
        text.flush()
        text.detach()


def write_xlsx(table, name: str, out: Path) -> None:
    """One sheet: Dutch headers, Dutch names beside codes, Dutch number and date formats, header row frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from kanaalmonitor.paths import replacing

    table = with_dutch_names(table)
    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    columns = table.column_names
    ws.append([dutch_header(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    printed = {c: printed_formats(table.column(PRINTED + c).to_pylist()) for c in columns
               if PRINTED + c in columns}
    for record in table.to_pylist():
        ws.append([record[c] for c in columns])
    for col_idx, column in enumerate(columns, start=1):
        width = len(dutch_header(column))
        for i, (cell,) in enumerate(ws.iter_rows(min_row=2, min_col=col_idx, max_col=col_idx)):
            if column in printed:
                fmt = printed[column][i]
            elif isinstance(cell.value, dt.datetime):
                fmt = "dd-mm-yyyy hh:mm:ss"
            elif isinstance(cell.value, dt.date):
                fmt = "dd-mm-yyyy"
            else:
                fmt = number_format(column, cell.value)
            if fmt:
                cell.number_format = fmt
            width = max(width, min(len(str(cell.value)) if cell.value is not None else 0, 60))
        ws.column_dimensions[ws.cell(row=1, column=col_idx).column_letter].width = width + 2
    ws.freeze_panes = "A2"
    with replacing(out) as fh:
        wb.save(fh)


def export_table(con, name: str, fmt: str, out: Path) -> int:
    """Write one public table to out, whole or not at all, every figure a number (with_figures); return the number
    of rows. out may not lie on or in what the pipeline reads (kanaalmonitor.paths.check_output)."""
    from kanaalmonitor.paths import check_output, replacing

    name = checked_table(con, name)
    [(database,)] = con.execute("select path from duckdb_databases() where database_name = current_database()"
                                ).fetchall()
    out = check_output(out, "file", warehouse=database or None)
    table = with_figures(con, con.table(name).to_arrow_table())
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        with replacing(out) as fh:
            pacsv.write_csv(table, fh)
    elif fmt == "csv-nl":
        write_csv_nl(table, out)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        comments = {c: comment for c, _, comment in table_columns(con, name)}
        years = [c for c in comments if PRINTED + c in table.column_names]
        comments |= {**{c: FIGURE_COMMENT for c in years}, **{PRINTED + c: comments[c] for c in years}}
        fields = [f.with_metadata({"comment": comments.get(f.name, "")}) for f in table.schema]
        with replacing(out) as fh:
            pq.write_table(table.cast(pa.schema(fields, metadata={"comment": public_tables(con)[name]})), fh)
    else:
        write_xlsx(table, name, out)
    return table.num_rows


def tables_lines(con) -> list[str]:
    tables = public_tables(con)
    width = max(map(len, tables), default=0)
    return [f"{name.ljust(width)}  {comment}" for name, comment in tables.items()]


def describe_lines(con, table: str) -> list[str]:
    name = checked_table(con, table)
    columns = [("column", "type", "comment"), *table_columns(con, name)]
    name_w = max(len(c) for c, _, _ in columns)
    type_w = max(len(t) for _, t, _ in columns)
    return [f"{name}: {public_tables(con)[name]}",
            *(f"{c.ljust(name_w)}  {t.ljust(type_w)}  {text}" for c, t, text in columns)]
