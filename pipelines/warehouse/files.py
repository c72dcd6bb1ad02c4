"""Where things live inside a warehouse folder (docs/outputs.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WarehousePaths:
    root: Path

    @property
    def warehouse_db(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def quarantine_db(self) -> Path:
        return self.root / "quarantine.duckdb"

    @property
    def publish_db(self) -> Path:
        return self.root / "publish.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.root / "parquet"

    @property
    def excel_dir(self) -> Path:
        return self.root / "excel"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def disclosure_cache(self) -> Path:
        """Results of disclosure control per (table, period), reused while their input holds."""
        return self.root / "zwischenspeicher" / "geheimhaltung"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def lock_file(self) -> Path:
        return self.root / ".schreibsperre"

    def ensure(self) -> WarehousePaths:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)  # quarantine and unsuppressed marts: owner only
        return self
