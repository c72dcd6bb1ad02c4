"""Which periods in the landing folder need a load: shared by the sensors and the schedules.

A request names a kind and the range of its periods whose file is new or changed in its
content since the sensor last looked (or every period, for a schedule); the run itself
decides per file from its bytes whether it loads, replaces, leaves it as it is or refuses
it. One run per kind (a range of partitions, single-run backfill), like `sozialmonitor run`,
which takes its partition range from `partition_range` too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

from pipelines.defs.ingest.assets import PARTITIONS
from pipelines.deliveries.base import sha256_of
from pipelines.deliveries.landing import discover

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def file_signature(path: Path) -> str:
    """What a file holds: its SHA-256 (hashed again only when size or mtime changed), so a
    file copied again or touched unchanged starts no run. A file that cannot be read
    counts by size and time (its run refuses it with the reason)."""
    try:
        return sha256_of(path)
    except OSError:
        try:
            st = path.lstat()
        except OSError:
            return "fehlt"
        return f"{st.st_size}-{st.st_mtime_ns}"


def partition_range(instance, pdef, keys) -> dict[str, str]:
    """Register new period keys and return the run tags of the range that covers `keys`
    (a run takes a contiguous range; unchanged files inside it are left as they are)."""
    keys = set(keys)
    known = set(instance.get_dynamic_partitions(pdef.name))
    new = sorted(k for k in keys if k not in known)
    if new:
        instance.add_dynamic_partitions(pdef.name, new)
    stored = instance.get_dynamic_partitions(pdef.name)
    positions = [i for i, k in enumerate(stored) if k in keys]
    return {RANGE_START: stored[positions[0]], RANGE_END: stored[positions[-1]]}


def ingest_requests(
    instance, resource, kinds, tick: str = "", seen: dict | None = None, discovery=None
):
    """One RunRequest per kind of `kinds` with a file that is new or changed since `seen`.

    `seen` maps relpath -> signature and is updated in place (the sensor keeps it as its
    cursor); without it every file counts. New periods are registered as dynamic
    partitions right away: the run's partition range must exist when it is launched.
    """
    if discovery is None:
        discovery = discover(resource.landing(), config=resource.config())
    runs = []
    for kind in kinds:
        changed = []
        for f in discovery.by_kind(kind):
            sig = file_signature(f.path)
            if seen is not None and seen.get(f.relpath) == sig:
                continue
            if seen is not None:
                seen[f.relpath] = sig
            changed.append((f, sig))
        if not changed:
            continue
        tags = partition_range(instance, PARTITIONS[kind], {f.period.key for f, _ in changed})
        digest = hashlib.sha256(
            "\n".join(f"{f.relpath}:{sig}" for f, sig in changed).encode()
        ).hexdigest()[:16]
        runs.append(
            dg.RunRequest(
                run_key=f"{kind}:{tick}:{digest}",
                job_name=f"laden_{kind}",
                tags={
                    **tags,
                    "sozialmonitor/dateien": str(len(changed)),
                    "sozialmonitor/ausloeser": tick or "sensor",
                },
            )
        )
    return runs
