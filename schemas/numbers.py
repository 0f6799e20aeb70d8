"""How a delivered cell is read as a number: the Dutch grammar, per unit, with no guessing.

The grammar is written once, here, as DuckDB SQL macros (`install`):

- `figure_readable(cell, unit, scale, style)`: true where a cell is '-' or a number its unit's grammar
  reads without guessing ('nl': '.' groups thousands, ',' marks decimals; 'plain': a '.' decimal point);
- `read_figure(cell, unit, scale, style)`: the number of a readable cell times its scale, NULL for '-',
  an empty plain cell and every unreadable cell;
- `figure_decimals(cell)`: how many decimals a cell was written with (0 for none or '-').
"""

from __future__ import annotations

import duckdb

NOT_AVAILABLE = "-"

_GROUPED = r"(?:\d{1,3}(?:\.\d{3})+|\d+)"
DUTCH = {
    # (unit, scaled) -> full-match pattern of a readable cell
    ("count", False): rf"-?{_GROUPED}",
    ("count", True): rf"-?{_GROUPED}(?:,\d+)?",
    ("percent", False): rf"-?{_GROUPED}(?:,\d+)? ?%?",
    ("percent", True): rf"-?{_GROUPED}(?:,\d+)? ?%?",
    ("grade", False): r"-?\d{1,2}(?:,\d+)?",
    ("grade", True): r"-?\d{1,2}(?:,\d+)?",
}
PLAIN = r"-?\d+(?:\.\d+)?"
GROUPED_ONLY = r"-?\d{1,3}(?:\.\d{3})+"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _dutch_match() -> str:
    arms = " ".join(f"when unit = {_literal(unit)} and (scale > 1) = {str(scaled).lower()} "
                    f"then regexp_full_match(text, {_literal(pattern)})" for (unit, scaled), pattern in DUTCH.items())
    return f"case {arms} else false end"


MACROS = (
    "create or replace macro figure_text(cell) as "
    "trim(replace(replace(cell, chr(160), ' '), chr(8722), '-'))",
    "create or replace macro figure_text_readable(text, unit, scale, style) as coalesce("
    f"text = {_literal(NOT_AVAILABLE)} "
    f"or (style = 'nl' and {_dutch_match()}) "
    f"or (style = 'plain' and (regexp_full_match(text, {_literal(PLAIN)}) or text = '')), false)",
    "create or replace macro figure_readable(cell, unit, scale, style) as "
    "figure_text_readable(figure_text(cell), unit, scale, style)",
    "create or replace macro figure_value(cell, scale, style) as round(try_cast(nullif(nullif(trim(replace("
    "case when style = 'nl' then replace(replace(figure_text(cell), '.', ''), ',', '.') else figure_text(cell) end, "
    f"'%', '')), {_literal(NOT_AVAILABLE)}), '') as double) * scale, 6)",
    "create or replace macro read_figure(cell, unit, scale, style) as "
    "case when figure_readable(cell, unit, scale, style) then figure_value(cell, scale, style) end",
    "create or replace macro figure_decimals(cell) as "
    "case when regexp_full_match(trim(replace(figure_text(cell), '%', '')), "
    f"{_literal(GROUPED_ONLY)}) then 0 "
    r"else coalesce(length(regexp_extract(trim(replace(figure_text(cell), '%', '')), '[.,](\d+)$', 1)), 0) end",
)


def install(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Define the grammar's macros on a connection."""
    for macro in MACROS:
        con.execute(macro)
    return con


def _read(sql: str, *lists: list) -> list:
    from kanaalmonitor.db import connect

    con = install(connect())
    try:
        return [r[0] for r in con.execute(sql, list(lists)).fetchall()]
    finally:
        con.close()


def to_number(cells, style, scale):
    """Numbers of Dutch or plain cells read by `figure_value` (NaN for '-'), as a pandas Series like cells."""
    import pandas as pd

    values = _read("select figure_value(unnest(?), unnest(?), unnest(?))",
                   [str(c) for c in cells], list(map(int, scale)), list(map(str, style)))
    return pd.Series(values, index=cells.index, dtype="float64")


def decimals(cells):
    """Decimals of each cell by `figure_decimals`, as a pandas Series like cells."""
    import pandas as pd

    return pd.Series(_read("select figure_decimals(unnest(?))", [str(c) for c in cells]), index=cells.index,
                     dtype="int64")
