"""Default locations and fixed settings; nothing here reads the environment at import."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "raw"
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
WAREHOUSE_PATH = WAREHOUSE_DIR / "kanaalmonitor.duckdb"
SQL_DIR = WAREHOUSE_DIR
CHECKS_DIR = WAREHOUSE_DIR / "checks"
MODELS_FILE = WAREHOUSE_DIR / "models.toml"
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
SERIES_FILE = SCHEMAS_DIR / "series.csv"
LABELS_FILE = SCHEMAS_DIR / "labels.csv"
CHANNELS_FILE = SCHEMAS_DIR / "channels.csv"

MANIFEST_NAME = "manifest.toml"
DEFAULT_MUNICIPALITY = "GM0344"
DEFAULT_METHOD = "standaard"

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024

# DuckDB memory of each tidy file reader (one per core at a time) and of the one-at-a-time steps
# (checking all tidy cells, building the warehouse); larger work spills to disk. See bench/README.md
# for the peak RSS these give at 10 million cells.
TIDY_MEMORY_LIMIT = "128MB"
WAREHOUSE_MEMORY_LIMIT = "320MB"
# The build's cap grows with the cells it builds from: a join whose result feeds a sort (the models that
# end in `order by`) keeps part of both in memory while it spills, and at 10 million cells 320 MB is too
# little for that (OutOfMemoryException in yoy_change_by_edition); at 1 million cells 64 MB is enough.
BUILD_MEMORY_PER_MILLION_CELLS_MB = 100


def build_memory_limit(cells: int) -> str:
    """The DuckDB memory cap of a build from this many cells: WAREHOUSE_MEMORY_LIMIT, or more for more cells."""
    return f"{max(int(WAREHOUSE_MEMORY_LIMIT.removesuffix('MB')), BUILD_MEMORY_PER_MILLION_CELLS_MB * cells // 10**6)}MB"


def prefect_environment() -> None:
    """Quiet, offline Prefect defaults for this process; anything the user set wins."""
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def error_log_dir(warehouse: Path | str) -> Path:
    """The folder of the tracebacks of unexpected errors of the commands on a warehouse: <warehouse>.log/."""
    return Path(f"{warehouse}.log")


NO_SERVER = ("kanaalmonitor {command} needs a Prefect server that outlives it: start one with "
             "`prefect server start --analytics-off` and set PREFECT_API_URL=http://127.0.0.1:4200/api.")


def prefect_api_url() -> str | None:
    """Apply the offline Prefect defaults and return the server URL the commands would use, if any."""
    prefect_environment()
    from prefect.settings import get_current_settings

    return get_current_settings().api.url
