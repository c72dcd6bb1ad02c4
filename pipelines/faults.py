"""Named points where a crash test kills the running process (SIGKILL, as in a power cut).

`SOZIALMONITOR_ABBRUCHPUNKT=<name>` makes the process kill itself when it reaches that
point; unset (always, outside tests/robustness/test_crash.py) a point does nothing. A kill
from outside cannot hit "between Parquet and Excel" reliably; this can, with a real SIGKILL
that leaves whatever the kernel has at that moment.
"""

from __future__ import annotations

import os
import signal

ENV = "SOZIALMONITOR_ABBRUCHPUNKT"


def point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
