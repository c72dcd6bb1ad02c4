"""The Sozialbericht as PDF, printed by the real Chromium and read back page by page.

The pages are rendered to images with pypdfium2 (PDFium, the engine Chromium itself uses to show
PDFs): page count, A4, no blank page, page numbers, a table of contents whose numbers are the
pages the chapters start on. The title page and a map page are kept in tests/artifacts/ for a
look by eye. Without Chromium the test is skipped on a developer machine and fails in CI
(`make test` installs it through `make browser`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipelines.report import build_report
from pipelines.report.browser import find_chromium
from pipelines.report.maps import PALETTES
from pipelines.report.pdf import named_destinations

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
A4 = (595.3, 841.9)  # points

if find_chromium() is None:
    if os.environ.get("CI"):
        pytest.fail("chromium fehlt in CI: make browser installiert es", pytrace=False)
    pytest.skip("chromium fehlt (make browser)", allow_module_level=True)


@pytest.fixture(scope="module")
def printed(example_db: Path, tmp_path_factory: pytest.TempPathFactory):
    html = build_report(example_db, tmp_path_factory.mktemp("pdf"), pdf=True)
    pdf = html.with_suffix(".pdf")
    doc = pdfium.PdfDocument(str(pdf))
    texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    yield html, pdf, doc, texts
    doc.close()


def _ink(page: pdfium.PdfPage) -> float:
    """Share of pixels that are not white, at a low resolution."""
    image = page.render(scale=0.4).to_pil().convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def test_pdf_beside_html_a4_with_page_numbers(printed):
    html, pdf, doc, texts = printed
    assert pdf.parent == html.parent and pdf.stat().st_size > 50_000
    assert 20 <= len(doc) <= 60, len(doc)
    for i in range(len(doc)):
        width, height = doc[i].get_size()
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1, (i, width, height)
    assert "Seite" not in texts[0]  # the title page has no number
    for i, text in enumerate(texts[1:], start=2):
        assert f"Seite {i} von {len(doc)}" in text, i
    assert not list(pdf.parent.glob(".sozialbericht_*"))  # no temporary file left behind


def test_no_blank_page(printed):
    _, _, doc, _ = printed
    for i in range(len(doc)):
        # a page with only its footer line has less than 0.3 % ink
        assert _ink(doc[i]) > 0.005, f"Seite {i + 1} ist leer"


def test_table_of_contents_carries_the_pages_chapters_start_on(printed):
    _, pdf, _, texts = printed
    pages = named_destinations(pdf)
    for anchor in ("kernaussagen", "sozialindex", "ziele", "steckbriefe", "definitionen"):
        assert anchor in pages, anchor
    assert pages["kernaussagen"] == 3  # title, contents, then the key statements
    toc = texts[1]
    for title, anchor in (
        ("1 Kernaussagen", "kernaussagen"),
        ("Zielerreichung", "ziele"),
        ("Gebietssteckbriefe", "steckbriefe"),
        ("Anhang A: Indikatorenblätter", "definitionen"),
    ):
        line = next(ln for ln in toc.splitlines() if title in ln)
        assert re.search(rf"\b{pages[anchor]}\s*$", line), (title, line, pages[anchor])
        assert title.split()[-1] in texts[pages[anchor] - 1]  # the chapter is on that page
    # every area profile starts on a page of its own
    profiles = [a for a in pages if a.startswith("steckbrief-")]
    assert len(profiles) == 5
    assert len({pages[a] for a in profiles}) == 5


def test_title_and_map_page_kept_as_artifacts(printed):
    _, pdf, doc, texts = printed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    title = doc[0].render(scale=1.5).to_pil()
    title.save(ARTIFACTS / "sozialbericht_titelseite.png")
    assert "Sozialbericht Musterstadt" in texts[0] and "31. Dezember 2024" in texts[0]
    # the SGB II-Quote section: a choropleth in the "high = unfavourable" colours
    page_no = named_destinations(pdf)["bereich-sgb-ii-grundsicherung-fuer-2"]  # 5.2
    page = doc[page_no - 1]
    image = page.render(scale=1.5).to_pil().convert("RGB")
    image.save(ARTIFACTS / "sozialbericht_kartenseite.png")
    assert "SGB II-Quote" in texts[page_no - 1] and "Ohne Zahlenwert" in texts[page_no - 1]
    colours = {
        image.getpixel((x, y)) for x in range(0, image.width, 4) for y in range(0, image.height, 4)
    }
    darkest = tuple(int(PALETTES["schlecht"][-1][i : i + 2], 16) for i in (1, 3, 5))
    assert any(sum(abs(a - b) for a, b in zip(c, darkest, strict=True)) < 30 for c in colours)


def test_report_asset_writes_html_and_pdf(example_db: Path, tmp_path: Path, monkeypatch):
    """The Dagster asset of the pipeline: both files beside each other, both in its metadata."""
    import shutil

    import dagster as dg

    from pipelines.defs.downstream import sozialbericht
    from pipelines.defs.resources import Sozialmonitor

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copyfile(example_db, warehouse / "publish.duckdb")
    resource = Sozialmonitor(
        landing_dir=str(tmp_path / "landing"), warehouse_dir=str(warehouse), report_pdf=True
    )
    result = dg.materialize([sozialbericht], resources={"sozialmonitor": resource})
    assert result.success
    metadata = result.asset_materializations_for_node("report__sozialbericht")[0].metadata
    html = Path(metadata["datei"].value)
    pdf = Path(metadata["pdf"].value)
    assert html.parent == warehouse / "reports" and pdf == html.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_rebuild_prints_once_with_the_previous_page_numbers(printed, example_db, monkeypatch):
    """A rebuild of the same report takes the page numbers of its earlier PDF: one print
    where they hold; where they do not (here: a guess one page off), the second print
    corrects them, so the table of contents is never wrong."""
    from pipelines.report import pdf as pdf_module

    html, pdf, _, _ = printed
    before = named_destinations(pdf)
    prints = []
    real = pdf_module._print
    monkeypatch.setattr(pdf_module, "_print", lambda *a: prints.append(1) or real(*a))
    # the same report as it stands is not printed at all (test_report_build); without its
    # HTML it counts as new, and the earlier PDF gives the page numbers
    assert build_report(example_db, html.parent, pdf=True) == html
    assert prints == []
    html.unlink()
    assert build_report(example_db, html.parent, pdf=True) == html
    assert len(prints) == 1
    assert named_destinations(pdf) == before

    prints.clear()
    off = {anchor: page + 1 for anchor, page in before.items()}
    monkeypatch.setattr(pdf_module, "_pages_of", lambda _previous: off)
    html.unlink()
    build_report(example_db, html.parent, pdf=True)
    assert len(prints) == 2
    doc = pdfium.PdfDocument(str(pdf))
    try:
        toc = doc[1].get_textpage().get_text_range()
    finally:
        doc.close()
    line = next(ln for ln in toc.splitlines() if "1 Kernaussagen" in ln)
    assert re.search(rf"\b{before['kernaussagen']}\s*$", line), line
