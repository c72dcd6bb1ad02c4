"""One small synthetic city per test session (generation takes about a second)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.synthetic import generate


@pytest.fixture(scope="session")
def small_city(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("synthetic_small")
    manifest = generate(root, scale="small", seed=7, defects=True)
    return root, manifest


@pytest.fixture(scope="session")
def manifest_on_disk(small_city) -> dict:
    root, _ = small_city
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))
