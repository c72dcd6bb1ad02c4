"""CPU time and memory of a process and its children, from /proc and getrusage (no psutil)."""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child it has waited for."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def maxrss_mb() -> float:
    """Peak resident set of this process and of its largest waited-for child (ru_maxrss, kB)."""
    s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(s, c) / 1024


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces: split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root: int) -> float:
    """CPU seconds of `root` and all its descendants so far (each process's own time and
    that of the children it has reaped), from /proc: also counts children still running."""
    kids = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        stack.extend(kids.get(pid, []))
    return total / TICK


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants now (sum of RSS)."""
    kids = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        stack.extend(kids.get(pid, []))
    return total / 2**20


class TreeSampler:
    """Samples the RSS of this process tree in a thread; peak per named phase. Also its
    CPU seconds over time (`cpu_between`: the CPU of a span, e.g. one Dagster step)."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.phase = "start"
        self.peaks: dict[str, float] = {}
        self.peak = 0.0
        self.cpu_samples: list[tuple[float, float]] = []  # (time.time(), tree CPU s)
        self.rss_samples: list[tuple[float, float]] = []  # (time.time(), tree RSS MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            rss = tree_rss_mb(me)
            self.peak = max(self.peak, rss)
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)
            now = time.time()
            self.rss_samples.append((now, rss))
            self.cpu_samples.append((now, tree_cpu_s(me)))
            self._stop.wait(self.interval)

    def cpu_between(self, start: float, end: float) -> float | None:
        """Tree CPU seconds between two time.time() stamps (nearest samples; None: none)."""
        samples = list(self.cpu_samples)
        if not samples:
            return None

        def at(t: float) -> float:
            before = [c for ts, c in samples if ts <= t]
            return before[-1] if before else samples[0][1]

        return max(at(end) - at(start), 0.0)

    def peak_between(self, start: float, end: float) -> float | None:
        """Largest tree RSS (MB) sampled between two time.time() stamps (None: no sample)."""
        inside = [rss for ts, rss in list(self.rss_samples) if start <= ts <= end]
        return max(inside) if inside else None

    def set_phase(self, name: str) -> None:
        self.phase = name

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


class Stopwatch:
    """Wall and CPU seconds of a block (CPU includes waited-for children)."""

    def __enter__(self) -> Stopwatch:
        self.t0, self.c0 = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = cpu_seconds() - self.c0
