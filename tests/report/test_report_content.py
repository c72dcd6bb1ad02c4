"""What a committee reads first and last: key statements, area profiles, indicator sheets, maps
readable on paper. Built from the fixture's real publish.duckdb, checked against SQL on it."""

from __future__ import annotations

import re
from html import escape as html_escape
from pathlib import Path

import duckdb
import pytest

from pipelines.report import build_report
from pipelines.report.formatting import fmt_number
from pipelines.report.maps import HATCH_FILL, NO_DATA_FILL, PALETTES


@pytest.fixture(scope="module")
def html(example_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_report(example_db, tmp_path_factory.mktemp("content")).read_text("utf-8")


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _section(html: str, anchor: str) -> str:
    match = re.search(rf'<section class="[^"]*" id="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


def _maps(html: str) -> dict[str, str]:
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<svg class="map"[^>]*aria-label="([^"]*)".*?</svg>', html)
    }


def test_key_statements_come_first_and_every_number_links_to_an_existing_anchor(html: str):
    main = html.split("<main>", 1)[1]
    assert main.startswith('<section class="chapter summary" id="kernaussagen">')
    summary = _section(html, "kernaussagen")
    targets = re.findall(r'<a class="ref" href="#([^"]+)">', summary)
    assert len(targets) > 20
    ids = set(re.findall(r' id="([^"]+)"', html))
    assert set(targets) <= ids, set(targets) - ids
    for heading in ("Die Stadt im Überblick", "Gebiete mit den höchsten Werten", "Ziele"):
        assert heading in summary


def test_headline_figure_against_the_year_before(example_db: Path, html: str):
    now, before = (
        _query(
            example_db,
            "select wert from indikatoren where indikator_id = 'sgb2_quote' and gebiet_id = '00' "
            f"and periode = date '{d}'",
        )[0][0]
        for d in ("2024-12-31", "2023-12-31")
    )
    summary = _section(html, "kernaussagen")
    line = next(li for li in summary.split("<li>") if li.startswith("<b>SGB II-Quote</b>"))
    assert f">{fmt_number(now, 1)} %</a> am 31.12.2024" in line
    assert (
        f'ein Jahr zuvor <a class="ref" href="#bereich-sgb-ii-grundsicherung-fuer-tabelle">{fmt_number(before, 1)} %</a>'
        in line
    )
    assert "Prozentpunkte" in line
    # the city's goals of 2024 are named with their verdict, the past 2023 goal is not
    assert "Ziel 2023" not in line
    kinder = next(li for li in summary.split("<li>") if li.startswith("<b>Kinder unter 15"))
    assert "Ziel 2024: höchstens" in kinder and "nicht erreicht" in kinder


def test_area_with_the_highest_value_is_named_first(example_db: Path, html: str):
    top = _query(
        example_db,
        "select g.name, i.wert from indikatoren i join gebiete g using (gebiet_id) "
        "where i.indikator_id = 'sgb2_quote' and i.periode = date '2024-12-31' "
        "and i.ebene = 'statistischer_bezirk' and i.symbol is null "
        "and g.gueltig_bis is null order by i.wert desc limit 1",
    )[0]
    summary = _section(html, "kernaussagen")
    line = next(li for li in summary.split("<li>") if li.startswith("<b>SGB II-Quote</b> –"))
    assert re.search(
        rf"Statistischer Bezirk: {re.escape(top[0])} \(<a[^>]*>{fmt_number(top[1], 1)} %", line
    )


def test_goals_met_and_missed_are_counted(example_db: Path, html: str):
    counts = dict(
        _query(
            example_db,
            "select coalesce(cast(erreicht as varchar), 'offen'), count(*) from zielerreichung "
            "where jahr = 2024 group by 1",
        )
    )
    summary = _section(html, "kernaussagen")
    assert (
        f'Von {sum(counts.values())} Zielen für 2024 sind <a class="ref" href="#ziele">'
        f"{counts.get('true', 0)}</a> erreicht"
    ) in summary
    assert f">{counts.get('false', 0)}</a> nicht erreicht" in summary


