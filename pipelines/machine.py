"""What this machine lets a run use, and how a child process stays bound to its run."""

from __future__ import annotations

import contextlib
import os
import sys


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity on Linux), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def die_with_parent() -> None:
    """Let the kernel kill this process when its parent dies (Linux: PR_SET_PDEATHSIG).

    Called first thing in dbt and in the disclosure workers: if `sozialmonitor run` is
    killed (SIGKILL, power cut of the container), no child keeps working or keeps
    warehouse.duckdb locked for the next run.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
