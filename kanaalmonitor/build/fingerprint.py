"""What a warehouse is built from: the hash of every delivery and of the code that shapes the tables.

The build records these rows in the `build_info` table; a refresh whose inputs equal the
published warehouse's `build_info` has nothing to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kanaalmonitor.config import PROJECT_ROOT
from kanaalmonitor.db import query_published
from kanaalmonitor.deliveries.manifest import Delivery, file_sha256

if TYPE_CHECKING:
    import pandas as pd

CODE_FILES = ("schemas/*.csv", "schemas/*.py", "flows/*.py", "kanaalmonitor/**/*.py", "warehouse/**/*.sql",
              "warehouse/models.toml")
COLUMNS = ["kind", "name", "sha256"]

Inputs = frozenset[tuple[str, str, str]]


def build_inputs(deliveries: list[Delivery], root: Path = PROJECT_ROOT) -> Inputs:
    """(kind, name, sha256) of every delivery (manifest and files) and every code file that shapes the warehouse."""
    rows = {("delivery", d.name, d.sha256()) for d in deliveries}
    for pattern in CODE_FILES:
        rows |= {("code", p.relative_to(root).as_posix(), file_sha256(p)) for p in root.glob(pattern) if p.is_file()}
    return frozenset(rows)


def as_frame(inputs: Inputs) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(sorted(inputs), columns=COLUMNS)


def published_inputs(warehouse: Path) -> Inputs | None:
    """The inputs recorded in the published warehouse's build_info, or None when there is nothing to compare."""
    rows = query_published(warehouse, "select kind, name, sha256 from build_info")
    return None if rows is None else frozenset(rows)
