"""The Musterstadt example deliveries: the hand-computed expectations of tests/fixtures/musterstadt/README.md."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import query


def test_unknown_address_quarantined_others_load(example_city):
    rows = query(
        example_city.quarantine_db,
        "select datei, zeile, spalte, grund, werte from quarantaene where quelle = 'sgb12'",
    )
    assert len(rows) == 1
    datei, zeile, _spalte, grund, werte = rows[0]
    assert (datei, zeile, grund) == ("sgb12/sgb12_2024-12-31.csv", 7, "adresse_unbekannt")
    shown = json.loads(werte)
    assert shown["strasse"] == "Unbekannte Gasse"  # the address may stay so it can be fixed
    assert "Nowak" not in werte and "Piotr" not in werte and "23.06.1962" not in werte
    assert query(example_city.warehouse_db, "select count(*) from raw.sgb12")[0][0] == 5


def test_address_assigned_on_reference_date_after_split(example_city):
    # 100004 lives at Lindenweg 3, which moved from 020100 to 020101 with the split
    ages = query(
        example_city.warehouse_db,
        "select gebiet_id, alter, leistungsart from raw.sgb12 where leistungsart = 'HZP'",
    )
    assert ages == [("020101", 84, "HZP")]


def test_leap_day_birthday_and_suffix_house_number(example_city):
    rows = dict(
        query(example_city.warehouse_db, "select leistungsart || alter, gebiet_id from raw.sgb12")
    )
    assert rows["GRUSI_EM56"] == "010102"  # born 29.02.1968: 56 on 31.12.2024
    assert rows["GRUSI_ALTER73"] == "010101"  # Marktplatz 2a -> Marktplatz;2;a


def test_ba_symbols_kept(example_city):
    row = query(
        example_city.warehouse_db,
        "select rlb, rlb_symbol, nef, nef_symbol from raw.sgb2 where gebiet_id = '020102'",
    )
    assert row == [(None, "*", 0, "-")]
    assert query(
        example_city.warehouse_db, "select rlb from raw.sgb2 where gebiet_id = '010201'"
    ) == [(1204,)]


def test_every_load_balances(example_city):
    rows = query(
        example_city.warehouse_db,
        "select datei, zeilen_gelesen, zeilen_geladen, zeilen_quarantaene from audit.loads where status in ('geladen','ersetzt')",
    )
    from pipelines.deliveries.landing import discover

    # one load per example delivery (one file of every kind of the registry)
    files = {f.relpath for f in discover(example_city.landing).files}
    assert {r[0] for r in rows} == files and len(rows) == len(files)
    for datei, read, loaded, quarantined in rows:
        assert read == loaded + quarantined, datei


def test_audit_names_file_hash_and_versions(example_city):
    import hashlib

    rows = query(
        example_city.warehouse_db,
        "select datei, sha256, run_id, vertrag_version, code_version, gestartet_am, beendet_am "
        "from audit.loads where quelle = 'sgb2'",
    )
    datei, sha, run_id, contract, code, start, end = rows[0]
    assert sha == hashlib.sha256((example_city.landing / datei).read_bytes()).hexdigest()
    assert run_id and contract and code and start <= end
    # every raw row carries the id of the load that wrote it
    assert (
        query(example_city.warehouse_db, "select count(*) from raw.sgb2 where load_id is null")[0][
            0
        ]
        == 0
    )


def test_facilities_loaded_and_bad_rows_quarantined(example_city):
    # tests/fixtures/musterstadt/README.md: 12 rows, 8 load, 4 quarantined
    rows = query(
        example_city.quarantine_db,
        "select zeile, spalte, grund from quarantaene where quelle = 'einrichtungen' order by zeile",
    )
    assert rows == [
        (10, "art", "code_unbekannt"),  # tagespflege is not in the code list
        (11, "gebiet_id", "gebiet_unbekannt"),  # 020100 ended with the split on 2024-01-01
        (12, "plaetze", "anzahl_negativ"),
        (13, "gueltig_ab", "periode_abweichend"),  # closed 2022-07-31, before the year
    ]
    loaded = query(
        example_city.warehouse_db,
        "select count(*), sum(plaetze), count(distinct einrichtung_id), min(jahr), max(jahr) "
        "from raw.einrichtungen",
    )
    assert loaded == [(8, 769, 6, 2024, 2024)]
    # the change of places in the year stays as two rows with their validity
    assert query(
        example_city.warehouse_db,
        "select plaetze, gueltig_bis from raw.einrichtungen where einrichtung_id = 'K-002' "
        "order by gueltig_ab",
    ) == [(60, date(2024, 7, 31)), (80, None)]
