"""Ingesting all files of one delivery kind (Dagster-free; the assets call this).

Files of a kind are read and checked in worker threads (polars releases the GIL, so two
files use two cores) while this thread writes the finished ones, one transaction each,
in file order: there is still exactly one writer, and the warehouse sees the same
sequence of commits as a serial load.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from pipelines.deliveries.landing import Discovery
from pipelines.deliveries.load import (
    LoadResult,
    build_context,
    commit,
    load_file,
    prepare_file,
    record_refusal,
)
from pipelines.deliveries.registry import ALL_KINDS, REFERENCE_KINDS
from pipelines.deliveries.volume import VolumeRule
from pipelines.machine import usable_cores
from pipelines.protection.keys import ensure_key
from pipelines.protection.pseudonym import key_from_env
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.store import Session, current_load

Progress = Callable[[LoadResult, float], None]


def ingest_reference(
    discovery: Discovery,
    paths: WarehousePaths,
    run_id: str | None,
    progress: Progress | None = None,
) -> list[LoadResult]:
    results = []
    with Session(paths.warehouse_db, paths.quarantine_db) as session:
        for refused in discovery.refused:
            # refusals without a period (bad name, link, future period) belong to no
            # partition: the reference run, which always runs first, logs them once
            if (
                refused.kind in REFERENCE_KINDS
                or refused.kind == "reference"
                or (refused.period_key is None)
            ):
                r = record_refusal(refused, session, run_id)
                results.append(r)
                if progress:
                    progress(r, 0.0)
        for name in REFERENCE_KINDS:  # gebiete first: the others are checked against it
            for f in discovery.by_kind(name):
                # built per file: the street directory is checked against the areas just loaded
                ctx = build_context(session.warehouse, None)
                t0 = time.perf_counter()
                r = load_file(
                    f, ctx, session, run_id, kind=discovery.kinds.get((f.kind, f.relpath))
                )
                results.append(r)
                if progress:
                    progress(r, time.perf_counter() - t0)
    return results


def ingest_kind(
    kind_name: str,
    discovery: Discovery,
    paths: WarehousePaths,
    run_id: str | None,
    partition_keys: Iterable[str] | None = None,
    progress: Progress | None = None,
    volume: VolumeRule | None = None,
) -> list[LoadResult]:
    kind = ALL_KINDS[kind_name]
    wanted = set(partition_keys) if partition_keys is not None else None
    files = [f for f in discovery.by_kind(kind_name) if wanted is None or f.period.key in wanted]
    # refusals without a period (bad name, future period) are logged by the reference run
    refused = [
        r for r in discovery.refused
        if r.kind == kind_name and r.period_key and (wanted is None or r.period_key in wanted)
    ]  # fmt: skip
    key = key_from_env() if kind.person_level and files else None  # refuse before any write
    with Session(paths.warehouse_db, paths.quarantine_db) as session:
        if key is not None:  # another key would give every person a new pseudonym
            ensure_key(session.warehouse, key)
        results = [record_refusal(r, session, run_id) for r in refused]
        for r in results if progress else ():
            progress(r, 0.0)
        if not files:
            return results
        ctx = build_context(session.warehouse, key)
        workers = usable_cores()
        with ThreadPoolExecutor(workers, thread_name_prefix=f"ingest-{kind_name}") as pool:
            pending: deque = deque()

            def finish_oldest() -> None:
                future, t0 = pending.popleft()
                r = commit(future.result(), session, run_id, volume)
                results.append(r)
                if progress:
                    progress(r, time.perf_counter() - t0)

            try:
                for f in files:
                    current = current_load(session.warehouse, f.kind, f.period.key)
                    as_kind = discovery.kinds.get((f.kind, f.relpath))
                    t0 = time.perf_counter()
                    future = pool.submit(prepare_file, f, ctx, current, run_id, as_kind)
                    pending.append((future, t0))
                    if len(pending) > workers:  # at most workers + 1 prepared files in memory
                        finish_oldest()
                while pending:
                    finish_oldest()
            finally:
                for future, _ in pending:  # a failed file: do not prepare the rest
                    future.cancel()
    return results
