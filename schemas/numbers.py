"""How a delivered cell is read as a number: the Dutch grammar, per unit, with no guessing.

The grammar is written once, here, as DuckDB SQL macros (`install`):

- `figure_readable(cell, unit, scale, style)`: true where a cell is '-' or a number its unit's grammar
  reads without guessing ('nl': '.' groups thousands, ',' marks decimals; 'plain': a '.' decimal point;
  a `duration` is written m:ss or h:mm:ss in both styles);
- `figure_form(cell, unit, scale, style)`: why a cell is not readable, where that can be said more
  precisely: 'lookalike' (a digit of another script, a fullwidth or superscript digit, or a letter O or l
  standing for a digit), 'time' (m:ss where the unit is not a duration), 'number' (a plain number where a
  duration belongs), else 'unreadable'; 'readable' for a readable cell;
- `read_figure(cell, unit, scale, style)`: the number of a readable cell times its scale (a duration in
  seconds), NULL for '-', an empty plain cell and every unreadable cell;
- `figure_decimals(cell)`: how many decimals a cell was written with (0 for none or '-');
- `float_figure(value, single)`: a float of a tidy Parquet file as the shortest decimal with at most
  MAX_DECIMALS decimals it stands for (NULL where there is none), `float_digits` its significant digits.

A figure is held exactly when it lies below MAX_FIGURE and has at most MAX_DECIMALS decimals
(schemas/observations.py refuses the others).
"""

from __future__ import annotations

import duckdb

UNITS = ("count", "percent", "grade", "duration")  # the units a series of the catalogue may have
NOT_AVAILABLE = "-"
MAX_FIGURE = 10**15  # doubles hold every whole number below it exactly, and 15 significant digits
MAX_DECIMALS = 6
SINGLE_MAX = 2**24  # float32 holds every whole number up to it exactly, and about 7 significant digits
SINGLE_DIGITS = 7

