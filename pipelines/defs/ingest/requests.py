"""What a file holds, as the sensor's cursor remembers it (pipelines/defs/plan.py decides
which files need a load; this module only signs them)."""

from __future__ import annotations

import stat
from pathlib import Path

from pipelines.deliveries.base import sha256_of


def file_signature(path: Path) -> str:
    """What a file holds: its SHA-256 (hashed again only when size or mtime changed), so a
    file copied again or touched unchanged starts no run. A link, FIFO or other non-regular
    file is never opened, and a file that cannot be read counts by size and time (its run
    refuses it with the reason)."""
    try:
        st = path.lstat()
    except OSError:
        return "fehlt"
    if not stat.S_ISREG(st.st_mode):
        return f"keine-datei-{st.st_mode:o}-{st.st_mtime_ns}"
    try:
        return sha256_of(path)
    except OSError:
        return f"{st.st_size}-{st.st_mtime_ns}"
