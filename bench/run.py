"""`make bench`: the pipeline on the synthetic small/city/berlin cities against floor and peer.

    python -m bench.run [--scales small,city,berlin] [--repeat 2] [--no-peer]
        [--peer-scales small,city,berlin] [--ingest-only-scales none] [--run-name run]

Per scale: generate once (bench/cache/<scale>/landing), link the files into a run folder,
then floor (DuckDB read_csv), full build from an empty warehouse, one more month delivered
(incremental), a rerun with nothing changed, floor again, peer (pandas + pandera). Each measurement runs in its own
process and records wall and CPU seconds per Dagster step (dbt, publish, report, ...).
Writes bench/results/results.json and results.md (the issue-13 targets, the step profile;
berlin against city: the full build against the rows, one more month against the
month's rows) and prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.landing import (
    CACHE_DIR,
    add_next_month,
    cached_landing,
    csv_inventory,
    encodings,
    link_copy,
)
from bench.procmon import load_average
from bench.report import RESULTS_DIR, markdown, summarise

BENCH_KEY = "sozialmonitor-benchmark-schluessel"  # synthetic data only
REPO = Path(__file__).resolve().parent.parent


def measure(task: str, args: dict, work: Path, label: str | None = None) -> dict:
    """Run one measurement in a child process; its JSON result plus the parent's wall time."""
    work.mkdir(parents=True, exist_ok=True)
    label = label or task
    args_file, out_file = work / f"{label}_args.json", work / f"{label}_out.json"
    args_file.write_text(json.dumps(args), encoding="utf-8")
    out_file.unlink(missing_ok=True)
    env = {**os.environ, "SOZIALMONITOR_PSEUDONYM_KEY": BENCH_KEY, "PYTHONHASHSEED": "0"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", task, str(args_file), str(out_file)],
        cwd=REPO, env=env, capture_output=True, text=True,
    )  # fmt: skip
    process_wall = time.perf_counter() - t0
    if proc.returncode != 0 or not out_file.exists():
        raise RuntimeError(f"{task} fehlgeschlagen:\n{proc.stderr[-3000:]}")
    out = json.loads(out_file.read_text(encoding="utf-8"))
    out["process_wall_s"] = process_wall  # including interpreter start and imports
    if task == "pipeline":
        out["orphans_ended"] = end_orphans(Path(args["warehouse"]) / "warehouse.duckdb")
    return out


def end_orphans(db: Path, grace: float = 10.0) -> int:
    """dbt processes a failed Dagster step left behind on this warehouse (they hold its lock).

    Found by their environment (the warehouse path), ended by pid after a grace period.
    """
    marker = f"SOZIALMONITOR_WAREHOUSE_DB={db.resolve()}".encode()
    deadline = time.time() + grace
    while True:
        pids = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in Path(entry.path, "environ").read_bytes().split(b"\0"):
                        pids.append(int(entry.name))
                except OSError:
                    continue
        if not pids or time.time() > deadline:
            break
        time.sleep(1)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, 15)
    return len(pids)


