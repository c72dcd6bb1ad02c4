"""build_report: publish.duckdb -> one self-contained German HTML file (the Sozialbericht)."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from .chapters import (
    controlling_chapter,
    definitions_chapter,
    disclosure_chapter,
    goals_chapter,
    reading_notes,
    sozialindex_chapter,
    table_status_note,
)
from .context import Context
from .formatting import esc, fmt_date, fmt_date_long
from .reader import read_publish
from .sections import Chapter, domain_chapter, key_figures
from .styles import stylesheet

APPENDIX_LETTERS = "ABCDEFGH"


def _chapters(ctx: Context) -> list[Chapter]:
    chapters: list[Chapter] = []
    number = 0

    def next_number() -> str:
        nonlocal number
        number += 1
        return str(number)

    chapters.append(reading_notes(ctx, next_number()))
    chapters.append(key_figures(ctx, next_number()))
    domains = ctx.domains()
    if not domains:
        n = next_number()
        missing = table_status_note(ctx, "indikatoren", "Indikatoren") or (
            f'<p class="note">Zum Stichtag {fmt_date(ctx.data.periode)} oder davor liegen '
            "keine Indikatorwerte vor.</p>"
        )
        chapters.append(
            Chapter(
                "indikatoren",
                f"{n} Indikatoren",
                f'<section class="chapter" id="indikatoren"><h2>{n} Indikatoren</h2>{missing}'
                "</section>",
            )
        )
    for title, inds in domains:
        chapters.append(domain_chapter(ctx, next_number(), title, inds))
    chapters.append(sozialindex_chapter(ctx, next_number()))
    chapters.append(controlling_chapter(ctx, next_number()))
    chapters.append(goals_chapter(ctx, next_number()))
    for letter, make in zip(
        APPENDIX_LETTERS, (definitions_chapter, disclosure_chapter), strict=False
    ):
        chapters.append(make(ctx, f"Anhang {letter}:"))
    return chapters


def _toc(chapters: list[Chapter]) -> str:
    items = []
    for ch in chapters:
        subs = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in ch.subs)
        sub_list = f"<ol>{subs}</ol>" if subs else ""
        items.append(f'<li><a href="#{ch.anchor}">{esc(ch.title)}</a>{sub_list}</li>')
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
        f"<style>{stylesheet(max_tabs)}</style></head><body>"
        f"{ctx.map_base.defs if ctx.map_base else ''}"
        f'<div class="page">{title_page}{_toc(chapters)}<main>'
        f"{''.join(ch.html for ch in chapters)}</main>"
        f"<footer>Sozialbericht {esc(city)}, Stichtag {fmt_date(periode)}. Erzeugt mit "
        "sozialmonitor. Alle Werte unterliegen der statistischen Geheimhaltung (siehe Anhang)."
        "</footer></div></body></html>"
    )


def report_path(out_dir: Path, periode: date) -> Path:
    return Path(out_dir) / f"sozialbericht_{periode.isoformat()}.html"


def build_report(publish_db: Path, out_dir: Path, periode: date | None = None) -> Path:
    """Write out_dir/sozialbericht_<YYYY-MM-DD>.html from publish.duckdb and return its path.

    periode defaults to the latest 31.12 with data, else the latest period. Missing or empty
    tables give a German note in the report, never an error.
    """
    data = read_publish(Path(publish_db), periode)
    html = render_html(Context.create(data), date.today())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = report_path(out_dir, data.periode)
    # Write beside the target and rename: a reader never sees a half-written report.
    fd, tmp = tempfile.mkstemp(prefix=".sozialbericht_", suffix=".html", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
