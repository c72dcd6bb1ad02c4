"""The published `kontrakte`: amounts public, counts of people under the one disclosure
threshold, with everything that would give them back; the reader attacker checks it;
`explain` for a row."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

from pipelines.disclosure import DisclosureConfig
from pipelines.disclosure.reader import _visible_kontrakte
from pipelines.publish.cells import publish_kontrakte
from tests.conftest import query

CFG = DisclosureConfig(min_fallzahl=3)


def _mart(rows: list[tuple]) -> pl.DataFrame:
    """Rows (massnahme_id, jahr, kennzahl, richtung, soll, ist, ist_eur, status) as the mart."""
    out = []
    for mid, jahr, kz, richtung, soll, ist, ist_eur, status in rows:
        row = {
            "massnahme_id": mid, "titel": f"Titel {mid}", "traeger": "Träger",
            "produkt": "36.3.01", "gebiete": "010201", "jahr": jahr, "kennzahl": kz,
            "richtung": richtung, "soll": soll, "ist": ist,
            "zielerreichung": None if ist is None or not soll else ist / soll * 100,
            "plan_eur": 1000.0, "ist_eur": ist_eur,
            "abweichung_eur": None if ist_eur is None else ist_eur - 1000.0,
            "ausfuehrungsquote": None if ist_eur is None else ist_eur / 10,
            "kosten_je_einheit": None if not ist or ist_eur is None else ist_eur / ist,
            "status": status, "status_grund": "Grund",
        }  # fmt: skip
        out.append(row)
    return pl.DataFrame(
        out,
        schema_overrides={"soll": pl.Float64, "ist": pl.Float64, "ist_eur": pl.Float64},
    )


MART = _mart(
    [
        ("A", 2024, "teilnehmende", "mindestens", 40.0, 2.0, 900.0, "verfehlt"),
        ("B", 2024, "teilnehmende", "mindestens", 2.0, 2.0, 900.0, "erfuellt"),
        ("C", 2024, "beratungsstunden", "mindestens", 40.0, 2.0, 900.0, "verfehlt"),
        ("D", 2024, "teilnehmende", "mindestens", 5.0, 0.0, 900.0, "verfehlt"),
        ("E", 2024, "teilnehmende", "mindestens", 5.0, None, None, "offen"),
        ("F", 2024, "familien", "mindestens", 5.0, 7.0, 910.0, "erfuellt"),
        ("G", 2024, "familien", "mindestens", 5.0, 1.0, 910.0, "verfehlt"),
    ]
)


def test_small_counts_of_people_and_what_gives_them_back_are_withheld():
    out, log = publish_kontrakte(MART, CFG)
    by = {r["massnahme_id"]: r for r in out.iter_rows(named=True)}
    # 2 participants: Ist, Zielerreichung and cost per participant withheld, amounts public
    a = by["A"]
    assert (a["ist"], a["zielerreichung"], a["kosten_je_einheit"], a["symbol"]) == (
        None, None, None, "*",
    )  # fmt: skip
    assert (a["ist_eur"], a["plan_eur"], a["soll"], a["status"]) == (
        900.0,
        1000.0,
        40.0,
        "verfehlt",
    )
    # with a Soll of 2, "erfuellt" would say Ist = 2: the status is withheld too
    assert by["B"]["status"] == "gesperrt" and by["B"]["ist"] is None
    # hours are no people: published as they are
    assert (by["C"]["ist"], by["C"]["kosten_je_einheit"], by["C"]["symbol"]) == (2.0, 450.0, None)
    assert by["C"]["personenzahl"] is False
    # zero is published as `-`, not reported as `.`
    assert (by["D"]["ist"], by["D"]["symbol"]) == (0.0, "-")
    assert (by["E"]["ist"], by["E"]["symbol"]) == (None, ".")
    # an output the city names itself counts people unless it is hours or places
    assert by["F"]["ist"] == 7.0 and by["G"]["symbol"] == "*"
    assert sorted(log.select("gebiet_id", "merkmal", "regel").rows()) == [
        ("A", "teilnehmende", "primaer"),
        ("B", "teilnehmende", "primaer"),
        ("G", "familien", "primaer"),
    ]
    assert not _visible_kontrakte(out, CFG)


def test_reader_finds_a_count_the_table_gives_back():
    out, _ = publish_kontrakte(MART, CFG)
    # a publisher that forgot the cost per participant: Ist EUR / Kosten je Einheit = 2
    leaky = out.with_columns(
        pl.when(pl.col("massnahme_id") == "A")
        .then(pl.lit(450.0))
        .otherwise(pl.col("kosten_je_einheit"))
        .alias("kosten_je_einheit")
    )
    found = _visible_kontrakte(leaky, CFG)
    assert [(f[3], f[4], f[5]) for f in found] == [("A", 2.0, "kontrakt")]
    # one that kept the status of B: with Soll 2 it pins Ist = 2
    kept = out.with_columns(
        pl.when(pl.col("massnahme_id") == "B")
        .then(pl.lit("erfuellt"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    assert [(f[3], f[4]) for f in _visible_kontrakte(kept, CFG)] == [("B", 2.0)]


# massnahme, jahr, kennzahl -> published ist, kosten_je_einheit, symbol, status (Musterstadt,
# tests/fixtures/musterstadt/README.md: no output of people there is below 3)
PUBLISHED = {
    ("M-01", 2024, "teilnehmende"): (46.0, 991.30, None, "erfuellt"),
    ("M-01", 2024, "beratungsstunden"): (540.0, 84.44, None, "verfehlt"),
    ("M-01", 2025, "teilnehmende"): (None, None, ".", "offen"),
    ("M-02", 2023, None): (None, None, None, "ohne_leistungsziel"),
    ("M-02", 2024, "beratungsstunden"): (1250.0, 75.0, None, "erfuellt"),
    ("M-03", 2024, "teilnehmende"): (None, None, ".", "offen"),
}


def test_musterstadt_kontrakte_published_with_comments(example_city):
    rows = query(
        example_city.publish_db,
        "select massnahme_id, jahr, kennzahl, ist, kosten_je_einheit, symbol, status"
        " from kontrakte",
    )
    got = {(m, j, k): (i, c, s, st) for m, j, k, i, c, s, st in rows}
    assert set(got) == set(PUBLISHED)
    for key, want in PUBLISHED.items():
        assert got[key][0] == want[0] and got[key][2:] == want[2:], key
        assert got[key][1] == (None if want[1] is None else pytest.approx(want[1], abs=0.01))
    (gebiete,) = query(
        example_city.publish_db,
        "select distinct gebiete from kontrakte where massnahme_id = 'M-02'",
    )[0]
    assert gebiete == "020100,020101"
    comments = dict(
        query(
            example_city.publish_db,
            "select column_name, comment from duckdb_columns() where table_name = 'kontrakte'",
        )
    )
    assert all(comments.values()), comments
    assert "Mindestfallzahl" in comments["personenzahl"]


def test_explain_a_kontrakte_row(example_city):
    from pipelines.lineage.explain import ExplainError, explain_text

    text = explain_text(example_city.warehouse, "kosten_je_einheit", "M-01:teilnehmende", "2024")
    assert "Stadtteilmütter Kai [M-01]" in text
    assert "= 45.600 / 46 = 991,30" in text
    assert "Veröffentlicht (publish.duckdb): 991,30" in text
    sha = hashlib.sha256(
        (example_city.landing / "leistungsberichte" / "leistungsberichte_2024.csv").read_bytes()
    ).hexdigest()
    assert "leistungsberichte/leistungsberichte_2024.csv" in text and sha in text
    assert "massnahmen/budget.csv" in text
    assert "marts.kontrakte" in text and "publish.kontrakte" in text
    # `ist` of a measure goes to kontrakte, not to the controlling tables
    both = explain_text(example_city.warehouse, "status", "M-01", "2024")
    assert "Kennzahl teilnehmende" in both and "Kennzahl beratungsstunden" in both
    assert "Ist bleibt unter dem Soll" in both
    with pytest.raises(ExplainError, match="Unbekannte Maßnahme 'M-7'"):
        explain_text(example_city.warehouse, "ist", "M-7", "2024", "kontrakte")
    with pytest.raises(ExplainError, match="Vorhanden: beratungsstunden, teilnehmende"):
        explain_text(example_city.warehouse, "ist", "M-01:plaetze", "2024")
