"""Controlling over every delivered budget year: Plan/Ist side by side, the decomposition of
the change of Ist into Mengen-, Preiseffekt and Restglied, the Kennzahlenbericht, and their
disclosure (case counts are counts of persons; money derived from a withheld count is
withheld with it)."""

from __future__ import annotations

import polars as pl
import pytest

from tests.conftest import query, query_frame

CENT = 0.005


# --- the synthetic city: three closed years and the plan year -----------------------------


def test_plan_and_ist_for_every_delivered_year(small_city):
    delivered = {
        r[0]
        for r in query(small_city.warehouse_db, "select distinct haushaltsjahr from raw.finanzen")
    }
    assert delivered == {2022, 2023, 2024, 2025}
    t = query_frame(small_city.publish_db, "select * from controlling_haushalt")
    for gliederung in ("bereich", "produkt", "stadt"):
        part = t.filter(pl.col("gliederung") == gliederung)
        assert set(part["haushaltsjahr"]) == delivered, gliederung
        closed = part.filter(pl.col("haushaltsjahr") < 2025)
        assert closed["plan"].null_count() == 0 and closed["ist"].null_count() == 0
        assert (closed["abweichung"] - (closed["ist"] - closed["plan"])).abs().max() < CENT
        ratio = closed["ist"] / closed["plan"] * 100 - closed["ausfuehrungsquote"]
        assert ratio.abs().max() < 1e-9
        plan_year = part.filter(pl.col("haushaltsjahr") == 2025)
        assert plan_year["planjahr"].all() and plan_year["plan"].null_count() == 0
        assert plan_year["ist"].null_count() == plan_year.height
    # kept apart, and consistent: the products of a Bereich add up to the Bereich
    by_product = (
        t.filter(pl.col("gliederung") == "produkt")
        .group_by("haushaltsjahr", "bereich")
        .agg(pl.col("plan").sum().alias("p"), pl.col("ist").sum().alias("i"))
    )
    j = t.filter(pl.col("gliederung") == "bereich").join(
        by_product, left_on=["haushaltsjahr", "schluessel"], right_on=["haushaltsjahr", "bereich"]
    )
    assert j.height == t.filter(pl.col("gliederung") == "bereich").height
    assert (j["plan"] - j["p"]).abs().max() < CENT
    names = t.filter(pl.col("gliederung") == "bereich")["bezeichnung"].to_list()
    assert "SGB II Kosten der Unterkunft" in names and "sgb2_kdu" not in names


def test_decomposition_adds_up_for_every_row(small_city):
    for db, table in ((small_city.warehouse_db, "marts.controlling_zerlegung"),
                      (small_city.publish_db, "controlling_zerlegung")):  # fmt: skip
        z = query_frame(db, f"select * from {table}")
        # five case-carrying Bereiche, every pair of closed years (the plan year has no Ist)
        assert z.height == 5 * 2, table
        assert set(z["haushaltsjahr"]) == {2023, 2024}
        assert z["restglied"].null_count() == 0, table
        total = z["mengeneffekt"] + z["preiseffekt"] + z["restglied"]
        assert (total - (z["ist"] - z["ist_vorjahr"])).abs().max() < CENT, table
        assert (z["veraenderung"] - (z["ist"] - z["ist_vorjahr"])).abs().max() < CENT
        df, dk = (
            z["faelle"] - z["faelle_vorjahr"],
            z["kosten_je_fall"] - z["kosten_je_fall_vorjahr"],
        )
        assert (z["mengeneffekt"] - df * z["kosten_je_fall_vorjahr"]).abs().max() < CENT
        assert (z["preiseffekt"] - dk * z["faelle_vorjahr"]).abs().max() < CENT
        assert (z["restglied"] - df * dk).abs().max() < CENT
        assert (z["kosten_je_fall"] - z["ist"] / z["faelle"]).abs().max() < CENT


def test_kennzahlenbericht_per_product(small_city):
    k = query_frame(small_city.publish_db, "select * from controlling_kennzahlen")
    assert set(k["produkt"]) == {"31.2.01", "31.1.02", "31.1.03", "36.3.01", "36.3.02"}
    assert k["faelle"].null_count() == 0 and k["symbol"].null_count() == k.height
    assert ((k["faelle_je_1000_ew"] - k["faelle"] / k["einwohner"] * 1000).abs() < 1e-9).all()
    later = k.filter(pl.col("haushaltsjahr") > 2022)
    change = (later["faelle"] / later["faelle_vorjahr"] - 1) * 100
    assert ((change - later["faelle_veraenderung_prozent"]).abs() < 1e-9).all()
    assert (
        k.filter(pl.col("haushaltsjahr") == 2022)["faelle_veraenderung_prozent"].null_count() == 5
    )
    # KdU: the mean of the year's monthly counts of Bedarfsgemeinschaften of the city
    bg = query(
        small_city.warehouse_db,
        "select avg(round(wert)) from marts.basiszahlen where merkmal = 'bg' and ebene_rang = 0 "
        "and aktueller_gebietsstand and year(periode) = 2024 and wert is not null",
    )[0][0]
    kdu = k.filter((pl.col("produkt") == "31.2.01") & (pl.col("haushaltsjahr") == 2024))
    assert kdu["faelle"][0] == pytest.approx(bg)


