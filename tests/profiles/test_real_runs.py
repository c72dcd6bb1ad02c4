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


def test_hamburg_full_run_reproduces_published_shares(tmp_path):
    from pipelines.profiles import city_config, real_landing
    from pipelines.runner import run_pipeline
    from pipelines.sozialindex import round_half_away

    landing = real_landing("hamburg", tmp_path / "landing")
    outcome = run_pipeline(landing, tmp_path / "wh", city_config("hamburg"))
    assert outcome.exit_code == 0, (outcome.failed_steps, outcome.failed_checks)
    q = query(tmp_path / "wh" / "quarantine.duckdb", "select count(*) from quarantaene")[0][0]
    assert q == 0
    city = dict(
        query(
            tmp_path / "wh" / "warehouse.duckdb",
            "select indikator_id, wert from marts.indikatoren i join marts.gebiete g using (gebiet_id) "
            "where g.ebene_rang = 0 and i.aktueller_gebietsstand",
        )
    )
    # Statistikamt Nord, Stadtteil-Profile 2014: the published one-decimal values of the
    # row "Hamburg" (columns: Bevölkerung; unter 18; Anteil; 65 und älter; Anteil; Ausländer; Anteil)
    text = (
        REALDATA / "hamburg-stadtteilprofile-2014" / "Daten_fuer_die_Stadtteilprofile_2014.csv"
    ).read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("Hamburg;")).split(";")
    share = lambda i: float(row[i].strip().replace(",", "."))  # noqa: E731
    assert round_half_away(city["anteil_u18"], 1) == share(3)
    assert round_half_away(city["anteil_65plus"], 1) == share(5)
    assert round_half_away(city["anteil_nichtdeutsch"], 1) == share(7)
    # SGB II share over the total population (Hamburg's variant, config sgb2_quote_nenner: gesamt)
    assert round_half_away(city["sgb2_quote"], 1) == 10.0
    assert (tmp_path / "wh" / "reports").exists()
