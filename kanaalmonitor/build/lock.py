"""One writer per warehouse: an exclusive flock on `<warehouse>.lock`, held for the whole refresh, and the
refresh's work folder `<warehouse>.work/` beside it, fresh for every holder of the lock."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(Exception):
    """Another refresh holds the writer lock of this warehouse."""


def work_folder(warehouse: Path) -> Path:
    """The folder of a refresh's intermediate files (raw cells, the work database, DuckDB spill files)."""
    return Path(f"{warehouse}.work")


@contextmanager
def writer_lock(warehouse: Path, wait_seconds: float = 0.0):
    """Hold the single-writer lock of a warehouse; wait up to wait_seconds, then refuse.

    Yields the work folder, created empty; it is removed again when the lock is released."""
    lock_path = Path(f"{warehouse}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = lock_path.open("a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise WarehouseBusy(
                        f"Another refresh is writing {warehouse} (process {holder}). "
                        f"Nothing was changed; run again when it has finished.") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        # The published file is only ever replaced whole, never written in place: a WAL beside it is a
        # dead session's, and would make every open of the published file fail. A build file or a work
        # folder left beside it is a dead refresh's work.
        for leftover in (".wal", ".tmp", ".tmp.wal"):
            Path(f"{warehouse}{leftover}").unlink(missing_ok=True)
        work = work_folder(warehouse)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)
    finally:
        fh.close()