def test_new_tables_carry_german_comments(small_city):
    for table in ("controlling_haushalt", "controlling_zerlegung", "controlling_kennzahlen"):
        rows = query(
            small_city.publish_db,
            "select column_name, comment from duckdb_columns() where table_name = ?",
            [table],
        )
        assert rows and all(c and c.strip() for _, c in rows), table


# --- Musterstadt with the year before: hand-computed ---------------------------------------


def _row(db, table: str, where: str) -> dict:
    rows = query_frame(db, f"select * from {table} where {where}").to_dicts()
    assert len(rows) == 1, (table, where, rows)
    return rows[0]


def test_hand_computed_decomposition_in_the_mart(vorjahr_city):
    assert vorjahr_city.outcome.exit_code == 0 and vorjahr_city.outcome.failed_checks == []
    db, t = vorjahr_city.warehouse_db, "marts.controlling_zerlegung"
    # HzE: 4 cases in 2023 (§§ 31, 41, 32 ended 31.10., 33), 3 in 2024 (§§ 31, 34, 41)
    hze = _row(db, t, "bereich = 'sgb8_hze' and haushaltsjahr = 2024")
    assert (hze["faelle_vorjahr"], hze["faelle"]) == (4, 3)
    assert hze["kosten_je_fall_vorjahr"] == pytest.approx(1_650_000.00)  # 6,600,000.00 / 4
    assert hze["kosten_je_fall"] == pytest.approx(2_355_040.30)  # 7,065,120.90 / 3
    assert hze["mengeneffekt"] == pytest.approx(-1_650_000.00, abs=CENT)  # (3 - 4) * 1,650,000
    assert hze["preiseffekt"] == pytest.approx(2_820_161.20, abs=CENT)  # 705,040.30 * 4
    assert hze["restglied"] == pytest.approx(-705_040.30, abs=CENT)  # (3 - 4) * 705,040.30
    assert hze["veraenderung"] == pytest.approx(465_120.90, abs=CENT)
    # GruSi: 4 recipients on 31.12.2023, 3 on 31.12.2024
    grusi = _row(db, t, "bereich = 'sgb12_grusi' and haushaltsjahr = 2024")
    assert grusi["mengeneffekt"] == pytest.approx(-295_000.00, abs=CENT)  # -1 * 1,180,000 / 4
    assert grusi["preiseffekt"] == pytest.approx(284_413.87, abs=CENT)  # (366,103.47 - 295,000) * 4
    assert grusi["restglied"] == pytest.approx(-71_103.47, abs=CENT)
    # KdU: 499 BG in 12/2023 (old layout), 2024 only bounded (a BA `*` in Am Bach)
    kdu = _row(db, t, "bereich = 'sgb2_kdu' and haushaltsjahr = 2024")
    assert kdu["faelle_vorjahr"] == 499 and kdu["unsicher"]
    for row in query_frame(db, f"select * from {t}").iter_rows(named=True):
        parts = row["mengeneffekt"] + row["preiseffekt"] + row["restglied"]
        assert abs(parts - (row["ist"] - row["ist_vorjahr"])) < CENT, row["bereich"]


def test_hand_computed_plan_ist_and_plan_year(vorjahr_city):
    db, t = vorjahr_city.publish_db, "controlling_haushalt"
    hze23 = _row(
        db, t, "gliederung = 'bereich' and schluessel = 'sgb8_hze' and haushaltsjahr = 2023"
    )
    # plan = ansatz_fortgeschrieben 6,700,000.00 (ansatz 6,500,000.00)
    assert (hze23["plan"], hze23["ist"], hze23["abweichung"]) == (
        6_700_000.0,
        6_600_000.0,
        -100_000.0,
    )
    assert hze23["ausfuehrungsquote"] == pytest.approx(98.507463, abs=1e-6)
    assert hze23["bezeichnung"] == "SGB VIII Hilfen zur Erziehung"
    kdu24 = _row(
        db, t, "gliederung = 'produkt' and schluessel = '31.2.01' and haushaltsjahr = 2024"
    )
    assert kdu24["ausfuehrungsquote"] == pytest.approx(101.44552, abs=1e-6)  # revenue not counted
    assert kdu24["bezeichnung"] == "Leistungen für Unterkunft und Heizung (SGB II)"
    city25 = _row(db, t, "gliederung = 'stadt' and haushaltsjahr = 2025")
    assert city25["plan"] == 14_650_000.0 and city25["ist"] is None and city25["planjahr"]
    assert "Planjahr" in city25["hinweis"]
    # the ratios of the old table skip the plan year instead of showing 0 or blanks
    assert not query(db, "select * from controlling where haushaltsjahr = 2025")


