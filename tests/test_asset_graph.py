"""The Dagster asset graph and its automation (jobs, schedules, sensors), pinned: lineage
changes show up in review as a snapshot diff.

What the registry of delivery kinds derives (one `landing/<folder>` and `raw/<kind>` asset
and one `laden_<kind>` job per kind) is not pinned kind by kind but checked against the
registry here, so adding a kind changes no snapshot (tests/test_registry_complete.py checks
that each kind has its places); a node that depends on every raw table shows that as
`raw/<jede Lieferart>`.

Regenerate after an intended change: SOZIALMONITOR_SNAPSHOT_UPDATE=1 uv run pytest tests/test_asset_graph.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
AUTOMATION = Path(__file__).parent / "snapshots" / "automation.json"


def _graph() -> dict:
    from pipelines.definitions import build_defs

    defs = build_defs()
    graph = defs.resolve_asset_graph()
    out = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        out[key.to_user_string()] = {
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "group": node.group_name,
            "partitioned": node.partitions_def is not None,
            "checks": sorted(c.name for c in node.check_keys),
        }
    return out


ALL_RAW = "raw/<jede Lieferart>"
ALL_LOADS = "laden_<jede Lieferart mit Zeitraum>"
ALL_REFERENCES = "raw/<jede Referenzart>"


def _derived() -> tuple[set[str], set[str]]:
    from pipelines.deliveries.registry import ALL_KINDS, FOLDERS

    return {f"raw/{k}" for k in ALL_KINDS}, {f"landing/{f}" for f in FOLDERS}


def _pinned(graph: dict) -> dict:
    raw, landing = _derived()
    out = {}
    for key, node in graph.items():
        if key in raw | landing:
            continue
        deps = set(node["deps"])
        if raw <= deps:
            deps = (deps - raw) | {ALL_RAW}
        out[key] = {**node, "deps": sorted(deps)}
    return out


def test_registry_assets_follow_the_registry():
    from pipelines.defs.ingest.assets import CHECK_NAMES
    from pipelines.deliveries.registry import ALL_KINDS, FOLDERS, REFERENCE_KINDS

    graph = _graph()
    raw, landing = _derived()
    assert {k for k, n in graph.items() if n["group"] in ("raw", "landing")} == raw | landing
    for folder in FOLDERS:
        node = graph[f"landing/{folder}"]
        assert node == {"deps": [], "group": "landing", "partitioned": False, "checks": []}
    references = sorted(f"raw/{k}" for k in REFERENCE_KINDS)
    anchor = next(iter(REFERENCE_KINDS))  # the reference run's checks hang on gebiete
    for name, kind in ALL_KINDS.items():
        period = kind.period_kind is not None
        assert graph[f"raw/{name}"] == {
            "deps": sorted([f"landing/{kind.folder}", *(references if period else [])]),
            "group": "raw",
            "partitioned": False,
            "checks": sorted(CHECK_NAMES) if period or name == anchor else [],
        }, name


def test_asset_graph_matches_snapshot():
    graph = _pinned(_graph())
    if os.environ.get("SOZIALMONITOR_SNAPSHOT_UPDATE") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(
            json.dumps(graph, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def _automation() -> dict:
    """Jobs (their assets), schedules (job, time) and sensors (the jobs they start, and for
    the run-status sensor the jobs it watches)."""
    from pipelines.definitions import build_defs
    from pipelines.defs.schedules import CYCLES
    from pipelines.defs.sensors import MONITORED_JOBS, nach_dem_laden
    from pipelines.deliveries.registry import PERIOD_KINDS, REFERENCE_KINDS

    repo = build_defs().get_repository_def()
    raw, _ = _derived()
    loads = {f"laden_{k}" for k in PERIOD_KINDS}
    jobs = {}
    for j in repo.get_all_jobs():
        selected = {k.to_user_string() for k in j.asset_layer.selected_asset_keys}
        if j.name in loads:  # one job per period kind, loading exactly its raw table
            assert selected == {f"raw/{j.name.removeprefix('laden_')}"}, j.name
        elif j.name == "referenzdaten":
            assert selected == {f"raw/{k}" for k in REFERENCE_KINDS}
            jobs[j.name] = [ALL_REFERENCES]
        elif not j.name.startswith("__"):
            jobs[j.name] = sorted(selected - raw | ({ALL_RAW} if raw <= selected else set()))
    assert loads <= {j.name for j in repo.get_all_jobs()}
    schedules = {}
    for s in repo.schedule_defs:
        if s.name in CYCLES:  # a load cycle (the weekly test job loads nothing)
            kinds = set(CYCLES[s.name])
            assert kinds == {
                k for k in PERIOD_KINDS if s.name in PERIOD_KINDS[k].contract().schedules
            }
        schedules[s.name] = {
            "job": s.job_name,
            "cron": s.cron_schedule,
            "zeitzone": s.execution_timezone,
            "an": s.default_status.value,
        }
    sensors = {}
    for s in repo.sensor_defs:
        targets = {t.job_name for t in s.targets}
        if loads <= targets:
            targets = (targets - loads) | {ALL_LOADS}
        sensors[s.name] = {"an": s.default_status.value, "jobs": sorted(targets)}
        if s.name == nach_dem_laden.name:
            watched = {j.name for j in MONITORED_JOBS}
            if loads <= watched:
                watched = (watched - loads) | {ALL_LOADS}
            sensors[s.name]["beobachtet"] = sorted(watched)
    return {"jobs": jobs, "schedules": schedules, "sensors": sensors}


def test_jobs_schedules_and_sensors_match_snapshot():
    automation = _automation()
    if os.environ.get("SOZIALMONITOR_SNAPSHOT_UPDATE") or not AUTOMATION.exists():
        AUTOMATION.write_text(
            json.dumps(automation, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert automation == json.loads(AUTOMATION.read_text(encoding="utf-8"))


def test_one_lineage_from_landing_to_report():
    graph = _graph()
    children: dict[str, set[str]] = {}
    for key, node in graph.items():
        for dep in node["deps"]:
            children.setdefault(dep, set()).add(key)

    def reaches(src: str, dst: str) -> list[str] | None:
        stack = [(src, [src])]
        seen = set()
        while stack:
            cur, path = stack.pop()
            if cur == dst:
                return path
            for nxt in children.get(cur, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    for landing in ("landing/sgb2", "landing/sgb12", "landing/einwohner", "landing/sgb8"):
        path = reaches(landing, "report/sozialbericht")
        assert path, landing
        layers = [p.split("/")[0] for p in path]
        assert layers[0] == "landing" and "raw" in layers and "staging" in layers
        assert "marts" in layers and "publish" in layers and layers[-1] == "report"
    assert not graph["raw/sgb2"]["partitioned"]  # periods are run config (plan.py)
    assert "zeilenbilanz" in graph["raw/sgb12"]["checks"]


def test_a_new_population_delivery_updates_projection_and_planning():
    """Issue 14: the monthly path after a new `einwohner` delivery builds the projection,
    its back-test and the Bedarfsplanung, then publish and report; one more SGB II month
    leaves the projection as it is."""
    from pipelines.definitions import build_defs
    from pipelines.defs.plan import depending_on

    repository = build_defs().get_repository_def()
    assets = list(repository.assets_defs_by_key.values())

    def selected(kind: str) -> set[str]:  # as BuildPlan.asset_keys resolves it for a run
        keys = depending_on(assets, {kind}).resolve(repository.asset_graph)
        return {k.to_user_string() for k in keys}

    forward = {"marts/bevoelkerungsprognose", "marts/prognose_guete", "marts/bedarfsplanung"}
    after_population = selected("einwohner")
    assert forward <= after_population, forward - after_population
    assert {"publish/bedarfsplanung", "report/sozialbericht"} <= after_population
    assert not forward & selected("sgb2")
