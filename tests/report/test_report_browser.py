"""The report in headless Chromium: no console errors, maps and charts really rendered.

Chromium is driven through the DevTools protocol over a pipe (pipelines/report/browser.py). Screenshots go to
tests/artifacts/ (gitignored) for a human look at the layout.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from pipelines.report import build_report
from pipelines.report.browser import Browser, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = find_chromium()
if CHROMIUM is None:  # skipped on a developer machine, never in CI (make browser installs it)
    if os.environ.get("CI"):
        pytest.fail("chromium fehlt in CI: make browser installiert es", pytrace=False)
    pytest.skip(
        "chromium fehlt (apt-get update && apt-get install -y chromium)", allow_module_level=True
    )

# Measured in the page: every map figure must show one svg with a size and visible polygons,
# every chart a size and drawn marks.
MEASURE = """
(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const visible = el => { const [w, h] = box(el); return w > 0 && h > 0; };
  const maps = [...document.querySelectorAll('figure.map-figure')].map(fig => {
    const shown = [...fig.querySelectorAll('svg.map')].filter(visible);
    const uses = shown.flatMap(s => [...s.querySelectorAll('use:not(.outline)')]);
    return {label: shown.length ? shown[0].getAttribute('aria-label') : null,
            shown: shown.length, size: shown.length ? box(shown[0]) : [0, 0],
            polygons: uses.length, visiblePolygons: uses.filter(visible).length};
  });
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => ({
    label: svg.getAttribute('aria-label'), size: box(svg),
    marks: [...svg.querySelectorAll('polyline, circle, rect')].filter(visible).length}));
  return JSON.stringify({maps, charts, title: document.title,
                         tables: document.querySelectorAll('table.data').length});
})()
"""

SWITCH_TAB = """
(() => {
  const tabs = document.querySelector('.tabs');
  const panels = [...tabs.querySelectorAll(':scope > .tab-panel')];
  const before = panels.map(p => p.getBoundingClientRect().height > 0);
  tabs.querySelectorAll(':scope > .tab-labels label')[panels.length - 1].click();
  const after = panels.map(p => p.getBoundingClientRect().height > 0);
  return JSON.stringify({before, after});
})()
"""


def _check_page(browser: Browser, html: Path, shot: Path) -> dict:
    session = browser.open_page(html.as_uri())
    result = json.loads(browser.evaluate(session, MEASURE))
    tabs = json.loads(browser.evaluate(session, SWITCH_TAB))
    browser.screenshot(session, shot)
    browser.drain(0.3)
    result["tabs"] = tabs
    return result


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as running:  # one Chromium for the module: start-up is the cost
        yield running


@pytest.mark.parametrize("layout", ["example", "grid"])
def test_report_renders_in_chromium(
    layout: str, example_db: Path, grid_db: Path, tmp_path: Path, browser: Browser
):
    db = example_db if layout == "example" else grid_db
    html = build_report(db, tmp_path)
    started = time.monotonic()
    seen = len(browser.events)
    result = _check_page(browser, html, ARTIFACTS / f"sozialbericht_{layout}.png")
    errors = browser.console_errors(since=seen)
    elapsed = time.monotonic() - started

    assert errors == [], errors
    assert result["title"].startswith("Sozialbericht ")
    assert result["tables"] > 5
    assert len(result["maps"]) >= 12
    for m in result["maps"]:
        assert m["shown"] == 1, m  # exactly the selected level is visible
        assert m["size"][0] > 100 and m["size"][1] > 50, m
        assert m["polygons"] > 0 and m["visiblePolygons"] == m["polygons"], m
    assert len(result["charts"]) >= 12
    for c in result["charts"]:
        assert c["size"][0] > 100 and c["size"][1] > 50, c
        assert c["marks"] > 0, c
    # CSS-only tabs: exactly one panel visible, and clicking another label switches to it.
    before, after = result["tabs"]["before"], result["tabs"]["after"]
    assert sum(before) == 1 and sum(after) == 1 and after[-1]
    assert (ARTIFACTS / f"sozialbericht_{layout}.png").stat().st_size > 50_000
    print(f"Browser-Test {layout}: {elapsed:.1f} s")
