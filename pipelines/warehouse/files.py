"""Where things live inside a warehouse folder (docs/outputs.md)."""

from __future__ import annotations

import os
import stat
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
        owner_only()
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)  # quarantine and unsuppressed marts: owner only
        _restrict_tree(self.root)
        return self


def owner_only() -> None:
    """Everything this process creates from now on is owner-only (files 0600, folders 0700).

    DuckDB, Dagster (SQLite, event and compute logs), dbt and polars create their files
    with the process umask; one umask covers them all, child processes (dbt, disclosure
    workers, `dagster dev`) included.
    """
    os.umask(0o077)


_RESTRICTED: set[str] = set()


def _restrict_tree(root: Path) -> None:
    """Take group and other rights off what an older version left in the warehouse folder."""
    key = str(root.resolve())
    if key in _RESTRICTED:
        return
    _RESTRICTED.add(key)
    restrict_tree(root)


def restrict_tree(root: Path) -> None:
    """Owner-only rights for everything below `root` (files copied with their source's mode)."""
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
