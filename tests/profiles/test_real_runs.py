"""Both real cities through `sozialmonitor run` (the same code path as any delivery)."""

from __future__ import annotations

import pytest

from tests.conftest import REALDATA, query

pytestmark = pytest.mark.skipif(not REALDATA.exists(), reason="data/realdata fehlt")


@pytest.mark.xdist_group("berlin")
def test_berlin_register_loads_without_unexpected_quarantine(berlin_ingest):
    _, warehouse, outcome = berlin_ingest
    assert outcome.exit_code == 0, (outcome.failed_steps, outcome.rejected_files)
    db = warehouse / "warehouse.duckdb"
    loads = query(
        db, "select datei, zeilen_quarantaene from audit.loads where quelle = 'einwohner'"
    )
    assert len(loads) == 20 and all(q == 0 for _, q in loads)
    # the original files are audited, not a converted copy
    assert all(d.startswith("berlin-ewr/EWR") for d, _ in loads)
    # 31.12.2020: Berlin had about 3.66 million registered inhabitants
    total = query(db, "select sum(anzahl) from raw.einwohner where stichtag = '2020-12-31'")[0][0]
    assert 3_600_000 < total < 3_800_000
    assert query(db, "select count(*) from raw.gebiete_geometrie")[0][0] >= 447


def test_hamburg_loads_through_run_without_quarantine(tmp_path):
    """The Hamburg profile's files through `run` (ingest only). The full run with the
    published shares reproduced is hamburg_demo_check.py: CI runs it on the warehouse of
    `.ci/clone_check`'s `sozialmonitor demo --real hamburg` (the same full run, once)."""
    from pipelines.profiles import city_config, real_landing
    from pipelines.runner import run_pipeline

    landing = real_landing("hamburg", tmp_path / "landing")
    outcome = run_pipeline(landing, tmp_path / "wh", city_config("hamburg"), ingest_only=True)
    assert outcome.exit_code == 0, (outcome.failed_steps, outcome.rejected_files)
    q = query(tmp_path / "wh" / "quarantine.duckdb", "select count(*) from quarantaene")[0][0]
    assert q == 0
    loads = query(
        tmp_path / "wh" / "warehouse.duckdb",
        "select quelle, zeilen_geladen, zeilen_quarantaene from audit.loads order by all",
    )
    assert {"einwohner", "sgb2"} <= {quelle for quelle, _, _ in loads}, loads
    assert all(geladen > 0 and q == 0 for _, geladen, q in loads), loads


def test_the_full_hamburg_run_is_checked_in_ci():
    """hamburg_demo_check.py is not collected by `make test`: CI's clone check runs it on
    the Hamburg demo's warehouse, so it cannot drop out of every run unnoticed."""
    from tests.conftest import REPO

    script = (REPO / ".ci" / "clone_check").read_text(encoding="utf-8")
    assert "sozialmonitor demo --real hamburg" in script
    assert 'SOZIALMONITOR_HAMBURG_DEMO="$tmp/demo/warehouse_hamburg"' in script
    assert "tests/profiles/hamburg_demo_check.py" in script
    assert (REPO / "tests" / "profiles" / "hamburg_demo_check.py").exists()
