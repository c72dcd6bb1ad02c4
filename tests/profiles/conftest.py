"""Real landing folders for Berlin and Hamburg, built once per session from the public files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.profiles import city_config, discover_profiled, real_landing

REALDATA = Path(__file__).resolve().parents[2] / "data" / "realdata"


@pytest.fixture(scope="session")
def berlin(tmp_path_factory):
    landing = real_landing("berlin", tmp_path_factory.mktemp("berlin"))
    config = load_config(city_config("berlin"))
    return landing, config, discover_profiled(landing, config)


@pytest.fixture(scope="session")
def hamburg(tmp_path_factory):
    landing = real_landing("hamburg", tmp_path_factory.mktemp("hamburg"))
    config = load_config(city_config("hamburg"))
    return landing, config, discover_profiled(landing, config)


@pytest.fixture(scope="session")
def berlin_ingest(tmp_path_factory):
    """The Berlin register 2001–2020 through `run` (ingest only), once per session."""
    from pipelines.runner import run_pipeline

    landing = real_landing("berlin", tmp_path_factory.mktemp("berlin_run") / "landing")
    warehouse = tmp_path_factory.mktemp("berlin_wh")
    outcome = run_pipeline(landing, warehouse, city_config("berlin"), ingest_only=True)
    return landing, warehouse, outcome
