"""The Dagster asset graph, pinned: lineage changes show up in review as a snapshot diff.

Regenerate after an intended change: SOZIALMONITOR_SNAPSHOT_UPDATE=1 uv run pytest tests/test_asset_graph.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


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


def test_asset_graph_matches_snapshot():
    graph = _graph()
    if os.environ.get("SOZIALMONITOR_SNAPSHOT_UPDATE") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(
            json.dumps(graph, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


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
    assert graph["raw/sgb2"]["partitioned"]
    assert "zeilenbilanz" in graph["raw/sgb12"]["checks"]
