"""build_report: publish.duckdb -> one self-contained German HTML file (the Sozialbericht)."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

from .bedarfsplanung import bedarfsplanung_chapter
from .chapters import (
    disclosure_chapter,
    goals_chapter,
    reading_notes,
    sozialindex_chapter,
    table_status_note,
)
from .context import DOMAIN_TITLES, Context
from .controlling import controlling_chapter
from .formatting import esc, fmt_date, fmt_date_long
from .kontrakte import kontrakte_chapter
from .pdf import TOC_PLACEHOLDER, write_pdf
from .profiles import profiles_chapter
from .reader import read_publish
from .sections import Chapter, domain_chapter, key_figures
from .sheets import sheets_chapter
from .styles import stylesheet
from .summary import summary_chapter

APPENDIX_LETTERS = "ABCDEFGH"


def _chapters(ctx: Context) -> list[Chapter]:
    """Chapters in reading order: what a committee needs first, the evidence after it.

    The domain chapters are rendered before the key statements, which link their numbers to
    the domain tables, and before the profiles and sheets, which link to them too.
    """
    # the cost per case by area belongs to the controlling chapter (with its map); a domain
    # chapter of its own would repeat it
    domains = [(t, inds) for t, inds in ctx.domains() if t != DOMAIN_TITLES["controlling"]]
    first = 4  # 1 Kernaussagen, 2 Lesehinweise, 3 Kennzahlen
    domain_chapters = [
        domain_chapter(ctx, str(first + k), title, inds) for k, (title, inds) in enumerate(domains)
    ]
    if not domain_chapters:
        missing = table_status_note(ctx, "indikatoren", "Indikatoren") or (
            f'<p class="note">Zum Stichtag {fmt_date(ctx.data.periode)} oder davor liegen '
            "keine Indikatorwerte vor.</p>"
        )
        domain_chapters.append(
            Chapter(
                "indikatoren",
                f"{first} Indikatoren",
                f'<section class="chapter" id="indikatoren"><h2>{first} Indikatoren</h2>'
                f"{missing}</section>",
            )
        )
    number = first + len(domain_chapters) - 1

    def next_number() -> str:
        nonlocal number
        number += 1
        return str(number)

    chapters = [
        summary_chapter(ctx, "1"),
        reading_notes(ctx, "2"),
        key_figures(ctx, "3"),
        *domain_chapters,
        sozialindex_chapter(ctx, next_number()),
        controlling_chapter(ctx, next_number()),
        kontrakte_chapter(ctx, next_number()),
        bedarfsplanung_chapter(ctx, next_number()),
        goals_chapter(ctx, next_number()),
        profiles_chapter(ctx, next_number()),
    ]
    for letter, make in zip(APPENDIX_LETTERS, (sheets_chapter, disclosure_chapter), strict=False):
        chapters.append(make(ctx, f"Anhang {letter}:"))
    return chapters


def _toc_entry(anchor: str, title: str) -> str:
    # The page placeholder is filled by pdf.write_pdf; on screen it stays hidden.
    return (
        f'<a href="#{anchor}"><span class="toc-title">{esc(title)}</span>'
        f'<span class="toc-page" data-anchor="{anchor}">{TOC_PLACEHOLDER}</span></a>'
    )


def _toc(chapters: list[Chapter]) -> str:
    items = []
    for ch in chapters:
        subs = "".join(f"<li>{_toc_entry(a, t)}</li>" for a, t in ch.subs)
        sub_list = f"<ol>{subs}</ol>" if subs else ""
        items.append(f"<li>{_toc_entry(ch.anchor, ch.title)}{sub_list}</li>")
    return f'<nav class="toc" aria-label="Inhalt"><h2>Inhalt</h2><ol>{"".join(items)}</ol></nav>'


def render_html(ctx: Context, created: date) -> str:
    """The whole document as a string (pure given the context)."""
    chapters = _chapters(ctx)
    city, periode = ctx.city_name, ctx.data.periode
    title_page = (
        '<header class="title-page"><div class="title-band"></div>'
        '<p class="kicker">Sozialplanung · Bericht an den Ausschuss</p>'
        f"<h1>Sozialbericht {esc(city)}</h1>"
        f'<p class="subtitle">Soziale Lage in den Gebieten der Stadt – Stichtag '
        f"{esc(fmt_date_long(periode))}</p>"
        f'<p class="meta">Stichtag: {fmt_date(periode)}</p>'
        f'<p class="meta">Erstellt am {fmt_date(created)} aus der geheimhaltungsgeprüften '
        "Publikationszone (publish.duckdb) des Sozialmonitors</p></header>"
    )
    max_tabs = max(len(ctx.data.levels), 1) + 1
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sozialbericht {esc(city)} – {fmt_date(periode)}</title>"
        '<link rel="icon" href="data:,">'  # no favicon request when opened from disk
        f"<style>{stylesheet(max_tabs, f'Sozialbericht {city}, Stichtag {fmt_date(periode)}')}"
        "</style></head><body>"
        f"{ctx.map_base.defs if ctx.map_base else ''}"
        f'<div class="page">{title_page}{_toc(chapters)}<main>'
        f"{''.join(ch.html for ch in chapters)}</main>"
        f"<footer>Sozialbericht {esc(city)}, Stichtag {fmt_date(periode)}. Erzeugt mit "
        "sozialmonitor. Alle Werte unterliegen der statistischen Geheimhaltung (siehe Anhang)."
        "</footer></div></body></html>"
    )


def report_path(out_dir: Path, periode: date) -> Path:
    return Path(out_dir) / f"sozialbericht_{periode.isoformat()}.html"


def build_report(
    publish_db: Path, out_dir: Path, periode: date | None = None, *, pdf: bool = False
) -> Path:
    """Write out_dir/sozialbericht_<YYYY-MM-DD>.html from publish.duckdb and return its path.

    periode defaults to the latest 31.12 with data, else the latest period. Missing or empty
    tables give a German note in the report, never an error. pdf: also print
    sozialbericht_<YYYY-MM-DD>.pdf beside it (needs Chromium; raises pdf.PdfUnavailable
    after the HTML is written when there is none).
    """
    data = read_publish(Path(publish_db), periode)
    html = render_html(Context.create(data), date.today())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = report_path(out_dir, data.periode)
    if _unchanged(target, html):
        # the same report as before, but for its date of creation (nothing the report
        # shows changed): the files stay, with their date, and Chromium does not print it
        if not pdf or _pdf_of(target):
            return target
    else:
        _write_atomic(html, target)
    if pdf:
        write_pdf(html, target.with_suffix(".pdf"), previous=_previous_pdf(out_dir, target))
    return target


_CREATED = re.compile(r"Erstellt am (\d{2}\.\d{2}\.\d{4}) aus der")


def _unchanged(target: Path, html: str) -> bool:
    """The report at `target` is `html` but for the date it was created on."""
    try:
        old = target.read_text(encoding="utf-8")
    except OSError:
        return False
    found = _CREATED.search(old)
    if found is None:
        return False
    return _CREATED.sub(lambda _: f"Erstellt am {found.group(1)} aus der", html, count=1) == old


def _pdf_of(target: Path) -> bool:
    """A PDF printed from the report as it stands (written after its HTML)."""
    pdf = target.with_suffix(".pdf")
    return pdf.is_file() and pdf.stat().st_mtime_ns >= target.stat().st_mtime_ns


def _previous_pdf(out_dir: Path, target: Path) -> Path | None:
    """The report's own earlier PDF, else the newest other one in the folder (its page
    numbers are the first guess for the table of contents)."""
    own = target.with_suffix(".pdf")
    if own.is_file():
        return own
    others = sorted(out_dir.glob("sozialbericht_*.pdf"), key=lambda p: p.stat().st_mtime)
    return others[-1] if others else None


def _write_atomic(html: str, target: Path) -> None:
    out_dir = target.parent
    # Write beside the target and rename: a reader never sees a half-written report.
    fd, tmp = tempfile.mkstemp(prefix=".sozialbericht_", suffix=".html", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