def test_hand_computed_kennzahlen_and_their_disclosure(vorjahr_city):
    db = vorjahr_city.publish_db
    kdu23 = _row(db, "controlling_kennzahlen", "produkt = '31.2.01' and haushaltsjahr = 2023")
    assert kdu23["faelle"] == 499 and kdu23["einwohner"] == 6_900
    assert kdu23["kosten_je_fall"] == pytest.approx(4_050_000 / 499)  # 8,116.23 EUR
    assert kdu23["faelle_je_1000_ew"] == pytest.approx(499 / 6_900 * 1000)  # 72.32
    # 2024: bg only known within 511..512 (a BA `*`): bounded, nothing derived from it
    kdu24 = _row(db, "controlling_kennzahlen", "produkt = '31.2.01' and haushaltsjahr = 2024")
    assert kdu24["symbol"] == "/" and kdu24["faelle"] is None and kdu24["kosten_je_fall"] is None
    assert kdu24["ist"] == pytest.approx(4_412_880.12)  # the budget is public
    # GruSi, HzE, Inobhutnahmen: the city's counts (3, 3, 1) are withheld by the one system
    # (primary or secondary); Ist / cost per case or the effects would give them back
    for produkt in ("31.1.02", "36.3.01", "36.3.02"):
        r = _row(db, "controlling_kennzahlen", f"produkt = '{produkt}' and haushaltsjahr = 2024")
        assert r["symbol"] == "*" and r["faelle"] is None and r["kosten_je_fall"] is None
        assert r["faelle_je_1000_ew"] is None and r["kosten_je_fall_veraenderung_prozent"] is None
    for bereich in ("sgb12_grusi", "sgb8_hze", "sgb8_inobhut"):
        z = _row(db, "controlling_zerlegung", f"bereich = '{bereich}'")
        assert z["symbol"] == "*"
        assert all(z[c] is None for c in ("faelle", "faelle_vorjahr", "kosten_je_fall",
                                          "mengeneffekt", "preiseffekt", "restglied"))  # fmt: skip
        assert z["ist"] is not None and z["veraenderung"] is not None
    city = query(
        vorjahr_city.warehouse_db,
        "select count(*) from audit.geheimhaltung where gebiet_id = '00' and periode = '2024-12-31' "
        "and merkmal in ('grusi_empfaenger', 'hze_faelle', 'inobhutnahmen')",
    )[0][0]
    assert city >= 3


def test_reader_finds_a_case_count_behind_published_money(vorjahr_city):
    """The attacker before every publish: a cost per case shown where the count is
    withheld is a finding (Ist / cost per case = the count)."""
    from pipelines.config import load_config
    from pipelines.disclosure import DisclosureConfig
    from pipelines.disclosure.reader import _visible_case_tables
    from pipelines.publish import cells

    db = vorjahr_city.warehouse_db
    cfg = DisclosureConfig.from_dict(load_config(None).get("offenlegung"))
    basis = query_frame(db, "select * from marts.basiszahlen")
    gebiete = query_frame(db, "select * from marts.gebiete")
    crosswalk = query_frame(db, "select * from intermediate.int_gebiete_umschluessel")
    counts = cells.disclose_counts(basis, gebiete, cfg, crosswalk=crosswalk)
    status = cells.city_case_status(counts.cells, gebiete)
    mart = query_frame(db, "select * from marts.controlling_kennzahlen")
    published = {"controlling_kennzahlen": cells.publish_kennzahlen(mart, status)}
    assert _visible_case_tables(published, counts, cells.TODAY) == []
    leaked = {"controlling_kennzahlen": mart.with_columns(pl.lit(None, pl.String).alias("symbol"))}
    found = _visible_case_tables(leaked, counts, cells.TODAY)
    assert {(f[1], f[2][:4]) for f in found} >= {("hze_faelle", "2024"), ("inobhutnahmen", "2024")}
    assert all(f[4] is None for f in found)  # never the true value


def test_explain_names_formula_values_cases_files_and_reason(vorjahr_city):
    import hashlib

    from pipelines.lineage.explain import ExplainError, explain_text

    text = explain_text(vorjahr_city.warehouse, "mengeneffekt", "sgb8_hze", "2024")
    assert "(3 − 4) × 1.650.000" in text and "= -1.650.000" in text
    assert "Probe:" in text and "465.120,90" in text
    for rel in ("finanzen/finanzen_2023.csv", "finanzen/finanzen_2024.csv", "sgb8/sgb8_2023.csv"):
        sha = hashlib.sha256((vorjahr_city.landing / rel).read_bytes()).hexdigest()
        assert rel in text and sha in text, rel
    assert "Veröffentlicht (publish.duckdb): *" in text and "sekundär gesperrt" in text
    assert "marts.controlling_zerlegung" in text and "publish.controlling_zerlegung" in text
    quote = explain_text(vorjahr_city.warehouse, "ausfuehrungsquote", "31.2.01", "2024")
    assert "4.412.880,12 / 4.350.000 × 100" in quote and "533900" in quote
    dense = explain_text(vorjahr_city.warehouse, "faelle_je_1000_ew", "31.2.01", "2023")
    assert "499 / 6.900 × 1.000" in dense and "sgb2/sgb2_2023-12.csv" in dense
    with pytest.raises(ExplainError, match="Am nächsten: sgb8_hze"):
        explain_text(vorjahr_city.warehouse, "mengeneffekt", "sgb8_hz", "2024")
