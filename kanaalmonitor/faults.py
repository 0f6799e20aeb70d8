"""Fault injection for the crash tests: kill this process at a named stage of a refresh.

Set KANAALMONITOR_CRASH_AT=<stage> in a refresh's environment; the refresh then dies by SIGKILL
when it reaches that stage. `<stage>:pause` stops it there instead (one line on stderr, then it sleeps until
killed), for a test to kill it from outside at that moment; `<stage>:raise` raises InjectedFault there, an
unexpected error. The variable is read at every call, never at import.
"""

from __future__ import annotations

import os
import signal
import sys
import time

CRASH_ENV = "KANAALMONITOR_CRASH_AT"
STAGES = (
    "parsed",          # every delivery parsed and validated, before the writer lock
    "staged",          # staging tables written into <warehouse>.tmp
    "building",        # the first public table built, the others not yet
    "checking",        # the first data rule ran, the others not yet
    "before-publish",  # <warehouse>.tmp checkpointed and closed, not yet renamed
    "after-publish",   # <warehouse>.tmp renamed onto the warehouse, nothing after that done
)


class InjectedFault(RuntimeError):
    """The error `<stage>:raise` raises: stands for any bug the refresh did not expect."""


def crash_point(stage: str) -> None:
    """Die at once (SIGKILL, no cleanup) when KANAALMONITOR_CRASH_AT names this stage; pause or raise there when
    it says `<stage>:pause` or `<stage>:raise`."""
    if stage not in STAGES:
        raise ValueError(f"unknown crash stage {stage!r}; the stages are {', '.join(STAGES)}")
    wanted, _, mode = os.environ.get(CRASH_ENV, "").partition(":")
    if wanted != stage:
        return
    if mode == "pause":
        print(f"paused at stage {stage} (process {os.getpid()})", file=sys.stderr, flush=True)
        while True:
            time.sleep(60)
    if mode == "raise":
        raise InjectedFault(f"fault injected at stage {stage}")
    os.kill(os.getpid(), signal.SIGKILL)
