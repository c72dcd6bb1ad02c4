"""The atlas's data bundle: exactly the published cells, from publish.duckdb alone."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb

from pipelines.atlas import build_atlas, render_page
from pipelines.atlas.bundle import build_bundle, cell


def _embedded(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="atlas-daten">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def test_cell_encoding():
    assert cell({"wert": 12.3456, "symbol": None}, 1) == 12.346
    assert cell({"wert": 4.0, "symbol": None}, 0) == 4
    assert cell({"wert": 0.0, "symbol": "-"}, 1) == "-"
    assert cell({"wert": None, "symbol": "*"}, 1) == "*"
    assert cell({"wert": None, "symbol": "/", "untergrenze": 20.41, "obergrenze": 20.62}, 1) == [
        "/",
        20.41,
        20.62,
    ]
    assert cell({"wert": None, "symbol": "/"}, 1) == "/"


def test_bundle_holds_every_published_cell_of_todays_areas(small_city):
    bundle = build_bundle(small_city.publish_db)
    con = duckdb.connect(str(small_city.publish_db), read_only=True)
    try:
        rows = con.execute(
            "select indikator_id, i.gebiet_id, i.ebene, strftime(periode, '%Y-%m-%d'), wert, "
            "symbol, untergrenze, obergrenze from indikatoren i join gebiete g "
            "on g.gebiet_id = i.gebiet_id and g.ist_aktuell"
        ).fetchall()
    finally:
        con.close()
    indicators = {i["id"]: i for i in bundle["indikatoren"]}
    columns = {lv["id"]: lv["gebiete"] for lv in bundle["ebenen"]}
    assert rows
    for ind, gid, level, periode, wert, symbol, low, high in rows:
        entry = indicators[ind]
        got = entry["werte"][level][entry["perioden"].index(periode)][columns[level].index(gid)]
        if symbol == "/":
            assert got == "/" or (
                got[0] == "/" and abs(got[1] - low) < 1e-3 and abs(got[2] - high) < 1e-3
            )
        elif symbol:
            assert got == symbol, (ind, gid, periode)
        else:
            assert abs(got - wert) <= 10 ** -(entry["dezimalen"] + 2), (ind, gid, periode)
    # the map: one path and one label point per area of every level below the city
    for level, geo in bundle["karte"]["ebenen"].items():
        assert set(geo["pfade"]) == set(columns[level]) == set(geo["punkte"])
        assert all(d.startswith("M") and d.endswith("Z") for d in geo["pfade"].values())
    assert bundle["stadt_id"] in columns[bundle["ebenen"][0]["id"]]
    interpretations = [i["interpretation"] for i in bundle["indikatoren"]]
    assert all(interpretations), "Interpretationshinweis fehlt im Katalog"


def test_atlas_needs_only_the_published_file(small_city, tmp_path: Path):
    """A lone copy of publish.duckdb is enough: nothing of the warehouse is read."""
    lone = tmp_path / "nur_publish"
    lone.mkdir()
    shutil.copy2(small_city.publish_db, lone / "publish.duckdb")
    path = build_atlas(lone / "publish.duckdb", tmp_path / "wh")
    assert path == tmp_path / "wh" / "atlas" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert str(small_city.warehouse) not in html and str(tmp_path) not in html
    assert _embedded(html)["bericht"].startswith("../reports/sozialbericht_")
    assert path.stat().st_size < 2_000_000
    # the pipeline's own atlas is the same page (up to the creation date)
    built = (small_city.warehouse / "atlas" / "index.html").read_text(encoding="utf-8")
    assert _embedded(built) == _embedded(html)


def test_embedded_json_cannot_close_the_script():
    bundle = {
        "stadt": "A</script><script>alert(1)</script>",
        "bericht": None,
        "indikatoren": [],
        "ebenen": [],
        "gebiete": {},
        "karte": None,
    }
    html = render_page(bundle, date(2025, 1, 2))
    assert "</script><script>alert" not in html
    assert _embedded(html)["stadt"] == bundle["stadt"]
    assert "erzeugt am 02.01.2025" in html
