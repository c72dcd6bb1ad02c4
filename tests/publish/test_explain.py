"""`explain` for every published table with figures, on the hand-computed Musterstadt."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.lineage.explain import ExplainError, explain_text


def test_bounds_and_source_star_areas_for_slash(example_city):
    text = explain_text(example_city.warehouse, "sgb2_quote", "0201", "2024-12-31")
    # rlb of 020102 is `*` at the BA: Gartenstadt's rate lies between two bounds
    assert "Veröffentlicht (publish.duckdb): / (zwischen 6,0825 und 6,1856)" in text
    assert "an der Quelle gesperrter Zelle" in text
    assert "020102       Am Bach" in text.split("an der Quelle gesperrter Zelle")[1]


def test_reason_for_a_withheld_rate(example_city):
    text = explain_text(example_city.warehouse, "grusi_alter_quote", "010201", "31.12.2024")
    assert "Veröffentlicht (publish.duckdb): *" in text
    assert "Anzahl grusi_alter_ave_65plus (31.12.2024): primär gesperrt" in text


def test_controlling_figures_are_explained(example_city):
    text = explain_text(example_city.warehouse, "budget_ausschoepfung", "31.2.01", "2024")
    assert "= 4.412.880,1200 / 4.350.000 -> 101,4455 %" in text
    sha = hashlib.sha256(
        (example_city.landing / "finanzen" / "finanzen_2024.csv").read_bytes()
    ).hexdigest()
    assert "finanzen/finanzen_2024.csv" in text and sha in text
    assert "publish.controlling" in text
    small = explain_text(
        example_city.warehouse, "hze_kosten_je_fall", "010101", "2024", "controlling"
    )
    assert "Veröffentlicht (publish.duckdb): *" in small and "Mindestfallzahl" in small
    assert "sgb8/sgb8_2024.csv" in small


def test_sozialindex_and_goals_are_explained(example_city):
    index = explain_text(example_city.warehouse, "sozialindex", "010101", "2024-12-31")
    assert "Sozialindex, Markt [010101]" in index and "sgb2_kinderarmut" in index
    # one year: a status index, no dynamics index (no earlier period)
    assert "status_klasse                        mittel" in index
    assert "Ohne Dynamik-Index: keine Vergleichsperiode" in index
    assert "Ohne Status-Index" not in index
    goal = explain_text(example_city.warehouse, "sgb2_kinderarmut", "00", "2024", "zielerreichung")
    assert "Istwert 34,5148 %, Zielwert 25, Abstand 9,5148" in goal
    assert "erreicht: nein" in goal and "nef_u15 / ew_u15" in goal


def test_unknown_area_date_and_key_name_the_closest(example_city):
    wh = example_city.warehouse
    with pytest.raises(
        ExplainError, match=r"Unbekanntes Gebiet '0102x'. Am nächsten: 0102 \(Hafen\)"
    ):
        explain_text(wh, "sgb2_quote", "0102x", "2024-12-31")
    with pytest.raises(ExplainError, match=r"Kein Stichtag 30.11.2024 .* Vorhanden: 31.12.2024"):
        explain_text(wh, "sgb2_quote", "00", "2024-11-30")
    with pytest.raises(ExplainError, match=r"Kein Stichtag 2023 .* Vorhanden: 2024"):
        explain_text(wh, "kdu_je_bg", "gesamt", "2023")
    with pytest.raises(ExplainError, match=r"Unbekannter Schlüssel '31.2.0' .* 31.2.01"):
        explain_text(wh, "budget_ausschoepfung", "31.2.0", "2024")
    with pytest.raises(ExplainError, match="nur für Gebiete der feinsten Ebene"):
        explain_text(wh, "sozialindex", "0101", "2024-12-31")
    with pytest.raises(
        ExplainError, match=r"Unbekannter Indikator 'sgb2_qote'. Am nächsten: sgb2_quote"
    ):
        explain_text(wh, "sgb2_qote", "00", "2024-12-31")


def test_demo_ends_with_what_to_do_next(example_city):
    from pipelines.cli import next_steps

    text = next_steps(example_city.warehouse, example_city.landing)
    assert "Bericht öffnen:" in text and "file://" in text and "make ui" in text
    atlas = (example_city.warehouse / "atlas" / "index.html").resolve().as_uri()
    assert f"Sozialatlas öffnen:   {atlas}" in text  # written by the pipeline's atlas asset
    assert (
        f"sozialmonitor explain sgb2_quote 00 2024-12-31 --warehouse {example_city.warehouse}"
        in text
    )
    assert explain_text(example_city.warehouse, "sgb2_quote", "00", "2024-12-31")


def test_reasons_for_dot_small_area_and_refused_month(small_city):
    small = explain_text(small_city.warehouse, "altenquotient", "010101", "2022-12-31")
    assert "Veröffentlicht (publish.duckdb): ." in small
    assert (
        "Mindesteinwohnerzahl" in small and "Einwohnerzahl des Gebiets am 31.12.2022: 157." in small
    )
    refused = next(
        d["file"] for d in small_city.manifest["defects"]
        if d["level"] == "file" and d["file"].startswith("sgb2/")
    )  # fmt: skip
    month = refused.split("_")[1][:7]
    import calendar

    year, mon = map(int, month.split("-"))
    day = f"{month}-{calendar.monthrange(year, mon)[1]}"
    text = explain_text(small_city.warehouse, "sgb2_quote", "00", day)
    assert "keine Lieferung geladen" in text and f"Abgewiesen: {refused}: " in text