def test_one_profile_per_area_above_the_finest_level(example_db: Path, html: str):
    expected = {
        r[0]
        for r in _query(
            example_db,
            "select distinct gebiet_id from indikatoren where periode = date '2024-12-31' "
            "and ebene in ('stadtbezirk', 'stadtteil')",
        )
    }
    profiles = re.findall(r'<article class="profile" id="steckbrief-([^"]+)">', html)
    assert sorted(profiles) == sorted(expected)
    finest = {
        r[0]
        for r in _query(
            example_db, "select gebiet_id from gebiete where ebene = 'statistischer_bezirk'"
        )
    }
    assert not finest & set(profiles)
    # Altstadt (0101, in Nord): own value, parent Nord, city Musterstadt, a locator map, trends
    article = re.search(
        r'<article class="profile" id="steckbrief-0101">(.*?)</article>', html, re.S
    )
    assert article
    body = article.group(1)
    assert '<svg class="map locator"' in body
    head = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    assert "Altstadt" in head and "Nord" in head and "Musterstadt" in head
    assert body.count('<svg class="spark"') >= 8
    (ew,) = _query(
        example_db,
        "select wert from indikatoren where indikator_id = 'ew' and gebiet_id = '0101' "
        "and periode = date '2024-12-31'",
    )[0]
    assert f"{fmt_number(ew, 0)} Einwohnerinnen und Einwohner" in body


def test_indicator_sheets_from_the_catalogue(example_db: Path, html: str):
    catalogue = _query(
        example_db,
        "select indikator_id, definition, reihenbruch, interpretation from indikatorkatalog",
    )
    sheets = _section(html, "definitionen")
    for ind, definition, breaks, interpretation in catalogue:
        sheet = re.search(
            rf'<article class="definition-entry sheet" id="def-{ind}">(.*?)</article>', sheets, re.S
        )
        assert sheet, ind
        text = sheet.group(1)
        for field in (
            "Definition",
            "Quelle",
            "Stichtage",
            "Zeitreihenbrüche",
            "Interpretationshinweis",
            "Lesehilfe",
        ):
            assert f"<dt>{field}</dt>" in text, (ind, field)
        assert definition in text
        assert f"<dt>Interpretationshinweis</dt><dd>{html_escape(interpretation)}</dd>" in text
        assert (breaks or "keine bekannt") in text
    sgb2 = re.search(r'id="def-sgb2_quote">(.*?)</article>', sheets, re.S).group(1)
    assert "Zähler ÷ Nenner × 100" in sgb2
    assert "stärkere soziale Belastung" in sgb2  # polarity 'negativ'


def test_counts_are_proportional_circles_rates_are_numbered_classes(example_db: Path, html: str):
    maps = _maps(html)
    ew = maps["Karte Einwohnerinnen und Einwohner, Statistischer Bezirk, 31.12.2024"]
    areas = _query(
        example_db,
        "select count(*) from indikatoren where indikator_id = 'ew' and periode = date "
        "'2024-12-31' and ebene = 'statistischer_bezirk' and wert > 0",
    )[0][0]
    assert ew.count('<circle class="prop"') == areas
    assert not any(c in ew for c in PALETTES["neutral"])  # no choropleth classes
    rate = maps["Karte SGB II-Quote, Stadtteil, 31.12.2024"]
    assert len(re.findall(r'<text class="area-no"', rate)) == 3  # Altstadt, Hafen, Gartenstadt
    assert 'class="outline district"' in rate  # district borders over the finer level
    # the key resolves the numbers
    assert re.search(r'<ol class="map-key"><li><b>1</b> Altstadt</li>', html)


def test_no_data_is_set_apart_from_every_class_colour(html: str):
    assert NO_DATA_FILL not in {c for p in PALETTES.values() for c in p}
    assert NO_DATA_FILL.startswith("url(") and HATCH_FILL.startswith("url(")
    assert '<pattern id="sm-nodata"' in html
    assert html.count("Ohne Zahlenwert") >= 10


def test_count_chart_is_indexed(html: str):
    assert "Zeitreihe Einwohnerinnen und Einwohner (Index, erster Wert jedes Gebiets = 100" in html
