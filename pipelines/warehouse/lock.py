"""One writer at a time: a process-wide lock on the warehouse folder.

Every writer takes it: `sozialmonitor run` for its whole sequence of Dagster runs, and
every Dagster run launched from the UI, the sensor or a schedule (the `sozialmonitor`
resource takes it when the run starts, see `pipelines/defs/resources.py`).
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

# lock files this process holds (resolved path -> holder text): a Dagster run started
# in-process by `sozialmonitor run` is part of that run and must not wait for itself
_HELD: dict[str, str] = {}


class WarehouseBusy(RuntimeError):
    pass


def _key(lock_file: Path) -> str:
    return str(Path(lock_file).resolve())


def held_here(lock_file: Path) -> bool:
    return _key(lock_file) in _HELD


@contextmanager
def writer_lock(lock_file: Path, wait_seconds: float = 0.0, holder: str = "sozialmonitor run"):
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_seconds
    key = _key(lock_file)
    locked = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    text = os.pread(fd, 200, 0).decode(errors="replace").strip()
                    raise WarehouseBusy(
                        "Das Warehouse wird gerade von einem anderen Lauf geschrieben"
                        + (f" ({text})" if text else "")
                        + ". Bitte warten, bis er fertig ist (oder --wait SEKUNDEN angeben)."
                    ) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        stamp = f"{holder}, PID {os.getpid()} seit {time.strftime('%H:%M:%S')}"
        os.pwrite(fd, stamp.encode(), 0)
        _HELD[key] = stamp
        yield
    finally:
        if locked:
            _HELD.pop(key, None)
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


@contextmanager
def run_lock(lock_file: Path, wait_seconds: float, holder: str):
    """The writer lock for one Dagster run: taken, unless this process holds it already."""
    if held_here(lock_file):
        yield
        return
    with writer_lock(lock_file, wait_seconds, holder):
        yield


def is_free(lock_file: Path) -> bool:
    """True if no process writes the warehouse now (a sensor's look, not a reservation)."""
    if held_here(lock_file):
        return False
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