_GROUPED = r"(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)"  # a first group of 0 (0.500) is no thousands point
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
GROUPED_ONLY = r"-?[1-9]\d{0,2}(?:\.\d{3})+"
DURATION = r"\d{1,3}:[0-5]\d(?::[0-5]\d)?"  # m:ss or h:mm:ss, in either style; never scaled
TIME_LIKE = r"-?\d+:\d+(?::\d+)*"
NUMBER_LIKE = r"-?[\d.,]*\d[\d.,]* ?%?"
# Characters taken for a digit: letters O and l (Latin, Cyrillic, Greek), capital I and '|'.
LOOKALIKES = "O0o0\u041e0\u043e0\u039f0\u03bf0l1I1|1\u04c01\u04cf1\u04061\u04561\u03991"
_FROM, _TO = LOOKALIKES[0::2], LOOKALIKES[1::2]


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
    f"or (unit = 'duration' and scale = 1 and regexp_full_match(text, {_literal(DURATION)})) "
    f"or (unit is distinct from 'duration' and style = 'nl' and {_dutch_match()}) "
    f"or (unit is distinct from 'duration' and style = 'plain' and regexp_full_match(text, {_literal(PLAIN)})) "
    "or (style = 'plain' and text = ''), false)",
    "create or replace macro figure_readable(cell, unit, scale, style) as "
    "figure_text_readable(figure_text(cell), unit, scale, style)",
    "create or replace macro figure_text_form(text, unit, scale, style) as case "
    "when figure_text_readable(text, unit, scale, style) then 'readable' "
    r"when regexp_matches(regexp_replace(text, '[0-9]', '', 'g'), '\p{N}') "
    f"or (translate(text, {_literal(_FROM)}, {_literal(_TO)}) <> text "
    f"and figure_text_readable(translate(text, {_literal(_FROM)}, {_literal(_TO)}), unit, scale, style)) "
    "then 'lookalike' "
    f"when unit is distinct from 'duration' and regexp_full_match(text, {_literal(TIME_LIKE)}) then 'time' "
    f"when unit = 'duration' and regexp_full_match(text, {_literal(NUMBER_LIKE)}) then 'number' "
    "else 'unreadable' end",
    "create or replace macro figure_form(cell, unit, scale, style) as "
    "figure_text_form(figure_text(cell), unit, scale, style)",
    "create or replace macro figure_number(cell, style) as try_cast(nullif(nullif(trim(replace("
    "case when style = 'nl' then replace(replace(figure_text(cell), '.', ''), ',', '.') else figure_text(cell) end, "
    f"'%', '')), {_literal(NOT_AVAILABLE)}), '') as double)",
    # Scaled: rounded to MAX_DECIMALS against the noise of the product (3,6 x 1.000.000); unscaled as read.
    "create or replace macro figure_value(cell, scale, style) as case when scale = 1 then figure_number(cell, style) "
    f"else round(figure_number(cell, style) * scale, {MAX_DECIMALS}) end",
    "create or replace macro figure_seconds(cell) as cast(list_reduce(list_transform("
    "string_split(figure_text(cell), ':'), lambda p: cast(p as bigint)), lambda total, p: total * 60 + p) as double)",
    "create or replace macro read_figure(cell, unit, scale, style) as "
    "case when figure_readable(cell, unit, scale, style) then "
    f"case when unit = 'duration' and figure_text(cell) not in ({_literal(NOT_AVAILABLE)}, '') "
    "then figure_seconds(cell) else figure_value(cell, scale, style) end end",
    "create or replace macro figure_decimals(cell) as "
    "case when regexp_full_match(trim(replace(figure_text(cell), '%', '')), "
    f"{_literal(GROUPED_ONLY)}) then 0 "
    r"else coalesce(length(regexp_extract(trim(replace(figure_text(cell), '%', '')), '[.,](\d+)$', 1)), 0) end",
    "create or replace macro float_digits(text) as "
    r"length(regexp_replace(ltrim(regexp_replace(text, '[^0-9]', '', 'g'), '0'), '0+$', ''))",
    # A float stands for a decimal r when r, stored in the float's own type, is that float: for a double
    # within a few units in the last place (noise of arithmetic), or a double made from a float32.
    "create or replace macro float_stands_for(v, r, single) as case "
    "when single then cast(r as float) = cast(v as float) "
    "else abs(v - r) <= abs(r) * 1e-15 "
    f"or (abs(v) <= {SINGLE_MAX} and cast(cast(v as float) as double) = v and float_digits(cast(v as varchar)) > 15 "
    f"and float_digits(cast(r as varchar)) <= {SINGLE_DIGITS} and cast(r as float) = cast(v as float)) end",
    # The fewest decimals d (0 to MAX_DECIMALS) for which the float stands for itself rounded to d, else NULL:
    # one arm per d, so that each value is tried only until its first fit (a list_filter over all seven d
    # made reading a tidy Parquet file of 400,000 floats take 11.1 s instead of 0.9 s).
    "create or replace macro float_places(v, single) as case "
    + " ".join(f"when float_stands_for(v, round(cast(v as double), {d}), single) then {d}" for d in range(MAX_DECIMALS + 1))
    + " end",
    "create or replace macro decimal_text(text) as "
    r"case when contains(text, '.') then rtrim(rtrim(text, '0'), '.') else text end",
    "create or replace macro float_figure(v, single) as case "
    "when v is null then null "
    "when isnan(v) or isinf(v) then cast(v as varchar) "
    f"when abs(v) >= {MAX_FIGURE} and abs(v) < 1e38 then cast(cast(v as hugeint) as varchar) "
    f"when abs(v) >= {MAX_FIGURE} then cast(v as varchar) "
    "else decimal_text(cast(cast(round(cast(v as double), cast(float_places(v, single) as integer)) "
    f"as decimal(38, {MAX_DECIMALS})) as varchar)) "
    "end",
)


def lookalike(cell: str) -> str | None:
    """The first character of a cell taken for a digit that is not one of 0-9, named (for a message)."""
    import unicodedata

    for ch in cell:
        if (unicodedata.category(ch).startswith("N") and not "0" <= ch <= "9") or ch in _FROM:
            return f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')})"
    return None


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
