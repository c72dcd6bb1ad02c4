"""One measurement in a fresh process: `python -m bench.child TASK ARGS.json OUT.json`.

A fresh process per measurement gives each its own peak memory (ru_maxrss only grows)
and keeps imports and caches of one measurement out of the next.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.procmon import TreeSampler, cpu_seconds, load_average, maxrss_mb


def main(task: str, args: dict) -> dict:
    load_before = load_average()
    with TreeSampler() as sampler:
        t0, c0 = time.perf_counter(), cpu_seconds()
        if task == "pipeline":
            from bench.pipeline import run

            result = run(
                Path(args["landing"]), Path(args["warehouse"]), sampler,
                bool(args.get("ingest_only")),
            )  # fmt: skip
        elif task == "floor":
            from bench.floor import read_all
            from bench.landing import CsvFile

            files = [CsvFile(**f) for f in args["files"]]
            result = read_all(Path(args["landing"]), files)
        elif task == "peer":
            from bench.peer import ingest

            result = {
                "kinds": ingest(Path(args["landing"]), Path(args["db"]), args["key"].encode())
            }
        else:
            raise SystemExit(f"unknown task {task}")
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    result.update(
        task=task,
        wall_s=result.get("wall_s", wall),
        cpu_s=result.get("cpu_s", cpu),
        maxrss_mb=maxrss_mb(),
        peak_tree_rss_mb=sampler.peak,
        load_before=load_before,
        load_after=load_average(),
    )
    return result


if __name__ == "__main__":
    task, args_file, out_file = sys.argv[1:4]
    out = main(task, json.loads(Path(args_file).read_text(encoding="utf-8")))
    Path(out_file).write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
