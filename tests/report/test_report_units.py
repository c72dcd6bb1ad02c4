"""Pure functions of the report: formatting, periods, areas, classes, geometry, axes."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date

import pytest

from pipelines.report.charts import nice_ticks, time_ticks
from pipelines.report.context import slug
from pipelines.report.formatting import display_cell, fmt_number, fmt_signed, plot_value
from pipelines.report.geometry import fit_projection, outline_path, parse_geometry, simplify
from pipelines.report.maps import ancestor_chain, class_breaks, class_index, palette_for
from pipelines.report.reader import Area, choose_periode, order_levels, select_areas


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12.34, 1, "12,3"),
        (1204, 0, "1.204"),
        (1234567.891, 2, "1.234.567,89"),
        (-0.04, 1, "0,0"),
        (-51690.2, 0, "-51.690"),
        (None, 1, ""),
        (float("nan"), 1, ""),
    ],
)
def test_fmt_number_german(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


def test_fmt_signed_marks_direction():
    assert fmt_signed(0.42) == "+0,4"
    assert fmt_signed(-1.25, 2) == "-1,25"
    assert fmt_signed(0.0) == "0,0"


def test_symbols_are_shown_as_published_and_not_plotted():
    assert display_cell(None, "*", "%") == "*"
    assert display_cell(None, ".", "%") == "."
    assert display_cell(28.8729, None, "%") == "28,9"
    assert display_cell(4172.0, None, "Anzahl") == "4.172"
    assert plot_value(None, "*") is None
    assert plot_value(None, "x") is None
    assert plot_value(None, "-") == 0.0  # '-' is an exact zero: coloured, not greyed
    assert plot_value(3.5, None) == 3.5


def test_choose_periode_prefers_latest_year_end():
    periods = [date(2023, 12, 31), date(2024, 12, 31), date(2025, 3, 31)]
    assert choose_periode(periods) == date(2024, 12, 31)
    assert choose_periode([date(2025, 1, 31), date(2025, 2, 28)]) == date(2025, 2, 28)
    assert choose_periode([]) is None


def test_select_areas_takes_version_valid_on_reference_date():
    rows = [
        {
            "gebiet_id": "A",
            "name": "Alt",
            "ebene": "x",
            "ebene_rang": 1,
            "gueltig_ab": date(2000, 1, 1),
            "gueltig_bis": date(2023, 12, 31),
        },
        {
            "gebiet_id": "A",
            "name": "Neu",
            "ebene": "x",
            "ebene_rang": 1,
            "gueltig_ab": date(2024, 1, 1),
            "gueltig_bis": None,
        },
    ]
    assert select_areas(rows, date(2024, 12, 31))["A"].name == "Neu"
    assert select_areas(rows, date(2022, 12, 31))["A"].name == "Alt"


def test_order_levels_by_rank_then_by_size_for_unknown_levels():
    areas = {
        "0": Area("0", "Stadt", "gesamt", 0, None, None),
        "1": Area("1", "Nord", "bezirk", 1, "0", None),
    }
    rows = [{"ebene": "block", "gebiet_id": str(i)} for i in range(5)]
    rows += [{"ebene": "quartier", "gebiet_id": str(i)} for i in range(2)]
    assert order_levels(areas, rows) == ["gesamt", "bezirk", "quartier", "block"]


def test_class_breaks_quantiles_and_few_values():
    values = [float(v) for v in range(1, 101)]
    breaks = class_breaks(values, 5)
    assert len(breaks) == 5
    assert breaks[0][0] == 1 and breaks[-1][1] == 100
    assert class_index(1, breaks) == 0 and class_index(100, breaks) == 4
    assert class_index(50, breaks) == 2
    assert class_breaks([2.0, 2.0, 5.0], 5) == [(2.0, 2.0), (5.0, 5.0)]
    assert class_breaks([], 5) == []


def test_palette_depends_on_polarity():
    assert palette_for("negativ") != palette_for("positiv")
    assert palette_for(None) == palette_for("neutral")


def _square(x: float, y: float) -> str:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_parse_geometry_handles_feature_multipolygon_and_garbage():
    assert len(parse_geometry(_square(0, 0))) == 1
    multi = {
        "type": "MultiPolygon",
        "coordinates": [
            json.loads(_square(0, 0))["coordinates"],
            json.loads(_square(2, 0))["coordinates"],
        ],
    }
    assert len(parse_geometry(json.dumps({"type": "Feature", "geometry": multi}))) == 2
    assert parse_geometry("kein json") == []
    assert parse_geometry(None) == []
    assert parse_geometry(json.dumps({"type": "Point", "coordinates": [1, 2]})) == []


def test_projection_fits_box_and_keeps_north_up():
    geoms = [parse_geometry(_square(9.9, 51.5)), parse_geometry(_square(10.9, 51.5))]
    proj = fit_projection(geoms, max_width=400, max_height=400, pad=0)
    assert proj is not None
    assert proj.width == pytest.approx(400) or proj.height == pytest.approx(400)
    x0, y_north = proj(9.9, 52.5)
    _, y_south = proj(9.9, 51.5)
    assert x0 == pytest.approx(0) and y_north < y_south
    # Longitudes are shrunk by cos(latitude): two degrees wide, one high -> not 2:1.
    assert proj.width / proj.height == pytest.approx(2 * 0.6157, rel=0.01)


def _segments(path: str) -> set[frozenset]:
    """Undirected segments of an SVG path made of M/L commands."""
    segments, last = set(), None
    for cmd, x, y in re.findall(r"([ML])(-?[\d.]+) (-?[\d.]+)", path):
        point = (float(x), float(y))
        if cmd == "L" and last is not None:
            segments.add(frozenset((last, point)))
        last = point
    return segments


def test_outline_draws_only_borders_between_groups():
    geoms = {"a": parse_geometry(_square(0, 0)), "b": parse_geometry(_square(1, 0))}
    proj = fit_projection(geoms.values(), max_width=200, max_height=200, pad=0)
    shared = frozenset(tuple(round(c, 1) for c in proj(*pt)) for pt in ((1, 0), (1, 1)))
    same = _segments(outline_path(geoms, {"a": "P", "b": "P"}, proj))
    split = _segments(outline_path(geoms, {"a": "P", "b": "Q"}, proj))
    assert shared not in same and shared in split
    assert len(same) == 6 and len(split) == 7  # outer border: 6 unit edges; shared drawn once


def test_simplify_drops_close_vertices_but_keeps_ends():
    pts = [(0, 0), (0.1, 0), (0.2, 0), (5, 0), (5, 5)]
    assert simplify(pts, 1.0) == [(0, 0), (5, 0), (5, 5)]


def test_ancestor_chain_is_cycle_safe():
    areas = {
        "a": Area("a", "A", "fein", 2, "b", None),
        "b": Area("b", "B", "grob", 1, "a", None),  # broken data: cycle
    }
    assert ancestor_chain("a", areas) == {"fein": "a", "grob": "b"}


@pytest.mark.parametrize(("lo", "hi"), [(0.0, 27.3), (0.0, 24.3), (11.2, 11.9), (-3.0, 4.0)])
def test_nice_ticks_cover_range(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 2 <= len(ticks) <= 8
    assert all(
        round(b - a, 9) == round(ticks[1] - ticks[0], 9) for a, b in itertools.pairwise(ticks)
    )


def test_time_ticks_yearly_and_monthly():
    yearly = [date(y, 12, 31) for y in range(2020, 2025)]
    _, labels = time_ticks(yearly)
    assert [t for _, t in labels] == ["2020", "2021", "2022", "2023", "2024"]
    monthly = [date(2023, m, 28) for m in range(1, 13)] + [date(2024, m, 28) for m in range(1, 13)]
    bounds, labels = time_ticks(monthly)
    assert bounds == [date(2024, 1, 1)]
    assert [t for _, t in labels] == ["2023", "2024"]


def test_slug():
    assert slug("SGB II – Grundsicherung für Arbeitsuchende") == "sgb-ii-grundsicherung-fuer"


# --- paper maps, PDF contents, key statements -------------------------------------------


def test_label_point_lies_inside_an_l_shaped_area():
    from shapely.geometry import Point, Polygon

    from pipelines.report.maps import label_point

    ring = [(0, 0), (10, 0), (10, 2), (2, 2), (2, 10), (0, 10), (0, 0)]
    x, y = label_point([[ring]])
    assert Polygon(ring).contains(Point(x, y))
    centroid = Polygon(ring).centroid  # what a naive label would use: outside the L
    assert not Polygon(ring).contains(centroid)


def test_toc_placeholders_become_page_numbers_of_the_same_width():
    from pipelines.report.pdf import TOC_PLACEHOLDER, fill_toc

    html = (
        f'<span class="toc-page" data-anchor="a">{TOC_PLACEHOLDER}</span>'
        f'<span class="toc-page" data-anchor="b">{TOC_PLACEHOLDER}</span>'
    )
    out = fill_toc(html, {"a": 7, "b": 123})
    assert ">\u2007\u20077</span>" in out and ">123</span>" in out
    assert TOC_PLACEHOLDER not in out.replace("123", "")


def test_indexed_series_starts_at_100_and_keeps_gaps():
    from pipelines.report.charts import indexed, sparkline

    points = [(date(2021, 12, 31), 200.0), (date(2022, 12, 31), None), (date(2023, 12, 31), 250.0)]
    assert indexed(points) == [(points[0][0], 100.0), (points[1][0], None), (points[2][0], 125.0)]
    assert sparkline(points, "x").count("<polyline") == 0  # no run of two points to draw
    assert sparkline([*points, (date(2024, 12, 31), 260.0)], "x").count("<polyline") == 1


def test_change_phrases_follow_the_unit_and_polarity():
    from pipelines.report.context import Indicator
    from pipelines.report.summary import _direction, change_phrase

    share = Indicator("sgb2_quote", "SGB II-Quote", "%", 1, "SGB II", polaritaet="negativ")
    count = Indicator("ew", "Einwohner", "Anzahl", 0, "Demografie", polaritaet="neutral")
    assert change_phrase(share, 12.3, 12.8) == "-0,5 Prozentpunkte"
    assert _direction(share, 12.3, 12.8) == "gesunken (günstige Entwicklung)"
    assert _direction(share, 12.34, 12.31) == "unverändert"  # rounds to 0,0 Prozentpunkte
    assert change_phrase(count, 1010, 1000) == "+1,0 %"
    assert _direction(count, 1010, 1000) == "gestiegen"


def test_indicator_sheet_texts_from_catalogue_codes():
    from pipelines.report.sheets import formula_text, reading_text, source_text

    assert source_text("finanzen+sgb2").startswith("Haushalt, doppische Ergebnisrechnung")
    assert "(sgb2)" in source_text("finanzen+sgb2") and source_text("eigene") == "eigene"
    row = {"zaehler_merkmal": "rlb", "nenner_merkmal": "ew_u65", "faktor": 100.0}
    assert formula_text(row) == "Zähler ÷ Nenner × 100. Zähler: rlb. Nenner: ew_u65."
    note = reading_text({"polaritaet": "negativ", "einheit": "%", "hinweise": "Eigen."})
    assert note.startswith("Eigen. Ein höherer Wert zeigt eine stärkere soziale Belastung an.")


def test_slash_values_show_their_published_bounds():
    from pipelines.report.context import cell_parts
    from pipelines.report.formatting import bounds_text, row_value

    tight = {"symbol": "/", "wert": None, "untergrenze": 20.4750, "obergrenze": 20.4759}
    wide = {"symbol": "/", "wert": None, "untergrenze": 20.41, "obergrenze": 20.62}
    assert bounds_text(tight, 1) == "20,5" and bounds_text(wide, 1) == "20,4\u201320,6"
    assert row_value(tight) == pytest.approx(20.47545) and row_value(wide) is None
    assert cell_parts({**wide, "unsicher": True}, 1)[0].startswith("20,4\u201320,6")
    assert bounds_text({"symbol": "/", "untergrenze": None, "obergrenze": 3.0}, 1) is None
