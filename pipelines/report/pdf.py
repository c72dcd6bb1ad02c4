"""The Sozialbericht as an A4 PDF: the same HTML printed by headless Chromium.

Chromium prints what the committee sees on screen (CSS grid, inline SVG, the stylesheet's
@page rules with page numbers in the margin boxes). It has no CSS for "the page an anchor lands
on", so the table of contents gets its page numbers in two passes: the first print carries a
placeholder of the same width beside every entry, the PDF's named destinations (one per linked
anchor) tell on which page each chapter starts, and the second print carries the numbers. The
layout cannot shift between the passes: only the digits change.

With the previous report's PDF at hand (a monthly rebuild of the same report) the first pass
prints that report's page numbers straight away; where its named destinations show the same
pages, that print is the result and the second pass is saved (half of the report's time).
"""

from __future__ import annotations

import ctypes
import os
import re
import tempfile
from pathlib import Path

from .browser import Browser, find_chromium

TOC_PLACEHOLDER = "000"
# Written by sections/build: <span class="toc-page" data-anchor="kernaussagen">000</span>
TOC_PAGE = re.compile(
    r'<span class="toc-page" data-anchor="([^"]+)">' + TOC_PLACEHOLDER + "</span>"
)
PRINT_TIMEOUT = 600.0  # seconds; a city with 500 areas prints a few hundred pages


class PdfUnavailable(RuntimeError):
    """No Chromium on this machine: the HTML report stands alone."""


def named_destinations(pdf: Path) -> dict[str, int]:
    """Anchor -> 1-based page number of every named destination in the PDF."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(pdf))
    try:
        result = {}
        for i in range(raw.FPDF_CountNamedDests(doc.raw)):
            size = ctypes.c_long(0)
            raw.FPDF_GetNamedDest(doc.raw, i, None, ctypes.byref(size))
            buffer = ctypes.create_string_buffer(size.value)
            dest = raw.FPDF_GetNamedDest(doc.raw, i, buffer, ctypes.byref(size))
            name = buffer.raw[: size.value].decode("utf-16-le").rstrip("\x00")
            page = raw.FPDFDest_GetDestPageIndex(doc.raw, dest)
            if name and page >= 0:
                result[name] = page + 1
        return result
    finally:
        doc.close()


def fill_toc(html: str, pages: dict[str, int]) -> str:
    """Replace each TOC placeholder by its page number (right-aligned in the same width)."""

    def number(match: re.Match) -> str:
        page = pages.get(match.group(1))
        text = str(page).rjust(len(TOC_PLACEHOLDER), "\u2007") if page else "\u2007" * 3
        return f'<span class="toc-page filled" data-anchor="{match.group(1)}">{text}</span>'

    return TOC_PAGE.sub(number, html)


def toc_pages(html: str, pages: dict[str, int]) -> dict[str, int | None]:
    """The page of every anchor the table of contents names (None: not in `pages`)."""
    return {anchor: pages.get(anchor) for anchor in TOC_PAGE.findall(html)}


def _print(browser: Browser, html: str, target: Path) -> Path:
    # Chromium loads the page from a file beside the target (same folder, same permissions).
    fd, tmp = tempfile.mkstemp(prefix=".sozialbericht_druck_", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        session = browser.open_page(Path(tmp).as_uri())
        browser.print_pdf(session, target)
        browser.close_page(session)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def write_pdf(
    html: str, target: Path, chromium: str | None = None, previous: Path | None = None
) -> Path:
    """Print the report HTML to target (A4, page numbers, TOC with page numbers).

    Written beside the target and renamed, so a reader never opens a half-written PDF.
    Raises PdfUnavailable when no Chromium is installed. `previous`: an earlier PDF of the
    report whose page numbers are tried first (one print instead of two where they hold).
    """
    binary = chromium or find_chromium()
    if binary is None:
        raise PdfUnavailable(
            "Chromium nicht gefunden: der Sozialbericht wird nur als HTML geschrieben "
            "(apt-get install chromium)."
        )
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".sozialbericht_", suffix=".pdf", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        has_toc = TOC_PAGE.search(html) is not None
        guess = _pages_of(previous) if has_toc else None
        with Browser(binary, timeout=PRINT_TIMEOUT) as browser:
            _print(browser, fill_toc(html, guess) if guess else html, tmp)
            if has_toc:
                pages = named_destinations(tmp)
                if guess is None or toc_pages(html, pages) != toc_pages(html, guess):
                    _print(browser, fill_toc(html, pages), tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _pages_of(pdf: Path | None) -> dict[str, int] | None:
    """The named destinations of an earlier PDF; None when there is none or it cannot be read."""
    if pdf is None or not Path(pdf).is_file():
        return None
    try:
        return named_destinations(Path(pdf)) or None
    except Exception:  # a damaged earlier PDF costs the second pass, nothing else
        return None
