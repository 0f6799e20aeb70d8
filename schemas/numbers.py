"""How a delivered cell is read as a number: the Dutch grammar, per unit, with no guessing."""

from __future__ import annotations

import pandas as pd

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


def clean(cells: pd.Series) -> pd.Series:
    """Cell text with outer spaces, non-breaking spaces and the Unicode minus normalised."""
    return (cells.astype("str").str.replace("\u00a0", " ", regex=False)
            .str.replace("\u2212", "-", regex=False).str.strip())


def readable(cells: pd.Series, units: pd.Series, scaled: pd.Series, style: pd.Series) -> pd.Series:
    """True where a cell is '-' or a number its unit's grammar reads without guessing."""
    text = clean(cells)
    ok = text.eq(NOT_AVAILABLE)
    for (unit, is_scaled), pattern in DUTCH.items():
        sel = (style == "nl") & (units == unit) & (scaled == is_scaled) & ~ok
        if sel.any():
            ok[sel] = text[sel].str.fullmatch(pattern)
    sel = (style == "plain") & ~ok
    if sel.any():
        ok[sel] = text[sel].str.fullmatch(PLAIN) | text[sel].eq("")
    return ok.fillna(False).astype(bool)


def to_number(cells: pd.Series, style: pd.Series, scale: pd.Series) -> pd.Series:
    """Numbers of readable cells; NaN for '-' (and an empty plain cell)."""
    text = clean(cells)
    nl = style == "nl"
    text = text.where(~nl, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    text = text.str.replace("%", "", regex=False).str.strip()
    text = text.mask(text.isin([NOT_AVAILABLE, ""]))
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    return (values * scale.astype("float64")).round(6)


def decimals(cells: pd.Series) -> pd.Series:
    """How many decimals a cell was written with (0 for none or '-')."""
    text = clean(cells).str.replace("%", "", regex=False).str.strip()
    frac = text.str.extract(r"[.,](\d+)$", expand=False)
    grouped = text.str.fullmatch(r"-?\d{1,3}(?:\.\d{3})+")
    return frac.str.len().where(~grouped, 0).fillna(0).astype("int64")
