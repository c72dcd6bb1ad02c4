"""The one resource every asset uses: where the landing folder and the warehouse are."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.config import load_config
from pipelines.warehouse.files import WarehousePaths

LANDING_ENV = "SOZIALMONITOR_LANDING"
WAREHOUSE_ENV = "SOZIALMONITOR_WAREHOUSE"
CONFIG_ENV = "SOZIALMONITOR_CONFIG"


class Sozialmonitor(dg.ConfigurableResource):
    landing_dir: str
    warehouse_dir: str
    config_file: str | None = None

    def paths(self) -> WarehousePaths:
        return WarehousePaths(Path(self.warehouse_dir))

    def landing(self) -> Path:
        return Path(self.landing_dir)

    def config(self) -> dict:
        return load_config(Path(self.config_file) if self.config_file else None)


def resource_from_env() -> Sozialmonitor:
    return Sozialmonitor(
        landing_dir=os.environ.get(LANDING_ENV, str(Path.cwd() / "demo" / "landing")),
        warehouse_dir=os.environ.get(WAREHOUSE_ENV, str(Path.cwd() / "demo" / "warehouse")),
        config_file=os.environ.get(CONFIG_ENV) or None,
    )
