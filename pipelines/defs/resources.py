"""The one resource every asset uses: where the landing folder and the warehouse are.

It also holds the writer lock for the length of a run: every job, whether started by
`sozialmonitor run`, from the UI, by the sensor or by a schedule, writes the warehouse
only while it holds `.schreibsperre` (all jobs run in one process, see definitions.py).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from pipelines.config import load_config
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.lock import run_lock

LANDING_ENV = "SOZIALMONITOR_LANDING"
WAREHOUSE_ENV = "SOZIALMONITOR_WAREHOUSE"
CONFIG_ENV = "SOZIALMONITOR_CONFIG"
# how long a run from the UI, sensor or schedule waits for a running writer (e.g. a
# `sozialmonitor run` from cron) before it fails with the lock holder named
LOCK_WAIT_ENV = "SOZIALMONITOR_SPERRE_WARTEN"
# "0" switches the report's PDF off (the test suite's many pipeline runs; a server without
# Chromium needs nothing: the asset then writes the HTML and says why the PDF is missing)
PDF_ENV = "SOZIALMONITOR_BERICHT_PDF"


class Sozialmonitor(dg.ConfigurableResource):
    landing_dir: str
    warehouse_dir: str
    config_file: str | None = None
    lock_wait_seconds: float = 1800.0
    # landing files whose unusual volume is confirmed (`run --bestaetigen`), besides the
    # landing folder's bestaetigungen.txt
    confirmations: list[str] = []
    # the Sozialbericht also as PDF (headless Chromium)
    report_pdf: bool = True

    _lock: contextlib.ExitStack | None = PrivateAttr(default=None)

    def paths(self) -> WarehousePaths:
        return WarehousePaths(Path(self.warehouse_dir))

    def landing(self) -> Path:
        return Path(self.landing_dir)

    def config(self) -> dict:
        return load_config(Path(self.config_file) if self.config_file else None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.run is None:  # a sensor's evaluation only reads: no writer lock
            return
        paths = self.paths().ensure()
        run_id = context.run.run_id if context.run else ""
        stack = contextlib.ExitStack()
        stack.enter_context(
            run_lock(paths.lock_file, self.lock_wait_seconds, f"Dagster-Lauf {run_id[:8]}")
        )
        self._lock = stack

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def resource_from_env(confirmations: tuple[str, ...] | list[str] = ()) -> Sozialmonitor:
    """The resource of the UI's code location, whose settings come from the environment
    (`sozialmonitor ui` sets it; Dagster's way to configure a deployment). The one place
    that reads them: assets, sensors and schedules get the resource, `run` builds its own
    from its arguments (`runner.run_pipeline`)."""
    return Sozialmonitor(
        landing_dir=os.environ.get(LANDING_ENV, str(Path.cwd() / "demo" / "landing")),
        warehouse_dir=os.environ.get(WAREHOUSE_ENV, str(Path.cwd() / "demo" / "warehouse")),
        config_file=os.environ.get(CONFIG_ENV) or None,
        lock_wait_seconds=float(os.environ.get(LOCK_WAIT_ENV) or 1800),
        confirmations=list(confirmations),
        report_pdf=report_pdf_from_env(),
    )


def report_pdf_from_env() -> bool:
    """`SOZIALMONITOR_BERICHT_PDF=0` switches the PDF off, for `run` and the UI alike."""
    return os.environ.get(PDF_ENV, "1") != "0"
