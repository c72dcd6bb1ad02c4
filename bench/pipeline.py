"""One measured run of the real pipeline (`run_pipeline`), with CPU and memory per Dagster run."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import duckdb

from bench.procmon import TreeSampler, cpu_seconds, maxrss_mb


def run(landing: Path, warehouse: Path, sampler: TreeSampler, ingest_only: bool = False) -> dict:
    """Run the pipeline; CPU per Dagster run comes from wrapping
    `JobDefinition.execute_in_process` (the runner starts each run of a defined job with it,
    in the order of `RunOutcome.timings`)."""
    from pipelines import runner

    phases: list[dict] = []
    original = dg.JobDefinition.execute_in_process

    def measured(*args, **kwargs):
        index = len(phases)
        sampler.set_phase(f"run{index}")
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = None
        try:
            result = original(*args, **kwargs)
            return result
        finally:
            phases.append({"cpu_s": cpu_seconds() - c0, "wall_s": time.perf_counter() - t0,
                           "steps": _steps(kwargs.get("instance"), result, sampler)})  # fmt: skip
            sampler.set_phase("zwischen")

    dg.JobDefinition.execute_in_process = measured
    try:
        t0, c0 = time.perf_counter(), cpu_seconds()
        outcome = runner.run_pipeline(landing, warehouse, ingest_only=ingest_only)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    finally:
        dg.JobDefinition.execute_in_process = original
    labels = list(outcome.timings)
    per_run = {}
    for i, label in enumerate(labels):
        p = phases[i] if i < len(phases) else {}
        per_run[label] = {
            "wall_s": outcome.timings[label],
            "cpu_s": p.get("cpu_s"),
            "peak_rss_mb": sampler.peaks.get(f"run{i}"),
            "steps": p.get("steps") or {},
        }
    return {
        "exit_code": outcome.exit_code,
        "ingest_only": ingest_only,
        "failed_steps": outcome.failed_steps[:5],
        "failed_checks": outcome.failed_checks[:5],
        "rejected_files": len(outcome.rejected_files),
        "wall_s": wall,
        "cpu_s": cpu,
        "maxrss_mb": maxrss_mb(),
        "runs": per_run,
        "skipped": outcome.skipped,
        "scope": outcome.scope,
        "loads": _loads(warehouse / "warehouse.duckdb", outcome.run_ids),
    }


def _steps(instance, result, sampler: TreeSampler) -> dict:
    """Wall and CPU seconds per step of one Dagster run (the in-process executor runs its
    steps one after another: the tree's CPU between a step's start and end is its own)."""
    if instance is None or result is None:
        return {}
    types = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
             dg.DagsterEventType.STEP_FAILURE}  # fmt: skip
    spans: dict[str, list[float]] = {}
    for entry in instance.all_logs(result.run_id, of_type=types):
        key = entry.step_key or (entry.dagster_event.step_key if entry.dagster_event else None)
        if key:
            spans.setdefault(key, []).append(entry.timestamp)
    out = {}
    for key, stamps in spans.items():
        start, end = min(stamps), max(stamps)
        cpu = sampler.cpu_between(start, end)
        peak = sampler.peak_between(start, end)
        out[key] = {
            "wall_s": round(end - start, 2),
            "cpu_s": None if cpu is None else round(cpu, 2),
            "peak_rss_mb": None if peak is None else round(peak),
        }
    return out


def _loads(db: Path, run_ids: list[str]) -> dict:
    if not run_ids or not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        marks = ", ".join("?" for _ in run_ids)
        rows = con.execute(
            f"""select quelle, status, count(*), sum(zeilen_gelesen), sum(zeilen_geladen),
                       sum(zeilen_quarantaene), sum(groesse_bytes)
                from audit.loads where run_id in ({marks}) group by all order by all""",
            run_ids,
        ).fetchall()
        files = con.execute(
            f"select datei, status, zeilen_gelesen, zeilen_geladen from audit.loads "
            f"where run_id in ({marks}) order by datei",
            run_ids,
        ).fetchall()
    finally:
        con.close()
    by_status: dict[str, dict] = {}
    for quelle, status, n, read, loaded, quar, size in rows:
        s = by_status.setdefault(status, {"files": 0, "rows_read": 0, "rows_loaded": 0,
                                          "rows_quarantined": 0, "bytes": 0, "kinds": {}})  # fmt: skip
        s["files"] += n
        s["rows_read"] += int(read or 0)
        s["rows_loaded"] += int(loaded or 0)
        s["rows_quarantined"] += int(quar or 0)
        s["bytes"] += int(size or 0)
        s["kinds"][quelle] = n
    return {"by_status": by_status, "files": [list(f) for f in files]}
