"""Where the commands may write, and how: never onto or into what they read (the deliveries, the catalogue,
the code and SQL, the published warehouse), and every file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

from kanaalmonitor.config import (
    MANIFEST_NAME,
    PROJECT_ROOT,
    RAW_DIR,
    SCHEMAS_DIR,
    WAREHOUSE_DIR,
    WAREHOUSE_PATH,
    error_log_dir,
)

Output = Literal["warehouse", "file", "folder"]
WHAT = {"warehouse": "the warehouse", "file": "the export", "folder": "the report"}
INSTEAD = {
    "warehouse": "Pass --warehouse a new file, or a warehouse this command published, outside raw/, schemas/ "
                 f"and the code folders (default {WAREHOUSE_PATH}).",
    "file": "Pass --out a new file, or an earlier export, outside raw/, schemas/, the code folders and the "
            "warehouse's files, e.g. out/<table>.csv.",
    "folder": "Pass --out a folder of its own outside raw/, schemas/, the code folders and the warehouse's "
              f"files (default {PROJECT_ROOT / 'out' / 'report'}).",
}
CODE_FOLDERS = {
    PROJECT_ROOT / "kanaalmonitor": "the project's code",
    PROJECT_ROOT / "flows": "the project's flows",
    SCHEMAS_DIR: "the catalogue and schemas",
    WAREHOUSE_DIR: "the warehouse SQL",
}
WAREHOUSE_SQL_SUFFIXES = {".sql", ".toml"}
# Files a refresh keeps beside the warehouse it writes (kanaalmonitor.build.lock and .warehouse).
WORK_SUFFIXES = ("", ".lock", ".wal", ".tmp", ".tmp.wal", ".work", ".log")
DUCKDB_MAGIC = (8, b"DUCK")


class OutputRefused(Exception):
    """A command was asked to write onto or into something it only reads; nothing was written."""


def real_path(path: Path | str) -> Path:
    """The absolute path with every symbolic link followed, also through parts that do not exist yet."""
    return Path(os.path.realpath(os.path.abspath(path)))


def is_duckdb_file(path: Path) -> bool:
    offset, magic = DUCKDB_MAGIC
    try:
        with path.open("rb") as fh:
            return fh.read(offset + len(magic))[offset:] == magic
    except OSError:
        return False


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _holds_deliveries(folder: Path) -> bool:
    """Whether a folder of folder is a delivery: folder is then a raw folder."""
    try:
        return any((child / MANIFEST_NAME).is_file() for child in folder.iterdir())
    except OSError:
        return False


def _where(path: Path, folder: Path, name: str) -> str:
    return f"it is {name} {folder}" if path == folder else f"it lies inside {name} {folder}"


def _reason(real: Path, kind: Output, raw_dirs: list[Path], warehouses: list[Path]) -> str | None:
    for raw in raw_dirs:
        if _within(real, raw):
            return _where(real, raw, "the raw folder") + ", whose deliveries are only ever read"
    for folder in (real, *real.parents):
        if (folder / MANIFEST_NAME).is_file():
            return _where(real, folder, "the delivery folder") + f" (it holds a {MANIFEST_NAME})"
    for folder in (real, *real.parents):
        if _holds_deliveries(folder):
            return _where(real, folder, "the folder of deliveries") + ", a raw folder"
    for folder, name in CODE_FOLDERS.items():
        if not _within(real, folder):
            continue
        run_target = real.parent == WAREHOUSE_DIR and real.suffix not in WAREHOUSE_SQL_SUFFIXES
        if not (kind == "warehouse" and folder == WAREHOUSE_DIR and run_target):
            return _where(real, folder, f"the folder of {name}")
    if kind == "warehouse":
        if real.is_dir():
            return "it is a folder"
        if real.exists() and not is_duckdb_file(real):
            return "it exists and is not a DuckDB warehouse"
        return None
    for warehouse in warehouses:
        for suffix in WORK_SUFFIXES:
            if _within(real, Path(f"{warehouse}{suffix}")):
                what = "the published warehouse" if not suffix else f"a work file ({suffix}) of the warehouse"
                return f"it is {what} {warehouse}"
    if kind == "file" and real.is_file() and is_duckdb_file(real):
        return "it is a DuckDB database"
    return None


def check_output(target: Path | str, kind: Output, raw_dir: Path | str | None = None,
                 warehouse: Path | str | None = None) -> Path:
    """The real path of target if a command may write kind there; OutputRefused otherwise.

    Refused: onto or into raw/ (raw_dir and the project's), a delivery folder, the catalogue (schemas/), the
    code and SQL folders (kanaalmonitor/, flows/, warehouse/: only run's warehouse file may lie in warehouse/);
    for run, an existing file that is not a DuckDB warehouse; for export and report, the warehouse read
    (and the project's) with its work files, and for export any DuckDB database.
    """
    real = real_path(target)
    raw_dirs = list(dict.fromkeys(real_path(p) for p in (raw_dir, RAW_DIR) if p is not None))
    warehouses = list(dict.fromkeys(real_path(p) for p in (warehouse, WAREHOUSE_PATH) if p is not None))
    reason = _reason(real, kind, raw_dirs, warehouses)
    if reason:
        shown = str(target) if str(target) == str(real) else f"{target} (that is {real})"
        raise OutputRefused(f"Refused to write {WHAT[kind]} to {shown}: {reason}. Nothing was written. "
                            f"{INSTEAD[kind]}")
    return real


@contextmanager
def replacing(target: Path) -> Iterator[BinaryIO]:
    """A file to write target through: a temporary file beside it that replaces target only once it is
    complete and on disk. Any error, a full disk included, leaves target as it was and no temporary file."""
    target = Path(target)
    if target.is_dir():
        raise IsADirectoryError(21, os.strerror(21), str(target))
    mode = target.stat().st_mode & 0o777 if target.is_file() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_whole(target: Path, data: bytes) -> None:
    """Write data to target through replacing()."""
    with replacing(target) as fh:
        fh.write(data)


def write_error_log(warehouse: Path | str, text: str) -> Path | None:
    """Write one unexpected error's traceback to a new file in error_log_dir(warehouse); its path, or None when
    it cannot be written."""
    import datetime as dt

    folder = error_log_dir(warehouse)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{stamp}-{os.getpid()}.txt"
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path
