"""Disclosure control system by system: in parallel processes, and remembered between runs.

One system is one (tabelle, periode) (see `pipelines.disclosure`): no equation crosses
tables or periods, so each is solved on its own. That gives two speed-ups without changing
a single published figure:

- the systems of a full build are spread over the cores (separate processes: the solver
  is pure Python and would hold the GIL);
- a run after one more month was delivered solves only the systems whose input changed.
  Every system's result is kept in the warehouse folder under a digest of everything it
  depends on: its cells, today's area layout, the identities, the disclosure settings and
  the source code of the solver. Any change to one of these is a new digest, so a result
  is never reused for other input; entries no run needs any more are deleted.

The cache holds what `apply_disclosure` returns: published values (withheld cells have no
value) and the suppression log (which cells are primary: planning unit only, as
`audit.geheimhaltung`). It lives in the owner-only warehouse folder.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from pipelines.disclosure import DisclosureConfig, DisclosureResult, Identity, apply_disclosure
from pipelines.disclosure.digest import digest as _digest
from pipelines.disclosure.digest import frame_bytes as _bytes
from pipelines.disclosure.digest import rules_digest
from pipelines.disclosure.suppress import STAR_BOUND_COLUMNS
from pipelines.machine import die_with_parent, usable_cores

# below this many systems to solve a pool costs more (process start, imports) than it saves
MIN_SYSTEMS_FOR_POOL = 16


def solve_system(
    system: pl.DataFrame, tree: pl.DataFrame, identities: list[Identity], cfg: DisclosureConfig
) -> DisclosureResult:
    """One (tabelle, periode) system.

    docs/protection.md: a source `*` lies in [1, 2], or in the bounds its cell carries (below
    a BA total row). The BA also writes `*` for cells that would reveal such a value
    (secondary suppression at source), which can be larger; where a system contradicts the
    assumed bounds it is redone with every source `*` unbounded above (>= 1; a total row in
    the system bounds them again), which only widens bounds and never publishes more.
    """
    try:
        return apply_disclosure(system, tree, identities, cfg)
    except ValueError:
        wide = dataclasses.replace(cfg, quelle_stern_max=10**9)
        unbounded = system.drop(STAR_BOUND_COLUMNS, strict=False)
        return apply_disclosure(unbounded, tree, identities, wide)


def _solve(args: tuple) -> tuple[bytes, bytes]:
    """One task (in a worker or inline): frames travel as Arrow IPC bytes (exact dtypes)."""
    system, tree, identities, cfg = args
    result = solve_system(_frame(system), _frame(tree), identities, cfg)
    return _bytes(result.cells), _bytes(result.log)


def solve_systems(
    cells: pl.DataFrame,
    tree: pl.DataFrame | dict[str, pl.DataFrame],
    identities: list[Identity],
    cfg: DisclosureConfig,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> tuple[DisclosureResult, dict[str, int]]:
    """All systems of `cells`, sorted as `apply_disclosure` sorts; plus counts
    (`systeme`, `aus_zwischenspeicher`, `berechnet`) for the run's metadata.

    `tree`: one hierarchy for all systems, or one per layout, chosen by the cells'
    `gebietsstand` column (a recast period is solved on the layout it was delivered on)."""
    groups = sorted(
        cells.partition_by(["tabelle", "periode"], as_dict=True, maintain_order=True).items(),
        key=lambda kv: (kv[0][0], str(kv[0][1])),
    )
    trees = tree if isinstance(tree, dict) else {None: tree}
    trees_ipc = {k: _bytes(t) for k, t in trees.items()}

    def layout(system: pl.DataFrame):
        return system["gebietsstand"][0] if None not in trees else None

    layouts = [layout(system) for _, system in groups]
    systems_ipc = [  # digest input and task payload
        _bytes(system.drop("gebietsstand", strict=False)) for _, system in groups
    ]
    shared = _digest(repr(sorted(map(repr, identities))), repr(cfg), _code_digest())
    digests = [
        _digest(shared, trees_ipc[lay], ipc) for lay, ipc in zip(layouts, systems_ipc, strict=True)
    ]
    results: list[tuple[pl.DataFrame, pl.DataFrame] | None] = [
        _cached(cache_dir, d) for d in digests
    ]
    todo = [i for i, r in enumerate(results) if r is None]
    tasks = [(systems_ipc[i], trees_ipc[layouts[i]], identities, cfg) for i in todo]
    workers = workers if workers is not None else usable_cores()
    if workers > 1 and len(tasks) >= MIN_SYSTEMS_FOR_POOL:
        solved = _solve_in_processes(tasks, workers)
    else:
        solved = [_solve(t) for t in tasks]
    for i, (cells_ipc, log_ipc) in zip(todo, solved, strict=True):
        results[i] = (_frame(cells_ipc), _frame(log_ipc))
        _store(cache_dir, digests[i], cells_ipc, log_ipc)
    _prune(cache_dir, set(digests))
    parts = [r[0] for r in results if r is not None]
    logs = [r[1] for r in results if r is not None]
    order = ["tabelle", "merkmal", "periode", "gebiet_id"]
    stats = {
        "systeme": len(groups),
        "berechnet": len(todo),
        "aus_zwischenspeicher": len(groups) - len(todo),
    }
    if not parts:
        empty = apply_disclosure(
            cells.clear().drop("gebietsstand", strict=False),
            next(iter(trees.values())),
            identities,
            cfg,
        )
        return empty, stats
    return DisclosureResult(pl.concat(parts).sort(order), pl.concat(logs).sort(order)), stats


# --- worker processes -------------------------------------------------------------------


def _solve_in_processes(tasks: list[tuple], workers: int) -> list[tuple[bytes, bytes]]:
    """Solve `tasks` in `workers` child processes (`python -m pipelines.publish.systems`).

    Plain subprocesses, not multiprocessing: fork would copy polars' thread pool into the
    child, and spawn re-imports the caller's main script, which may be anything that
    calls `run` (a script without a main guard would start a second pipeline).
    """
    chunks = [tasks[i::workers] for i in range(workers)]  # interleaved: periods mix
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipelines.publish.systems"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in chunks
    ]
    with ThreadPoolExecutor(len(procs)) as pool:
        outputs = list(
            pool.map(
                lambda pc: pc[0].communicate(pickle.dumps(pc[1])), zip(procs, chunks, strict=True)
            )
        )
    solved: list = [None] * len(tasks)
    for i, (proc, (out, err)) in enumerate(zip(procs, outputs, strict=True)):
        if proc.returncode != 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise RuntimeError(
                f"Geheimhaltung: Rechenprozess {i + 1} beendet mit Status {proc.returncode}"
                + (f": {tail[0]}" if tail else "")
            )
        for j, result in enumerate(pickle.loads(out)):
            solved[i + j * workers] = result
    return solved


def _worker_main() -> None:
    """Child side: a pickled list of tasks on stdin, the pickled results on stdout."""
    die_with_parent()
    tasks = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps([_solve(t) for t in tasks]))
    sys.stdout.buffer.flush()


# --- cache -------------------------------------------------------------------------------


def _cached(cache_dir: Path | None, digest: str) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    if cache_dir is None:
        return None
    cells_file, log_file = _files(cache_dir, digest)
    try:
        return _frame(cells_file.read_bytes()), _frame(log_file.read_bytes())
    except (OSError, pl.exceptions.PolarsError):
        return None  # missing or half-written (a killed run): solve again


def _store(cache_dir: Path | None, digest: str, cells_ipc: bytes, log_ipc: bytes) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(cache_dir, 0o700)
    for path, data in zip(_files(cache_dir, digest), (cells_ipc, log_ipc), strict=True):
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a reader sees the whole file or none


def _prune(cache_dir: Path | None, keep: set[str]) -> None:
    """Deletes the solved systems no run needs any more, and temporary files a killed run
    left; other files of the folder are not the systems' (the reader attacker's recast
    answers, `pipelines.disclosure.reader.RECAST_MEMO`, prune themselves)."""
    if cache_dir is None or not cache_dir.exists():
        return
    for p in cache_dir.iterdir():
        own = p.name.endswith(".arrow") or (p.name.startswith(".") and ".arrow." in p.name)
        if own and p.name.split(".")[0] not in keep:
            p.unlink(missing_ok=True)


def _files(cache_dir: Path, digest: str) -> tuple[Path, Path]:
    return cache_dir / f"{digest}.zellen.arrow", cache_dir / f"{digest}.log.arrow"


# --- helpers -----------------------------------------------------------------------------


def _frame(data: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(data))


def _code_digest() -> str:
    """The solver's source: a changed rule must not reuse results of the old one."""
    return rules_digest(Path(__file__).resolve())


if __name__ == "__main__":
    _worker_main()
