"""Session fixtures: publish.duckdb files built once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from report_fixture import build_publish_db


@pytest.fixture(scope="session")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_publish_db(tmp_path_factory.mktemp("example") / "publish.duckdb")


@pytest.fixture(scope="session")
def grid_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_publish_db(tmp_path_factory.mktemp("grid") / "publish.duckdb", layout="grid")
