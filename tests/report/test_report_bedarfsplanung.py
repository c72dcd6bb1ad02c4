"""The chapter "Bedarfsplanung": today's and the projected supply per facility type, the
gap on maps, the back-test error next to every projected figure, only published values."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from report_fixture import GUETE_GROUP_ADD, GUETE_PER_YEAR

from pipelines.report import build_report
from pipelines.report.bedarfsplanung import target_group
from pipelines.report.formatting import fmt_number, fmt_signed


def _chapter(html: str) -> str:
    start = html.index('<section class="chapter" id="bedarfsplanung">')
    return html[start : html.index("</section>", start)]


@pytest.fixture(scope="module")
def chapter(example_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("bedarf")
    return _chapter(build_report(example_db, out).read_text(encoding="utf-8"))


def _rows(db: Path, where: str) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"select * from bedarfsplanung where {where}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _row_html(chapter: str, first_cells: str) -> str:
    match = re.search(rf"<tr>{first_cells}.*?</tr>", chapter)
    assert match, first_cells
    return match.group(0)


def test_chapter_shows_today_and_horizon_per_type(chapter: str, example_db: Path):
    assert "Bedarfsplanung</h2>" in chapter
    assert "Kindertagesbetreuung unter 3 Jahren" in chapter and "Seniorentreffs" in chapter
    assert "ab 65 Jahren" in chapter and "im Alter von 0 bis 2 Jahren" in chapter
    for art in ("kita_u3", "seniorentreff"):
        for variant, year, label in (("ist", 2024, "Ist"), ("mitte", 2030, "mittlere Variante")):
            (city,) = _rows(
                example_db,
                f"art = '{art}' and ebene = 'stadt' and variante = '{variant}' and jahr = {year}",
            )
            row = _row_html(chapter, f"<td>{year}</td><td>{label}</td>")
            if art == "seniorentreff":  # the second table of the chapter
                start = chapter.index("Seniorentreffs")
                row = _row_html(chapter[start:], f"<td>{year}</td><td>{label}</td>")
            assert f">{fmt_number(city['versorgungsquote'], 1)}<" in row, (art, year)
            assert f">{fmt_signed(city['platzsaldo'], 0)}<" in row, (art, year)
            assert f">{fmt_number(city['bedarfsbevoelkerung'], 0)}<" in row, (art, year)
    # both maps per type (today, projected), each in its own figure
    assert chapter.count('<figure class="map-figure">') == 4
    assert 'aria-label="Platzsaldo Kindertagesbetreuung unter 3 Jahren 2024' in chapter
    assert "2030, mittlere Variante" in chapter
    # today's and the projected map share their classes: the same colour, the same balance
    for art_start in ("Kindertagesbetreuung unter 3 Jahren</h3>", "Seniorentreffs</h3>"):
        part = chapter[chapter.index(art_start) :]
        legends = re.findall(r'<div class="legend">.*?</div>', part, flags=re.S)[:2]
        assert (
            len(legends) == 2
            and legends[0].split("Ohne Zahlenwert")[0] == legends[1].split("Ohne Zahlenwert")[0]
        ), art_start


def test_backtest_error_next_to_every_projected_figure(chapter: str):
    kita = chapter[: chapter.index("Seniorentreffs")]
    # city level, children 0-5, horizon 6 (tested up to 5): the mean MAPE over the base dates
    city = GUETE_PER_YEAR["stadt"] * 5 + GUETE_GROUP_ADD["0-5"]
    finest = GUETE_PER_YEAR["statistischer_bezirk"] * 5 + GUETE_GROUP_ADD["0-5"]
    city_text = (
        f"Prognosefehler der Methode im Rückblick: {fmt_number(city, 1)} %, geprüft nur bis 5 Jahre"
    )
    for variant in ("untere Variante", "mittlere Variante", "obere Variante"):
        assert city_text in _row_html(kita, f"<td>2030</td><td>{variant}</td>")
    assert _row_html(kita, "<td>2024</td><td>Ist</td>").count("Prognosefehler") == 0
    # the longest tested horizon (5 years: 2029) is shown as well, with its measured error
    tested = f"Prognosefehler der Methode im Rückblick: {fmt_number(city, 1)} % (Alter 0 bis 5)"
    assert tested in _row_html(kita, "<td>2029</td><td>mittlere Variante</td>")
    assert "<td>2027</td>" not in kita
    # the projected map and the area table name the finest level's error
    finest_text = f"Prognosefehler der Methode im Rückblick: {fmt_number(finest, 1)} %"
    assert kita.count(finest_text) == 2
    assert "geprüft nur bis 5 Jahre (Alter 0 bis 5)" in kita
    seniors = chapter[chapter.index("Seniorentreffs") :]
    assert f"Rückblick: {fmt_number(GUETE_PER_YEAR['stadt'] * 5, 1)} %" in seniors
    assert "(alle Alter)" in seniors and "(Alter 0 bis 5)" not in seniors


def test_target_group_is_the_narrowest_tested_group_covering_the_band():
    assert [target_group(lo, hi) for lo, hi in ((0, 2), (3, 5), (6, 9), (10, 17), (65, 100))] == [
        "0-5", "0-5", "6-9", "gesamt", "gesamt",
    ]  # fmt: skip


def test_withheld_values_stay_withheld(chapter: str, example_db: Path):
    # Dom (250 inhabitants) is '.', Markt its secondary '*': no number in their rows
    dom = _row_html(chapter, r"<td>Dom \(010102\)</td>")
    assert dom.count("<td class='num'>.</td>") == 4
    markt = _row_html(chapter, r"<td>Markt \(010101\)</td>")
    assert markt.count("<td class='num'>*</td>") == 2
    (hidden,) = _rows(
        example_db, "art = 'kita_u3' and gebiet_id = '010101' and variante = 'ist' and jahr = 2024"
    )
    assert hidden["versorgungsquote"] is None and hidden["symbol"] == "*"
    # the map's tooltip names the symbol, not a value
    assert re.search(r"Markt: \* geheimgehalten|Markt: \*", chapter)


def test_without_the_tables(example_db: Path, tmp_path: Path):
    db = tmp_path / "p.duckdb"
    shutil.copyfile(example_db, db)
    con = duckdb.connect(str(db))
    con.execute("delete from prognose_guete")
    con.close()
    html = _chapter(build_report(db, tmp_path / "e").read_text(encoding="utf-8"))
    assert "Die Rückrechnung der Prognose hat noch keine Werte" in html
    assert "Prognosefehler der Methode im Rückblick: nicht geprüft" in html
    con = duckdb.connect(str(db))
    con.execute("drop table prognose_guete")
    con.close()
    html = _chapter(build_report(db, tmp_path / "a").read_text(encoding="utf-8"))
    assert "Die Tabelle „prognose_guete“ fehlt" in html
    assert "Prognosefehler der Methode im Rückblick: nicht geprüft" in html
    con = duckdb.connect(str(db))
    con.execute("drop table bedarfsplanung")
    con.close()
    html = _chapter(build_report(db, tmp_path / "b").read_text(encoding="utf-8"))
    assert "Die Tabelle „bedarfsplanung“ ist in der Publikationsdatei nicht vorhanden" in html


def test_gap_maps_diverge_at_zero(chapter: str, example_db: Path):
    """A deficit is red, a surplus blue, zero the neutral middle; every drawn area takes the
    colour of its sign."""
    from pipelines.report.maps import (
        DIVERGING_NEGATIVE,
        DIVERGING_POSITIVE,
        DIVERGING_ZERO,
        diverging_classes,
    )

    breaks, colours = diverging_classes([-30.0, -10.0, -5.0, -1.0, 0.0, 2.0, 8.0, 20.0, 50.0])
    assert colours == [*DIVERGING_NEGATIVE, DIVERGING_ZERO, *DIVERGING_POSITIVE]
    assert breaks[3] == (0.0, 0.0) and breaks[4][0] == 0.0 and breaks[2][1] == -1.0
    assert diverging_classes([4.0, 9.0])[1] == DIVERGING_POSITIVE[:2]
    assert diverging_classes([-4.0])[1] == DIVERGING_NEGATIVE[-1:]
    part = chapter[chapter.index("Kindertagesbetreuung unter 3 Jahren</h3>") :]
    legend = re.findall(r'<div class="legend">.*?</div>', part, flags=re.S)[0]
    assert "rot: fehlende Plätze, blau: Überhang" in legend
    rows = _rows(
        example_db,
        "art = 'kita_u3' and ist_planungsebene and variante = 'ist' and platzsaldo is not null",
    )
    assert rows
    svg = part[: part.index("</svg>")]
    matched = 0
    for r in rows:
        fill = re.search(rf'fill="(#[0-9a-f]{{6}})"[^>]*>\s*<title>[^<]*: '
                         rf'{re.escape(fmt_number(r["platzsaldo"], 1))} Plätze', svg)  # fmt: skip
        if fill is None:
            continue
        colour, matched = fill.group(1), matched + 1
        if r["platzsaldo"] < 0:
            assert colour in DIVERGING_NEGATIVE, r["gebiet_id"]
        elif r["platzsaldo"] > 0:
            assert colour in DIVERGING_POSITIVE, r["gebiet_id"]
        else:
            assert colour == DIVERGING_ZERO
    assert matched
