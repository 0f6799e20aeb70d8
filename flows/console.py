"""Prefect's console output without Python tracebacks: a failed task or flow run is one line on the terminal, while
its run log on the Prefect server keeps the whole traceback (and the command writes it to its error log)."""

from __future__ import annotations

import logging


class _WithoutTraceback(logging.Formatter):
    """Formats a record with another formatter as if it carried no exception or stack."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return self.inner.format(record)
        finally:  # the record goes on to other handlers (the run log on the server) as it came
            record.exc_info, record.exc_text, record.stack_info = saved


def console_without_tracebacks() -> None:
    """Drop tracebacks and stacks from the console handlers of Prefect's logging, only there."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not isinstance(handler.formatter, _WithoutTraceback):
            handler.setFormatter(_WithoutTraceback(handler.formatter or logging.Formatter()))
