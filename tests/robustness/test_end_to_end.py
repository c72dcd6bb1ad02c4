"""Exit codes through the real pipeline (Dagster, ingest only): rejected files -> 3, quarantine -> 0."""

from __future__ import annotations

import shutil

from tests.conftest import EXAMPLES
from tests.robustness._corpus import by_name
from tests.robustness.conftest import Case, raw_snapshot


def _landing(tmp_path, *hostile_names) -> Case:
    case = Case(tmp_path / "landing", tmp_path / "warehouse")
    shutil.copytree(EXAMPLES, case.landing)
    for name in hostile_names:
        by_name(name).build(case)
    return case


def test_exit_codes_for_rejections_and_quarantine(tmp_path):
    from pipelines.runner import run_pipeline

    # quarantine only: exit 0
    case = _landing(tmp_path / "a", "anzahl_negativ")
    out = run_pipeline(case.landing, case.warehouse, ingest_only=True)
    assert out.exit_code == 0, out
    assert out.rejected_files == []

    # rejected files (incl. one of a kind without any valid file, refused before reading)
    case = _landing(tmp_path / "b", "spalte_fehlt", "gebiete_zyklus", "periode_zukunft")
    shutil.rmtree(case.landing / "bewegungen")
    case.write("bewegungen/bewegungen_2024-xx.csv", "jahr;gebiet_id;art;anzahl\n")
    out = run_pipeline(case.landing, case.warehouse, ingest_only=True)
    assert out.exit_code == 3, out
    rejected = dict(out.rejected_files)
    assert rejected["einwohner/einwohner_2024-06-30.csv"].startswith("spalte_fehlt")
    assert rejected["reference/gebiete.csv"].startswith("referenz_ungueltig")
    assert rejected["einwohner/einwohner_2099-12-31.csv"].startswith("periode_zukunft")
    assert rejected["bewegungen/bewegungen_2024-xx.csv"].startswith("dateiname_ungueltig")
    # the rejected area hierarchy left nothing behind: no areas, so every count is quarantined
    assert raw_snapshot(case.warehouse_db)["gebiete"] == []