def bench_scale(
    scale: str,
    repeat: int,
    peer: bool,
    log,
    save=lambda partial: None,
    ingest_only: bool = False,
    run_name: str = "run",
) -> dict:
    landing_cache, gen_s = cached_landing(scale)
    run_dir = CACHE_DIR / scale / run_name
    landing, warehouse = run_dir / "landing", run_dir / "warehouse"
    shutil.rmtree(run_dir, ignore_errors=True)
    link_copy(landing_cache, landing)
    enc = encodings(landing_cache)
    inventory = csv_inventory(landing, enc)
    floor_args = {"landing": str(landing), "files": [asdict(f) for f in inventory]}
    all_files = [p for p in landing.rglob("*") if p.is_file() and p.name != "manifest.json"]
    out: dict = {
        "scale": scale,
        "generated_s": gen_s,
        "landing": {
            "files": len(all_files),
            "bytes": sum(p.stat().st_size for p in all_files),
            "csv_files": len(inventory),
            "csv_bytes": sum(f.size for f in inventory),
            "xlsx_files": sum(1 for p in all_files if p.suffix == ".xlsx"),
        },
    }
    floors = []
    log(f"[{scale}] Boden (DuckDB read_csv) ...")
    floors.append(measure("floor", floor_args, run_dir / "m"))
    log(f"[{scale}] Vollständiger Aufbau ...")
    pipeline_args = {
        "landing": str(landing),
        "warehouse": str(warehouse),
        "ingest_only": ingest_only,
    }
    out["full"] = measure("pipeline", pipeline_args, run_dir / "m", "full")
    _report_failures(out["full"], log)
    out["floor"] = floors
    save(out)  # a long scale keeps what it measured even if stopped later
    for _ in range(max(repeat - 1, 0)):
        log(f"[{scale}] Boden, Wiederholung ...")
        floors.append(measure("floor", floor_args, run_dir / "m"))
    new_files = add_next_month(landing, enc)
    log(f"[{scale}] Ein weiterer Monat: {', '.join(r for r, _ in new_files)} ...")
    inc = measure("pipeline", pipeline_args, run_dir / "m", "incremental")
    _report_failures(inc, log)
    loaded = {f[0]: f for f in inc.get("loads", {}).get("files", [])}
    inc["new_files"] = [
        {"datei": rel, "status": loaded.get(rel, [rel, "fehlt"])[1],
         "zeilen_gelesen": loaded.get(rel, [0, 0, 0, 0])[2],
         "zeilen_geladen": loaded.get(rel, [0, 0, 0, 0])[3]}
        for rel, _ in new_files
    ]  # fmt: skip
    out["incremental"] = inc
    save(out)
    log(f"[{scale}] Noch ein Lauf, nichts geändert ...")
    rerun = measure("pipeline", pipeline_args, run_dir / "m", "rerun")
    _report_failures(rerun, log)
    out["rerun"] = rerun
    save(out)
    if peer:
        # the peer reads the same files as the full build (the extra month removed again)
        for rel, _ in new_files:
            (landing / rel).unlink()
        log(f"[{scale}] Peer (pandas + pandera) ...")
        out["peer"] = measure(
            "peer", {"landing": str(landing), "db": str(run_dir / "peer.duckdb"),
                     "key": BENCH_KEY}, run_dir / "m",
        )  # fmt: skip
    out["full"]["loads"].pop("files", None)
    out["incremental"]["loads"].pop("files", None)
    out["rerun"].get("loads", {}).pop("files", None)
    return out


def _report_failures(result: dict, log) -> None:
    for what in ("failed_steps", "failed_checks"):
        for item in result.get(what) or []:
            log(f"  FEHLER {what}: {item[:300]}")
    if result.get("orphans_ended"):
        log(f"  {result['orphans_ended']} verwaiste dbt-Prozesse beendet")


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    versions = {}
    for mod in ("duckdb", "polars", "pandas", "pandera", "dagster", "dbt.version"):
        try:
            m = __import__(mod, fromlist=["x"])
            versions[mod.split(".")[0]] = getattr(m, "__version__", None) or getattr(
                m, "__version__", "?"
            )
        except Exception:
            versions[mod] = None
    try:
        from importlib.metadata import version

        versions["dbt"] = version("dbt-core")
    except Exception:
        pass

    def git(*a: str) -> str:
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip()

    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "mem_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": git("rev-parse", "HEAD"),
        # the bench's own results (written after each scale) are not a change to the code
        "git_dirty": bool(
            git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results")
        ),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="small,city,berlin")
    ap.add_argument("--repeat", type=int, default=2, help="floor measurements per scale")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--peer-scales", default="small,city,berlin", help="scales with a peer run")
    ap.add_argument(
        "--ingest-only-scales", default="none", help="scales measured without dbt (none: all)"
    )
    ap.add_argument("--run-name", default="run", help="folder under bench/cache/<scale>/")
    a = ap.parse_args(argv)
    scales = [s.strip() for s in a.scales.split(",") if s.strip()]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results.setdefault("scales", {})
    started = time.time()

    def log(msg: str) -> None:
        print(f"{time.time() - started:7.1f}s  {msg}  (load {load_average()[0]:.1f})", flush=True)

    for scale in scales:
        peer = not a.no_peer and scale in a.peer_scales.split(",")

        def save(partial: dict, scale: str = scale) -> None:
            partial["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
            if path.exists():  # another bench process may have written other scales meanwhile
                results["scales"] = json.loads(path.read_text(encoding="utf-8")).get("scales", {})
            results["scales"][scale] = partial
            results["machine"] = machine()
            results["summary"] = summarise(results)
            path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
            (RESULTS_DIR / "results.md").write_text(markdown(results), encoding="utf-8")

        only = scale in a.ingest_only_scales.split(",")
        save(bench_scale(scale, a.repeat, peer, log, save, only, a.run_name))
    results["bench_wall_s"] = time.time() - started
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    md = markdown(results)
    (RESULTS_DIR / "results.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
