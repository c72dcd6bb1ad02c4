"""Hamburg's real data through the whole pipeline reproduce the published shares.

Not collected by `make test` (no `test_` prefix): `.ci/clone_check` runs
`sozialmonitor demo --real hamburg` in a fresh clone and then this file on that demo's
warehouse (SOZIALMONITOR_HAMBURG_DEMO), so the full run happens once in CI, not twice.
Run by hand without the variable, it builds the warehouse itself:
`pytest -n 0 tests/profiles/hamburg_demo_check.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REALDATA, query

pytestmark = pytest.mark.skipif(not REALDATA.exists(), reason="data/realdata fehlt")


@pytest.fixture(scope="module")
def hamburg_warehouse(tmp_path_factory) -> Path:
    given = os.environ.get("SOZIALMONITOR_HAMBURG_DEMO")
    if given:
        return Path(given)
    from pipelines.profiles import city_config, real_landing
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("hamburg_voll")
    landing = real_landing("hamburg", root / "landing")
    outcome = run_pipeline(landing, root / "wh", city_config("hamburg"))
    assert outcome.exit_code == 0, (outcome.failed_steps, outcome.failed_checks)
    return root / "wh"


def test_hamburg_full_run_reproduces_published_shares(hamburg_warehouse):
    from pipelines.sozialindex import round_half_away

    wh = hamburg_warehouse
    assert (wh / "publish.duckdb").stat().st_size > 0
    q = query(wh / "quarantine.duckdb", "select count(*) from quarantaene")[0][0]
    assert q == 0
    city = dict(
        query(
            wh / "warehouse.duckdb",
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
    assert (wh / "reports").exists()
