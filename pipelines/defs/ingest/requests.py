"""Which periods in the landing folder need a load: shared by the sensor and the schedules."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingest.assets import PARTITIONS
from pipelines.deliveries.landing import discover


def file_signature(path) -> str:
    st = path.stat()
    return f"{st.st_size}-{int(st.st_mtime)}"


def ingest_requests(instance, resource, kinds, tick: str = "", seen: dict | None = None):
    """RunRequests for every period of `kinds` whose file is new or changed since `seen`.

    Returns (run requests, dynamic-partition requests); `seen` maps relpath -> signature
    and is updated in place (the sensor keeps it as its cursor).
    """
    discovery = discover(resource.landing(), config=resource.config())
    seen = {} if seen is None else seen
    runs, adds = [], []
    for kind in kinds:
        pdef = PARTITIONS[kind]
        known = set(instance.get_dynamic_partitions(pdef.name))
        new_keys = []
        for f in discovery.by_kind(kind):
            sig = file_signature(f.path)
            if seen.get(f.relpath) == sig:
                continue
            seen[f.relpath] = sig
            if f.period.key not in known:
                new_keys.append(f.period.key)
            runs.append(
                dg.RunRequest(
                    run_key=f"{f.relpath}:{sig}",
                    job_name=f"laden_{kind}",
                    partition_key=f.period.key,
                    tags={
                        "sozialmonitor/datei": f.relpath,
                        "sozialmonitor/ausloeser": tick or "sensor",
                    },
                )
            )
        if new_keys:
            adds.append(pdef.build_add_request(sorted(set(new_keys))))
    return runs, adds
