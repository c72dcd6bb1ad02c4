"""Fixtures for the contract tests."""

from __future__ import annotations

import polars as pl
import pytest

from tests.contracts._examples import EXAMPLE_FILES, example_frame


@pytest.fixture(scope="session")
def example_frames() -> dict[str, pl.DataFrame]:
    kinds = [*EXAMPLE_FILES, "sgb2"]
    return {kind: example_frame(kind) for kind in kinds}
