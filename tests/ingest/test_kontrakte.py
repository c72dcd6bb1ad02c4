"""Kontraktmanagement: the Musterstadt deliveries in massnahmen/ and leistungsberichte/
through the whole pipeline, and the mart `kontrakte` against the hand-computed figures of
tests/fixtures/musterstadt/README.md."""

from __future__ import annotations

import pytest

from tests.conftest import query


def _quarantine(city, quelle: str) -> set[tuple]:
    return set(
        query(
            city.quarantine_db,
            "select datei, zeile, spalte, grund from quarantaene where quelle = ?",
            [quelle],
        )
    )


def test_massnahmen_loaded_and_faulty_quarantined(example_city):
    rows = query(
        example_city.warehouse_db,
        "select massnahme_id, beginn::varchar, ende::varchar, gebiete from raw.massnahmen"
        " order by 1",
    )
    assert rows == [
        ("M-01", "2024-01-01", "2025-12-31", "010201"),
        # 020100 was valid until its split on 2024-01-01, inside the term: accepted
        ("M-02", "2023-03-01", "2024-12-31", "020100,020101"),
        ("M-03", "2024-01-01", "2024-12-31", "010201,010102"),
    ]
    assert _quarantine(example_city, "massnahmen") == {
        ("massnahmen/massnahmen.csv", 5, "ende", "ende_vor_beginn"),
        ("massnahmen/massnahmen.csv", 6, "gebiete", "gebiet_unbekannt"),
    }


def test_targets_budget_reports_checked_against_measures(example_city):
    assert _quarantine(example_city, "massnahmen_ziele") == {
        ("massnahmen/ziele.csv", 8, "massnahme_id", "massnahme_unbekannt"),
    }
    assert _quarantine(example_city, "massnahmen_budget") == {
        ("massnahmen/budget.csv", 7, "plan_eur", "betrag_negativ"),
        ("massnahmen/budget.csv", 8, "massnahme_id", "massnahme_unbekannt"),
    }
    assert _quarantine(example_city, "leistungsberichte") == {
        ("leistungsberichte/leistungsberichte_2024.csv", 5, "istwert", "anzahl_negativ"),
        ("leistungsberichte/leistungsberichte_2024.csv", 7, "massnahme_id", "massnahme_unbekannt"),
    }
    counts = [
        query(example_city.warehouse_db, f"select count(*) from raw.{t}")[0][0]
        for t in ("massnahmen_ziele", "massnahmen_budget", "leistungsberichte")
    ]
    assert counts == [6, 5, 4]
    # an empty istwert is "not reported", never 0
    assert query(
        example_city.warehouse_db,
        "select istwert, ist_eur from raw.leistungsberichte where massnahme_id = 'M-03'",
    ) == [(None, None)]


# massnahme_id, jahr, kennzahl -> soll, ist, plan_eur, ist_eur, ausfuehrungsquote,
# kosten_je_einheit, status (README of the Musterstadt fixtures)
EXPECTED = {
    ("M-01", 2024, "teilnehmende"): (40, 46, 48000, 45600, 95.0, 991.30, "erfuellt"),
    ("M-01", 2024, "beratungsstunden"): (600, 540, 48000, 45600, 95.0, 84.44, "verfehlt"),
    ("M-01", 2025, "teilnehmende"): (45, None, 50000, None, None, None, "offen"),
    ("M-02", 2023, None): (None, None, 60000, None, None, None, "ohne_leistungsziel"),
    ("M-02", 2024, "beratungsstunden"): (1200, 1250, 90000, 93750, 104.1667, 75.0, "erfuellt"),
    ("M-03", 2024, "teilnehmende"): (25, None, 30000, None, None, None, "offen"),
}


def test_kontrakte_reproduces_hand_computed_figures(example_city):
    rows = query(
        example_city.warehouse_db,
        "select massnahme_id, jahr, kennzahl, soll, ist, plan_eur, ist_eur,"
        " ausfuehrungsquote, kosten_je_einheit, status from marts.kontrakte",
    )
    got = {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}
    assert set(got) == set(EXPECTED)
    for key, want in EXPECTED.items():
        have = got[key]
        for w, h in zip(want, have, strict=True):
            if isinstance(w, float | int) and not isinstance(w, bool):
                assert h == pytest.approx(w, abs=1e-4), key
            else:
                assert h == w, key


def test_kontrakte_status_reasons(example_city):
    reasons = dict(
        query(
            example_city.warehouse_db,
            "select massnahme_id || '/' || jahr || '/' || coalesce(kennzahl, '-'), status_grund"
            " from marts.kontrakte",
        )
    )
    assert reasons["M-01/2025/teilnehmende"] == "kein Leistungsbericht für dieses Jahr"
    assert reasons["M-03/2024/teilnehmende"] == "Istwert im Leistungsbericht nicht angegeben"
    assert reasons["M-01/2024/beratungsstunden"] == "Ist bleibt unter dem Soll"
    # the quarantined measures (M-04, M-05) and the unknown one (M-09) appear nowhere
    ids = {
        r[0] for r in query(example_city.warehouse_db, "select massnahme_id from marts.kontrakte")
    }
    assert ids == {"M-01", "M-02", "M-03"}


def test_synthetic_city_contracts_late_and_missing(small_city):
    """The synthetic reports load without quarantine; the outstanding report and the empty
    output are `offen` with their reason, every other target year with a report is decided."""
    k = small_city.manifest["kontrakte"]
    last = small_city.manifest["years"][-1]
    assert not query(
        small_city.quarantine_db,
        "select * from quarantaene where quelle in"
        " ('massnahmen', 'massnahmen_ziele', 'massnahmen_budget', 'leistungsberichte')",
    )
    rows = query(
        small_city.warehouse_db,
        "select massnahme_id, jahr, kennzahl, status, status_grund from marts.kontrakte",
    )
    by_key = {(m, j, kz): (st, gr) for m, j, kz, st, gr in rows}
    late, empty = k["bericht_ausstehend"][0], k["istwert_leer"][0]
    late_rows = [v for (m, j, _), v in by_key.items() if (m, j) == (late["massnahme_id"], last)]
    assert late_rows and all(
        v == ("offen", "kein Leistungsbericht für dieses Jahr") for v in late_rows
    )
    assert by_key[(empty["massnahme_id"], empty["jahr"], empty["kennzahl"])] == (
        "offen",
        "Istwert im Leistungsbericht nicht angegeben",
    )
    decided = [
        st
        for (m, j, kz), (st, _) in by_key.items()
        if j <= last
        and (m, j) != (late["massnahme_id"], last)
        and (m, j, kz) != (empty["massnahme_id"], empty["jahr"], empty["kennzahl"])
    ]
    assert decided and set(decided) <= {"erfuellt", "verfehlt"}
    # next year's contract: agreed, not yet reported
    assert {st for (_, j, _), (st, _) in by_key.items() if j == last + 1} == {"offen"}
