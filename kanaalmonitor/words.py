"""Words of the terminal lines: counts with the noun in the right number."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 delivery', '2 deliveries', '1,234 cells'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"
