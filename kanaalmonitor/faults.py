"""Fault injection for the crash tests: kill this process at a named stage of a refresh.

Set KANAALMONITOR_CRASH_AT=<stage> in a refresh's environment; the refresh then dies by SIGKILL
when it reaches that stage. The variable is read at every call, never at import.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "KANAALMONITOR_CRASH_AT"
STAGES = (
    "parsed",          # every delivery parsed and validated, before the writer lock
    "staged",          # staging tables written into <warehouse>.tmp
    "building",        # the first public table built, the others not yet
    "checking",        # the first data rule ran, the others not yet
    "before-publish",  # <warehouse>.tmp checkpointed and closed, not yet renamed
    "after-publish",   # <warehouse>.tmp renamed onto the warehouse, nothing after that done
)


def crash_point(stage: str) -> None:
    """Die at once (SIGKILL, no cleanup) when KANAALMONITOR_CRASH_AT names this stage."""
    if stage not in STAGES:
        raise ValueError(f"unknown crash stage {stage!r}; the stages are {', '.join(STAGES)}")
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
