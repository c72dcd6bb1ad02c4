"""build_report on real publish.duckdb files built by report_fixture."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from report_fixture import ALL_TABLES, build_publish_db

from pipelines.report import build_report
from pipelines.report.formatting import fmt_number


@pytest.fixture(scope="module")
def example_html(example_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = build_report(example_db, tmp_path_factory.mktemp("out"))
    return path.read_text(encoding="utf-8")


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _maps(html: str) -> dict[str, str]:
    """aria-label -> svg markup of every map."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<svg class="map"[^>]*aria-label="([^"]*)".*?</svg>', html)
    }


def test_file_name_defaults_to_latest_year_end(example_db: Path, tmp_path: Path):
    path = build_report(example_db, tmp_path / "reports")
    assert path == tmp_path / "reports" / "sozialbericht_2024-12-31.html"
    assert path.exists()
    # The connection is closed: a writer can open the file right away.
    duckdb.connect(str(example_db)).close()


def test_title_city_and_reference_date(example_html: str):
    assert "<title>Sozialbericht Musterstadt – 31.12.2024</title>" in example_html
    assert "31. Dezember 2024" in example_html
    assert 'lang="de"' in example_html


def test_self_contained_without_external_resources(example_html: str):
    assert not re.search(r'(src|href)="(https?:)?//', example_html)
    assert "<script src" not in example_html and '<link rel="stylesheet"' not in example_html
    assert "@import" not in example_html and "url(http" not in example_html


def test_city_value_in_german_format_matches_publish_table(example_db: Path, example_html: str):
    (wert,) = _query(
        example_db,
        "select wert from indikatoren where indikator_id = 'anteil_65plus' "
        "and gebiet_id = '00' and periode = date '2024-12-31'",
    )[0]
    shown = fmt_number(wert, 1)
    assert "," in shown
    assert f">{shown}</td>" in example_html or f">{shown}<sup" in example_html


def test_every_indicator_has_a_section_table_column_and_definition(
    example_db: Path, example_html: str
):
    catalogue = _query(example_db, "select bezeichnung, definition, quelle from indikatorkatalog")
    published = {
        r[0]
        for r in _query(
            example_db,
            "select distinct k.bezeichnung from indikatoren i join indikatorkatalog k using "
            "(indikator_id)",
        )
    }
    for label, definition, quelle in catalogue:
        assert definition in example_html and quelle in example_html
        if label in published:
            assert f"{label}</h3>" in example_html
    for domain in ("Demografie", "SGB II", "SGB XII", "SGB VIII", "Transferbezug"):
        assert f"{domain}" in example_html


def test_symbols_shown_as_published_with_legend(example_db: Path, example_html: str):
    symbols = {
        r[0]
        for r in _query(
            example_db,
            "select distinct symbol from indikatoren where symbol is not null "
            "and periode = date '2024-12-31'",
        )
    }
    assert {"*", "."} <= symbols
    for symbol in symbols:
        assert '<td class="num sym"' in example_html
        assert f"<b>{symbol}</b>" in example_html  # explained under the tables
    assert 'id="zeichen"' in example_html
    # Dom (250 inhabitants) has rates '.', its SGB II-Quote cell shows exactly '.'
    row = re.search(
        r"<th scope=\"row\"><span class=\"key\">010102</span> Dom</th>(.*?)</tr>", example_html
    )
    assert row and ">.</td>" in row.group(1)


def test_uncertain_and_recast_values_are_marked(
    example_db: Path, example_html: str, tmp_path: Path
):
    assert '<sup class="mark">u</sup>' in example_html
    assert "zwischen" in example_html  # bounds in the tooltip
    # Before the 2024 split of Lindenhof the finest values are recast onto today's areas.
    older = build_report(example_db, tmp_path, periode=date(2023, 12, 31))
    assert '<sup class="mark">r</sup>' in older.read_text(encoding="utf-8")


def test_a_map_per_indicator_and_mappable_level(example_db: Path, example_html: str):
    maps = _maps(example_html)
    indicators = {
        r[0]
        for r in _query(
            example_db,
            "select distinct bezeichnung from "
            "indikatorkatalog join indikatoren using "
            "(indikator_id)",
        )
    }
    for label in indicators:
        for level in ("Stadtbezirk", "Stadtteil", "Statistischer Bezirk"):
            assert any(k.startswith(f"Karte {label}, {level}") for k in maps), (label, level)
    assert not any(", Stadt," in k for k in maps)  # one-area level: no map


def test_coarse_map_colours_finest_polygons_by_ancestor(example_html: str):
    order = sorted(["010101", "010102", "010201", "020101", "020102"])  # ids by gebiet_id
    svg_id = {gid: f"sm-a{i}" for i, gid in enumerate(order)}
    maps = _maps(example_html)
    label = next(k for k in maps if k.startswith("Karte SGB II-Quote, Stadtbezirk"))
    fills = dict(re.findall(r'<use href="#(sm-a\d+)" fill="([^"]+)"', maps[label]))
    assert fills[svg_id["010101"]] == fills[svg_id["010102"]] == fills[svg_id["010201"]]
    assert fills[svg_id["020101"]] == fills[svg_id["020102"]]
    assert fills[svg_id["010101"]] != fills[svg_id["020101"]]


def test_suppressed_areas_are_hatched_or_grey(example_db: Path, example_html: str):
    starred = _query(
        example_db,
        "select k.bezeichnung, i.ebene from indikatoren i join indikatorkatalog k "
        "using (indikator_id) where i.symbol = '*' and i.periode = date '2024-12-31' "
        "and i.ebene = 'statistischer_bezirk' limit 1",
    )
    assert starred, "fixture should contain a suppressed finest value"
    label = starred[0][0]
    svg = next(
        v
        for k, v in _maps(example_html).items()
        if k.startswith(f"Karte {label}, Statistischer Bezirk")
    )
    assert 'fill="url(#sm-hatch)"' in svg
    sgb2 = next(
        v
        for k, v in _maps(example_html).items()
        if k.startswith("Karte SGB II-Quote, Statistischer Bezirk")
    )
    assert 'fill="#d9d9d9"' in sgb2  # Dom: '.'


def test_social_index_controlling_goals_and_disclosure(example_html: str):
    assert "Gesamtindex Soziale Ungleichheit" in example_html
    assert "Dynamik stabil" in example_html
    assert "Plan und Ist nach Bereichen" in example_html and "106,2 %" in example_html
    assert "2025 (Planjahr)" in example_html
    assert "Kosten je HzE-Fall" in example_html
    assert "Ratsbeschluss 2022/117" in example_html and "nicht erreicht" in example_html
    assert "Statistische Geheimhaltung" in example_html and "§ 35 SGB I" in example_html


def test_levels_come_from_the_data(grid_db: Path, tmp_path: Path):
    html = build_report(grid_db, tmp_path).read_text(encoding="utf-8")
    for level in ("Bezirk", "Ortsteil", "Planungsraum"):
        assert f">{level}</label>" in html
    assert "Stadtbezirk" not in html and "Musterstadt" not in html
    assert "Sozialbericht Neustadt" in html


def test_explicit_periode(example_db: Path, tmp_path: Path):
    path = build_report(example_db, tmp_path, periode=date(2023, 12, 31))
    assert path.name == "sozialbericht_2023-12-31.html"
    html = path.read_text(encoding="utf-8")
    (wert,) = _query(
        example_db,
        "select wert from indikatoren where indikator_id = 'ew' and gebiet_id = '00' "
        "and periode = date '2023-12-31'",
    )[0]
    assert f"{fmt_number(wert, 0)}" in html
    assert "Haushaltsjahr 2023" in html


def _copy(db: Path, target: Path, *statements: str) -> Path:
    """A modified copy of the session database (faster than building a new one)."""
    shutil.copyfile(db, target)
    con = duckdb.connect(str(target))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return target


@pytest.mark.parametrize("missing", ALL_TABLES)
def test_missing_table_gives_note_not_crash(example_db: Path, tmp_path: Path, missing: str):
    db = _copy(example_db, tmp_path / "p.duckdb", f"drop table {missing}")
    html = build_report(db, tmp_path / "out").read_text(encoding="utf-8")
    assert "</html>" in html
    if missing not in ("indikatoren_breit", "gebiete"):  # not needed for a section
        assert f"Die Tabelle „{missing}“ ist in der Publikationsdatei nicht vorhanden" in html
    assert re.search(rf"\({missing}\): fehlt", html)


def test_empty_tables_and_empty_file(tmp_path: Path):
    db = build_publish_db(tmp_path / "p.duckdb", empty=ALL_TABLES)
    html = build_report(db, tmp_path / "out").read_text(encoding="utf-8")
    assert "enthält keine Zeilen" in html
    empty = tmp_path / "leer.duckdb"
    duckdb.connect(str(empty)).close()
    path = build_report(empty, tmp_path / "out2")
    text = path.read_text(encoding="utf-8")
    assert "nicht vorhanden" in text and "Sozialbericht" in text


def test_without_geometries_maps_are_replaced_by_a_note(example_db: Path, tmp_path: Path):
    db = _copy(example_db, tmp_path / "p.duckdb", "update gebiete set geometrie_geojson = null")
    html = build_report(db, tmp_path / "out").read_text(encoding="utf-8")
    assert '<svg class="map"' not in html
    assert "Keine Gebietsgeometrien veröffentlicht" in html


def test_controlling_chapter_a_kaemmerei_accepts(example_html: str):
    start = example_html.index('<section class="chapter" id="controlling">')
    chapter = example_html[start : example_html.index("</section>", start)]
    # names, not codes; Bereich and Produkt apart; Plan/Ist over the years with the plan year
    assert "SGB II Kosten der Unterkunft" in chapter and "sgb2_kdu" not in chapter
    assert "sgb12_grusi" not in chapter and "Hilfen zur Erziehung (Produkt 36.3.01)" in chapter
    assert "Plan und Ist nach Bereichen" in chapter and "Plan und Ist nach Produkten" in chapter
    for year in ("2023", "2024", "2025 (Planjahr)"):
        assert f"<td>{year}</td>" in chapter, year
    # the decomposition as a chart: KdU 2024 = 50 more BG x 8,000 + 400 EUR more x 500 + rest
    assert 'aria-label="Zerlegung der Kostenveränderung 2024"' in chapter
    assert chapter.count('class="eff-menge"') == 2  # KdU and GruSi; HzE withheld
    assert "Mengeneffekt" in chapter and "Preiseffekt" in chapter and "Restglied" in chapter
    assert "+400.000" in chapter and "+200.000" in chapter  # KdU: (550 - 500) x 8,000; 400 x 500
    assert "Kennzahlenbericht" in chapter and "je 1.000 Einw." in chapter
    assert "* gesperrt" in chapter  # HzE with 2 and 3 cases
    # one chapter on the cost per case: no domain chapter "Kosten je Fall" repeating it
    assert not re.search(r"<h2>\d+ Kosten je Fall</h2>", example_html)


def test_unchanged_report_is_not_written_or_printed_again(
    example_db: Path, tmp_path: Path, monkeypatch
):
    """A run that leaves the report's figures as they were (one more month before the next
    31.12.) keeps the report and its PDF, with their date; a changed figure, a report of
    another day with other figures or a missing PDF write and print it again."""
    import pipelines.report.build as build

    printed = []

    def fake_pdf(html, target, previous=None):
        printed.append(target.name)
        target.write_text("pdf", encoding="utf-8")
        return target

    monkeypatch.setattr(build, "write_pdf", fake_pdf)
    first = build_report(example_db, tmp_path, pdf=True)
    stamp = first.stat().st_mtime_ns
    assert printed == [first.with_suffix(".pdf").name]

    # the same figures, created on another day: kept as it is, not printed again
    html = first.read_text(encoding="utf-8")
    older = build._CREATED.sub("Erstellt am 01.01.2020 aus der", html, count=1)
    assert older != html
    first.write_text(older, encoding="utf-8")
    first.with_suffix(".pdf").write_text("pdf", encoding="utf-8")  # printed after it
    stamp = first.stat().st_mtime_ns
    again = build_report(example_db, tmp_path, pdf=True)
    assert again == first and first.stat().st_mtime_ns == stamp
    assert "Erstellt am 01.01.2020" in first.read_text(encoding="utf-8")
    assert len(printed) == 1

    # the PDF is gone: printed again, the HTML stays
    first.with_suffix(".pdf").unlink()
    build_report(example_db, tmp_path, pdf=True)
    assert len(printed) == 2 and first.stat().st_mtime_ns == stamp

    # another figure: written and printed again, with today's date
    first.write_text(older.replace("</footer>", " </footer>"), encoding="utf-8")
    build_report(example_db, tmp_path, pdf=True)
    assert len(printed) == 3
    assert "Erstellt am 01.01.2020" not in first.read_text(encoding="utf-8")
