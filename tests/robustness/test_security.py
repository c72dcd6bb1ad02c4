"""Owner-only files, the writer lock, no personal data in rejection or quarantine messages."""

from __future__ import annotations

import stat

import pytest

from tests.robustness.conftest import raw_snapshot, rows

PERSONAL = [
    "Müller",
    "Käthe",
    "Özdemir",
    "Hüseyin",
    "03.04.1951",
    "17.09.1957",
    "50-12-0001",
    "100001",
]


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_warehouse_files_are_owner_only(case):
    case.ingest([])  # init_warehouse on every run fixes the modes
    assert _mode(case.warehouse) == 0o700
    assert _mode(case.warehouse_db) == 0o600
    assert _mode(case.quarantine_db) == 0o600


def test_second_writer_refused_with_clear_message(case, capsys):
    from pipelines.cli import _run
    from pipelines.runner import run_pipeline
    from pipelines.warehouse.files import WarehousePaths
    from pipelines.warehouse.lock import WarehouseBusy, writer_lock

    before = raw_snapshot(case.warehouse_db)
    lock = WarehousePaths(case.warehouse).lock_file
    with writer_lock(lock):  # a run in progress
        with pytest.raises(WarehouseBusy, match="gerade von einem anderen Lauf"):
            run_pipeline(case.landing, case.warehouse, ingest_only=True)
        assert _run(case.landing, case.warehouse, None) == 1
    err = capsys.readouterr().err
    assert "Abbruch: Das Warehouse wird gerade von einem anderen Lauf geschrieben" in err
    assert "PID" in err  # says who holds it
    assert _mode(lock) == 0o600
    assert raw_snapshot(case.warehouse_db) == before


def _sgb12(case) -> bytes:
    return case.example("sgb12/sgb12_2024-12-31.csv").replace(b"31.12.2024", b"30.06.2024")


def test_broken_person_rows_never_show_names_or_birth_dates(case):
    data = (
        _sgb12(case)
        .replace("03.04.1951".encode("cp1252"), b"31.02.1951")  # impossible birth date
        .replace(b"GRUSI_EM", b"Unsinn")  # unknown code
        .replace(b"TUR;Am Kai;12;GRUSI_ALTER;N;1.034,10", b"TUR;Am Kai;12;GRUSI_ALTER;N;-5")
    )
    case.write("sgb12/sgb12_2024-06-30.csv", data)
    results = [r for r in case.ingest(["sgb12"]) if r.relpath == "sgb12/sgb12_2024-06-30.csv"]
    assert results[0].rows_quarantined >= 3
    text = (
        " ".join(
            str(x) for row in rows(case.quarantine_db, "select * from quarantaene") for x in row
        )
        + " ".join(results[0].warnings)
        + results[0].describe()
    )
    for value in [*PERSONAL, "31.02.1951"]:
        assert value not in text


def test_rejected_person_file_message_has_no_personal_data(case):
    # a person file with a missing column and a truncated last line: both file-level
    lines = _sgb12(case).decode("cp1252").replace("\r\n", "\n").rstrip("\n").split("\n")
    header = lines[0].replace(";leistungsart", ";art")
    case.write("sgb12/sgb12_2024-06-30.csv", "\n".join([header, *lines[1:]]).encode("cp1252"))
    case.write(
        "sgb12/sgb12_2023-12-31.csv",
        "\n".join(lines).replace("30.06.2024", "31.12.2023")[:-40].encode("cp1252"),
    )
    results = {r.relpath: r for r in case.ingest(["sgb12"])}
    texts = [
        results["sgb12/sgb12_2024-06-30.csv"].describe(),
        results["sgb12/sgb12_2023-12-31.csv"].describe(),
        *[
            m
            for (m,) in rows(
                case.warehouse_db, "select meldung from audit.loads where meldung is not null"
            )
        ],
    ]
    assert results["sgb12/sgb12_2024-06-30.csv"].reason == "spalte_fehlt"
    assert results["sgb12/sgb12_2023-12-31.csv"].reason == "datei_unvollstaendig"
    for t in texts:
        for value in [*PERSONAL, "Nowak", "Piotr", "23.06.1962"]:
            assert value not in t, t
