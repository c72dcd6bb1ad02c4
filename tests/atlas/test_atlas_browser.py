"""The Sozialatlas in a real browser: Playwright (Python) driving the Debian Chromium.

The atlas is the one the real pipeline wrote (`small_city`: Dagster asset `report/sozialatlas`
after publish). Every request that is not a local file fails the test; screenshots are kept
under the test's tmp folder and copied to var/artifacts/ (git-ignored) for a look by eye.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.atlas import build_atlas

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "var" / "artifacts"

if not Path(CHROMIUM).exists():  # skipped on a developer machine, never in CI
    if os.environ.get("CI"):
        pytest.fail("chromium fehlt in CI: make browser installiert es", pytrace=False)
    pytest.skip("chromium fehlt (apt-get install -y chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

# fills of the map's areas, keyed by area
FILLS = "() => Object.fromEntries([...document.querySelectorAll('#karte .gebiet')]" \
    ".map(p => [p.dataset.gebiet, p.getAttribute('fill')]))"  # fmt: skip
SERIES = "() => [...document.querySelectorAll('#zeitreihe .linie')].map(g => ({" \
    "gebiet: g.dataset.gebiet, cls: g.getAttribute('class'), " \
    "points: [...g.querySelectorAll('polyline')].map(l => l.getAttribute('points')).join(' ')}))"  # fmt: skip


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _german(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


@pytest.fixture(scope="module")
def page_env(small_city, tmp_path_factory):
    atlas = small_city.warehouse / "atlas" / "index.html"
    assert atlas.exists(), "die Pipeline hat keinen Sozialatlas geschrieben"
    shots = tmp_path_factory.mktemp("atlas_screenshots")
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )

        def route(r):
            url = r.request.url
            if url.startswith(("file://", "data:", "blob:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        context.route("**/*", route)
        context.on(
            "request",
            lambda req: (
                None if req.url.startswith(("file:", "data:", "blob:")) else outside.append(req.url)
            ),
        )
        page = context.new_page()
        page.on(
            "console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        started = time.monotonic()
        page.goto(atlas.as_uri())
        page.wait_for_selector("body[data-bereit='1']")
        load_s = time.monotonic() - started
        yield dict(
            page=page, atlas=atlas, db=small_city.publish_db, shots=shots, outside=outside,
            errors=errors, load_s=load_s, browser=browser, route=route,
        )  # fmt: skip
        context.close()
        browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for png in shots.glob("*.png"):
        shutil.copy2(png, ARTIFACTS / png.name)


def _shot(env, name: str) -> Path:
    path = env["shots"] / f"sozialatlas_{name}.png"
    env["page"].screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
    return path


def test_atlas_loads_fast_from_disk_without_network(page_env):
    page = page_env["page"]
    # Navigation to first complete render, as the page measures it itself
    ready_ms = page.evaluate("window.atlasLadezeit")
    assert ready_ms < 2000, ready_ms
    assert page_env["load_s"] < 2.0, page_env["load_s"]
    assert page.title().startswith("Sozialatlas ")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#karte .gebiet").count() > 5
    _shot(page_env, "start")


def test_indicator_and_period_change_the_map(page_env):
    page, db = page_env["page"], page_env["db"]
    page.select_option("#indikator", "sgb2_quote")
    page.select_option("#ebene", index=page.locator("#ebene option").count() - 1)
    before = page.evaluate(FILLS)
    title_before = page.inner_text("#karte-titel")
    page.select_option("#indikator", "sgb2_kinderarmut")
    after = page.evaluate(FILLS)
    assert after.keys() == before.keys()
    assert sum(before[k] != after[k] for k in before) >= 3, "Karte ändert sich nicht"
    assert "Kinder unter 15" in page.inner_text("#karte-titel") and title_before != page.inner_text(
        "#karte-titel"
    )
    # an earlier period with values: other values, other colours
    level = page.input_value("#ebene")
    counts = dict(
        _rows(
            db,
            "select strftime(periode, '%Y-%m-%d'), count(wert) from indikatoren "
            f"where indikator_id = 'sgb2_kinderarmut' and ebene = '{level}' group by 1",
        )
    )
    current = page.input_value("#periode")
    older = min(p for p, n in counts.items() if n >= 5 and p < current)
    page.select_option("#periode", older)
    fills_older = page.evaluate(FILLS)
    assert sum(fills_older[k] != after[k] for k in fills_older) >= 3
    assert page.inner_text("#karte-titel").endswith(f"{older[8:10]}.{older[5:7]}.{older[:4]}")
    # the colours are the legend's classes, and the legend sets apart what has no value
    classes = page.eval_on_selector_all(
        "#legende .klassen li", "ls => ls.map(l => l.dataset.farbe)"
    )
    valued = [p for p in page.locator("#karte .gebiet").all() if p.get_attribute("data-wert")]
    assert len(classes) >= 3 and valued
    assert all(p.get_attribute("fill") in classes for p in valued)
    symbols = {
        r[0]
        for r in _rows(
            db,
            "select distinct symbol from indikatoren where indikator_id = 'sgb2_kinderarmut' "
            f"and periode = date '{older}' and ebene = '{level}' "
            "and symbol in ('*', '.', '/', 'x')",
        )
    }
    shown = set(
        page.eval_on_selector_all("#legende .ohne-wert li", "ls => ls.map(l => l.dataset.zeichen)")
    )
    assert "none" in shown  # "keine Daten" always, apart from the symbols
    assert symbols <= shown, (symbols, shown)
    # a period where nothing is published: no classes, every area the grey of "."
    blank = [p for p, n in counts.items() if n == 0]
    if blank:
        page.select_option("#periode", blank[0])
        assert page.locator("#legende .klassen li").count() == 0
        assert set(page.evaluate(FILLS).values()) <= {"#c8c8c8", "url(#f-keine)"}
        assert "." in page.eval_on_selector_all(
            "#legende .ohne-wert li", "ls => ls.map(l => l.dataset.zeichen)"
        )
        page.select_option("#periode", older)
    _shot(page_env, "indikator_und_stichtag")


def test_click_area_shows_profile_and_series(page_env):
    page, db = page_env["page"], page_env["db"]
    page.select_option("#indikator", "sgb2_quote")
    page.select_option("#periode", index=0)
    level = page.input_value("#ebene")
    areas = [p for p in page.locator("#karte .gebiet").all() if p.get_attribute("data-wert")]
    first, second = areas[0].get_attribute("data-gebiet"), areas[-1].get_attribute("data-gebiet")
    page.click(f"#gebiet-{first}")
    name = _rows(db, f"select name from gebiete where gebiet_id = '{first}' and ist_aktuell")[0][0]
    assert name in page.inner_text("#profil-name")
    series_one = page.evaluate(SERIES)
    mine = next(s for s in series_one if s["gebiet"] == first)
    assert "auswahl" in mine["cls"] and mine["points"].count(",") > 3
    # the profile's value of the indicator is the published one
    periode = page.input_value("#periode")
    wert = _rows(
        db,
        "select wert from indikatoren where indikator_id = 'sgb2_quote' "
        f"and gebiet_id = '{first}' and ebene = '{level}' and periode = date '{periode}'",
    )[0][0]
    row = page.locator("#profil-inhalt tr[data-indikator='sgb2_quote'] td").first.inner_text()
    assert row == _german(wert, 1) + " %"
    page.click(f"#gebiet-{second}")
    assert second in page.inner_text("#profil-name")
    series_two = page.evaluate(SERIES)
    assert next(s for s in series_two if s["gebiet"] == second)["points"] != mine["points"]
    assert page.locator("#karte .markierung path.auswahl").count() == 1
    _shot(page_env, "profil_und_zeitreihe")


def test_keyboard_reaches_and_selects_areas(page_env):
    page = page_env["page"]
    page.focus("#csv")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('class')")
    assert focused == "gebiet"
    target = page.evaluate("document.activeElement.dataset.gebiet")
    width = page.evaluate("getComputedStyle(document.activeElement).strokeWidth")
    assert width == "3.5px"  # visible focus
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert ":" in label
    page.keyboard.press("Enter")
    assert target in page.inner_text("#profil-name")
    page.keyboard.press("Tab")
    other = page.evaluate("document.activeElement.dataset.gebiet")
    page.keyboard.press(" ")
    assert other in page.inner_text("#profil-name")
    assert page.evaluate("document.activeElement.getAttribute('aria-pressed')") == "true"
    _shot(page_env, "tastatur")


def test_compare_two_or_three_areas(page_env):
    page = page_env["page"]
    ids = [p.get_attribute("data-gebiet") for p in page.locator("#karte .gebiet").all()][:4]
    for gid in ids[:3]:
        page.click(f"#gebiet-{gid}")
        page.click("#vergleichen")
    heads = page.eval_on_selector_all(
        "#vergleich-inhalt thead th", "ts => ts.map(t => t.textContent)"
    )
    assert len(heads) == 4  # indicator + three areas
    page.click(f"#gebiet-{ids[3]}")
    assert page.is_disabled("#vergleichen")  # at most three
    lines = {s["gebiet"] for s in page.evaluate(SERIES) if "vergleich" in s["cls"]}
    assert lines == set(ids[:3])
    assert page.locator("#karte .markierung path.vergleich").count() == 3
    _shot(page_env, "vergleich")
    page.click("#vergleich-inhalt .chips li:first-child button")
    heads = page.eval_on_selector_all(
        "#vergleich-inhalt thead th", "ts => ts.map(t => t.textContent)"
    )
    assert len(heads) == 3


def test_csv_download_is_what_a_german_excel_reads(page_env):
    page, db = page_env["page"], page_env["db"]
    page.select_option("#indikator", "sgb2_quote")
    level, periode = page.input_value("#ebene"), page.input_value("#periode")
    with page.expect_download() as info:
        page.click("#csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[:8] == [
        "Gebiet-ID", "Gebiet", "Ebene", "Indikator", "Bezeichnung", "Stichtag", "Wert", "Zeichen",
    ]  # fmt: skip
    body = [line.split(";") for line in lines[1:] if line]
    published = {
        g: (w, s)
        for g, w, s in _rows(
            db,
            "select i.gebiet_id, wert, symbol from indikatoren i join gebiete g "
            "on g.gebiet_id = i.gebiet_id and g.ist_aktuell "
            f"where indikator_id = 'sgb2_quote' and i.ebene = '{level}' "
            f"and periode = date '{periode}'",
        )
    }
    assert {r[0] for r in body} == set(published)
    for r in body:
        wert, symbol = published[r[0]]
        assert r[5] == f"{periode[8:10]}.{periode[5:7]}.{periode[:4]}"
        if wert is not None and not symbol:
            assert r[6] == _german(wert, 1) and r[7] == ""
        elif symbol and symbol != "-":
            assert r[6] == "" and r[7] == symbol
    assert info.value.suggested_filename == f"sozialatlas_sgb2_quote_{level}_{periode}.csv"


def test_definition_panel_and_link_to_indicator_sheet(page_env):
    page, db = page_env["page"], page_env["db"]
    page.select_option("#indikator", "sgb2_quote")
    page.click("#definition-zeigen")
    assert page.is_visible("#definition")
    definition, interpretation = _rows(
        db,
        "select definition, interpretation from indikatorkatalog where indikator_id = 'sgb2_quote'",
    )[0]
    text = page.inner_text("#definition")
    assert definition in text and interpretation and interpretation in text
    assert "Interpretationshinweis" in text
    href = page.get_attribute("#indikatorenblatt", "href")
    report, anchor = href.split("#")
    assert anchor == "def-sgb2_quote"
    assert (page_env["atlas"].parent / report).resolve().exists()  # the report of this publish
    _shot(page_env, "definition")


def test_counts_are_circles_not_colours(page_env):
    page = page_env["page"]
    page.select_option("#indikator", "ew")
    assert page.locator("#karte .kreise circle").count() > 3
    fills = set(page.evaluate(FILLS).values())
    assert fills <= {
        "#eef0f2",
        "url(#f-geheim)",
        "url(#f-grenzen)",
        "#c8c8c8",
        "#8c8c8c",
        "url(#f-keine)",
    }
    assert "Kreisfläche" in page.inner_text("#legende")
    _shot(page_env, "anzahl_als_kreise")


def test_without_geometry_the_values_stay_reachable(page_env, tmp_path: Path):
    """A city that delivered no gebiete.geojson: no map, the table and profiles still work."""
    copy = tmp_path / "publish.duckdb"
    shutil.copy2(page_env["db"], copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("update gebiete set geometrie_geojson = null")
    finally:
        con.close()
    atlas = build_atlas(copy, tmp_path / "wh")
    context = page_env["browser"].new_context()
    context.route("**/*", page_env["route"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(atlas.as_uri())
        page.wait_for_selector("body[data-bereit='1']")
        assert page.is_hidden("#karte")
        assert "keine Kartengeometrie" in page.inner_text("#karte-hinweis")
        page.click("#tabelle-details summary")
        assert page.locator("#tabelle tbody tr").count() > 3
        area = page.eval_on_selector_all("#gebiet option", "os => os.map(o => o.value)")[-1]
        page.select_option("#gebiet", area)
        assert area in page.inner_text("#profil-name")
        assert page.locator("#zeitreihe polyline, #zeitreihe circle").count() > 0
    finally:
        context.close()
    assert errors == []


def test_no_console_errors_and_no_request_left_the_machine(page_env):
    # last in the module: everything the tests above did counts
    assert page_env["errors"] == []
    assert page_env["outside"] == []
