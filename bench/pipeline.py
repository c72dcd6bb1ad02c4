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
        try:
            return original(*args, **kwargs)
        finally:
            phases.append({"cpu_s": cpu_seconds() - c0, "wall_s": time.perf_counter() - t0})
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
