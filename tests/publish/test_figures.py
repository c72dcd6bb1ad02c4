"""Blank means unknown: pinned figures, visible intervals, goals by bounds, a status index
without history and the information-loss ledger, on real builds of the Musterstadt
deliveries (one year) and of the small synthetic city."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.publish.figures import decide_goals, pinned_value
from pipelines.report.formatting import bounds_text
from tests.conftest import query

# the acceptance rule: no NULL `wert` where the published bounds are closer than this
PIN = 0.1


def test_pinned_value_at_the_shown_precision():
    # the child-poverty rate: both bounds round to 20,5
    assert pinned_value(20.4750, 20.4759) == 20.5
    # narrower than 0.1 but across a rounding edge: the midpoint, two decimals
    assert pinned_value(20.44, 20.46) == 20.45
    assert pinned_value(20.40, 20.50) is None
    assert pinned_value(None, 20.5) is None


def test_interval_text_as_in_report_and_excel():
    slash = {"symbol": "/", "untergrenze": 20.41, "obergrenze": 20.59}
    assert bounds_text(slash, 1) == "20,4\u201320,6"
    assert bounds_text({**slash, "untergrenze": 59, "obergrenze": 60}, 0) == "59\u201360"


def _goals(rows):
    ziele = pl.DataFrame(
        rows,
        schema={
            "indikator_id": pl.String,
            "gebiet_id": pl.String,
            "jahr": pl.Int32,
            "periode": pl.Date,
            "istwert": pl.Float64,
            "zielwert": pl.Float64,
            "abstand": pl.Float64,
            "richtung": pl.String,
            "erreicht": pl.Boolean,
            "symbol": pl.String,
            "unsicher": pl.Boolean,
        },
        orient="row",
    )
    day = date(2024, 12, 31)
    published = pl.DataFrame(
        [
            ("a", "00", day, None, "/", True, 20.47, 20.48),  # both above 18.5
            ("b", "00", day, None, "/", True, 18.0, 19.0),  # straddles 18.5
            ("c", "00", day, 20.5, None, True, 20.47, 20.48),  # pinned, above
            ("d", "00", day, 17.0, None, False, None, None),  # exact, below
            ("e", "00", day, None, "*", False, None, None),  # withheld
        ],
        schema={
            "indikator_id": pl.String,
            "gebiet_id": pl.String,
            "periode": pl.Date,
            "wert": pl.Float64,
            "symbol": pl.String,
            "unsicher": pl.Boolean,
            "untergrenze": pl.Float64,
            "obergrenze": pl.Float64,
        },
        orient="row",
    )
    return decide_goals(ziele, published)


def test_goals_are_decided_by_bounds():
    rows = [
        (i, "00", 2024, date(2024, 12, 31), None, 18.5, None, "hoechstens", None, None, False)
        for i in "abcde"
    ]
    out = {r["indikator_id"]: r for r in _goals(rows).iter_rows(named=True)}
    assert out["a"]["erreicht"] is False and out["a"]["istwert"] is None
    assert out["b"]["erreicht"] is None
    assert (out["b"]["untergrenze"], out["b"]["obergrenze"]) == (18.0, 19.0)
    assert out["c"]["erreicht"] is False and out["c"]["istwert"] == 20.5
    assert out["d"]["erreicht"] is True and out["d"]["abstand"] == pytest.approx(-1.5)
    assert out["d"]["untergrenze"] is None
    assert out["e"]["erreicht"] is None and out["e"]["symbol"] == "*"
    # "mindestens": the other side
    rows = [(r[0], *r[1:7], "mindestens", *r[8:]) for r in rows]
    out = {r["indikator_id"]: r for r in _goals(rows).iter_rows(named=True)}
    assert out["a"]["erreicht"] is True and out["b"]["erreicht"] is None


def _no_blank_pinned(db) -> list:
    return query(
        db,
        "select indikator_id, gebiet_id, periode, untergrenze, obergrenze from indikatoren "
        "where wert is null and obergrenze - untergrenze < ? limit 5",
        [PIN],
    )


def test_example_bounds_that_pin_a_figure_publish_it(example_city):
    db = example_city.publish_db
    assert _no_blank_pinned(db) == []
    # the city's SGB II rate: rlb only known as 1388..1389 (Am Bach `*`) of 6,220 under 65;
    # the warehouse has it as `/`, published it is 22,3 (both bounds round to it)
    mart = query(
        example_city.warehouse_db,
        "select symbol from marts.indikatoren where indikator_id = 'sgb2_quote' "
        "and gebiet_id = '00' and periode = '2024-12-31' and aktueller_gebietsstand",
    )[0][0]
    assert mart == "/"
    wert, symbol, unsicher, low, high = query(
        db,
        "select wert, symbol, unsicher, untergrenze, obergrenze from indikatoren "
        "where indikator_id = 'sgb2_quote' and gebiet_id = '00' and periode = '2024-12-31'",
    )[0]
    assert symbol is None and unsicher and high - low < PIN
    assert wert == 22.3 and round(low, 1) == round(high, 1) == 22.3
    # Stadtteil 0201: 59..60 of about 970 is wider than 0.1 pp: `/` with its bounds
    symbol, low, high = query(
        db,
        "select symbol, untergrenze, obergrenze from indikatoren "
        "where indikator_id = 'sgb2_quote' and gebiet_id = '0201' and periode = '2024-12-31'",
    )[0]
    assert symbol == "/" and high - low >= PIN
    # a pinned figure is published, so it is no longer in the suppression log
    logged = query(
        example_city.warehouse_db,
        "select count(*) from audit.geheimhaltung where tabelle = 'indikatoren' "
        "and merkmal = 'sgb2_quote' and gebiet_id in ('00', '0201') and periode = '2024-12-31'",
    )[0][0]
    assert logged == 1
    # the report shows the value, and the interval where there is one, never a bare '/'
    html = next((example_city.warehouse / "reports").glob("sozialbericht_*.html")).read_text()
    assert "22,3" in html
    assert bounds_text({"symbol": "/", "untergrenze": low, "obergrenze": high}, 1) in html


def test_excel_shows_the_interval(example_city):
    import fastexcel

    path = example_city.warehouse / "excel" / "indikatoren.xlsx"
    sheet = fastexcel.read_excel(path).load_sheet(0, dtypes={"Intervall": "string"}).to_polars()
    slash = sheet.filter(pl.col("Zeichen") == "/")
    assert slash.height > 0
    assert slash["Intervall"].str.contains("\u2013").all()
    assert (
        sheet.filter(pl.col("Zeichen").is_null())["Intervall"].null_count()
        == sheet.filter(pl.col("Zeichen").is_null()).height
    )


def test_one_year_city_gets_status_index_for_every_area_of_300(example_city):
    # Musterstadt delivers one year: no change over two years exists anywhere
    rows = query(
        example_city.publish_db,
        "select gebiet_id, einwohner, status_index, status_klasse, dynamik_index, "
        "ausschluss_grund_status, ausschluss_grund_dynamik from sozialindex "
        "where periode = '2024-12-31' order by gebiet_id",
    )
    assert len(rows) == 5
    # the three component rates as published (the index never shows what a withheld
    # rate would give away)
    shares_public = {
        g
        for (g, n) in query(
            example_city.publish_db,
            "select gebiet_id, count(*) from indikatoren where periode = '2024-12-31' "
            "and indikator_id in ('sgb2_alo_anteil', 'transferbezug', 'sgb2_kinderarmut') "
            "and wert is not null group by gebiet_id",
        )
        if n == 3
    }
    for gid, ew, status, klasse, dynamik, grund_s, grund_d in rows:
        assert dynamik is None and grund_d.startswith("keine Vergleichsperiode")
        if ew >= 300 and gid in shares_public:
            assert status is not None and klasse is not None and grund_s is None, gid
        else:
            assert status is None and grund_s, gid
    # Am Bach: transferbezug `*` at source. Kai: its 2 inhabitants aged 65+ are withheld,
    # Markt's 160 as their partner in Stadtbezirk 01, and with them each area's population
    # (`ew = ew_u65 + ew_65plus`), the denominator of transferbezug
    assert {r[0] for r in rows if r[2] is not None} == {"010102", "020101"}


def test_ledger_in_audit_and_dagster_metadata(example_city, monkeypatch):
    import dagster as dg

    wh = example_city.warehouse_db
    ledger = query(
        wh,
        "select tabelle, ebene, zellen, gesperrt, gesperrt_primaer, gesperrt_sekundaer, "
        "anteil_gesperrt, einwohneranteil_gesperrt from audit.informationsverlust "
        "where erstellt_um = (select max(erstellt_um) from audit.informationsverlust)",
    )
    by = {(r[0], r[1]): r for r in ledger}
    assert {t for t, _ in by} >= {"sgb2", "einwohner", "indikatoren"}
    for tabelle in ("sgb2", "indikatoren"):
        total = by[(tabelle, "alle Ebenen")]
        logged, primary, secondary = query(
            wh,
            "select count(*), count(*) filter (regel in ('primaer', 'einwohner_unter_min', 'einwohner_fehlt')), "
            "count(*) filter (regel like 'sekundaer%') from audit.geheimhaltung "
            "where tabelle = ?",
            [tabelle],
        )[0]
        assert (total[3], total[4], total[5]) == (logged, primary, secondary)
        levels = [r for (t, e), r in by.items() if t == tabelle and e != "alle Ebenen"]
        assert sum(r[2] for r in levels) == total[2] and sum(r[3] for r in levels) == total[3]
        assert 0 <= total[6] <= 1 and 0 <= total[7] <= 1
    # sgb2 in Musterstadt: Am Bach's and Dom's `*` are withheld, so something is lost
    assert by[("sgb2", "alle Ebenen")][3] > 0
    monkeypatch.setenv("DAGSTER_HOME", str(example_city.warehouse / "dagster_home"))
    instance = dg.DagsterInstance.get()
    try:
        event = instance.get_latest_materialization_event(dg.AssetKey(["publish", "indikatoren"]))
        metadata = event.asset_materialization.metadata
    finally:
        instance.dispose()
    assert "Einwohneranteil gesperrt" in metadata["informationsverlust"].value
    assert metadata["anteil_gesperrt_sgb2"].value == pytest.approx(
        by[("sgb2", "alle Ebenen")][6], abs=1e-6
    )


def test_goal_of_the_city_is_decided(example_city):
    rows = query(
        example_city.publish_db,
        "select indikator_id, gebiet_id, erreicht, istwert, untergrenze, obergrenze "
        "from zielerreichung order by indikator_id",
    )
    for _, _, erreicht, ist, low, high in rows:
        # undecided only when the published interval straddles the target
        assert erreicht is not None or (low is not None and high is not None) or ist is None


def test_small_city_no_blank_figure_with_pinned_bounds(small_city):
    assert _no_blank_pinned(small_city.publish_db) == []
    # every `/` that is left carries its interval
    bare = query(
        small_city.publish_db,
        "select count(*) from indikatoren where symbol = '/' "
        "and (untergrenze is null or obergrenze is null)",
    )[0][0]
    assert bare == 0
