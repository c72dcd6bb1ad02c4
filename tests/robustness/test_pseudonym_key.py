"""The pseudonym key: strong enough, the warehouse's own, and changed only on purpose."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import TEST_KEY
from tests.robustness._corpus import sgb12_text
from tests.robustness.conftest import raw_snapshot, rows

NEW_KEY = "neuer-schluessel-9f3a7c21d84e6b05"
IDS = "select aktenzeichen, person_nr from (values {}) t(aktenzeichen, person_nr)"


@pytest.mark.parametrize(
    ("key", "why"),
    [
        (" " * 16, "nur Leerzeichen"),
        ("kurz", "nur 4 Zeichen"),
        ("abcabcabcabcabcabc", "Wiederholung"),
        ("aaaaaaaaaaaaaaab", "verschiedene Zeichen"),
    ],
)
def test_weak_keys_refused(monkeypatch, key, why):
    from pipelines.protection.pseudonym import MissingKeyError, key_from_env

    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", key)
    with pytest.raises(MissingKeyError, match=why):
        key_from_env()


def test_key_is_not_stripped(monkeypatch):
    from pipelines.protection.pseudonym import key_from_env

    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", TEST_KEY + "\n")
    assert key_from_env() == (TEST_KEY + "\n").encode()


@pytest.mark.parametrize("other", [TEST_KEY + "\n", "ganz-anderer-schluessel-4711abcdef"])
def test_another_key_refuses_before_any_write(case, monkeypatch, capsys, other):
    from pipelines.cli import _run
    from pipelines.protection.keys import KeyMismatch

    case.write("sgb12/sgb12_2024-06-30.csv", sgb12_text(case).encode("cp1252"))
    before = raw_snapshot(case.warehouse_db)
    audit = rows(case.warehouse_db, "select count(*) from audit.loads")
    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", other)
    with pytest.raises(KeyMismatch, match="Fingerabdruck passt nicht"):
        case.ingest(["sgb12"])  # the path Dagster's assets take (UI, sensor, schedule)
    assert _run(case.landing, case.warehouse, None) == 1  # `sozialmonitor run`
    err = capsys.readouterr().err
    assert "Abbruch: Der Schlüssel in SOZIALMONITOR_PSEUDONYM_KEY ist nicht der" in err
    assert ("Zeilenumbruch" in err) == other.endswith("\n")
    assert "Traceback" not in err
    assert raw_snapshot(case.warehouse_db) == before
    assert rows(case.warehouse_db, "select count(*) from audit.loads") == audit


def _pseudonyms(case) -> list[tuple]:
    return rows(
        case.warehouse_db,
        "select fall_pseudonym, person_pseudonym from raw.sgb12 order by 1",
    )


def test_rotation_repseudonymises_and_new_loads_match(case, monkeypatch):
    from pipelines.cli import main
    from pipelines.protection.pseudonym import pseudonym

    old = _pseudonyms(case)
    assert old
    runner = CliRunner()
    env = {"SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY, "SOZIALMONITOR_PSEUDONYM_KEY_NEU": NEW_KEY}
    args = [
        "schluessel-wechseln",
        "--landing",
        str(case.landing),
        "--warehouse",
        str(case.warehouse),
    ]
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Schlüssel gewechselt" in result.output
    new = _pseudonyms(case)
    assert len(new) == len(old) and not set(new) & set(old)
    # exactly what a load under the new key computes
    lines = sgb12_text(case).strip().split("\n")[1:]
    want = {
        (
            pseudonym(NEW_KEY.encode(), "sgb12/fall", x.split(";")[1]),
            pseudonym(NEW_KEY.encode(), "sgb12/person", x.split(";")[2]),
        )
        for x in lines
    }
    assert set(new) <= want  # every stored row (one of the file is in quarantine)

    # the old key is refused now, the new one loads the next delivery onto the same persons
    case.write("sgb12/sgb12_2024-06-30.csv", sgb12_text(case).encode("cp1252"))
    from pipelines.protection.keys import KeyMismatch

    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", TEST_KEY)
    with pytest.raises(KeyMismatch):
        case.ingest(["sgb12"])
    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", NEW_KEY)
    case.ingest(["sgb12"])
    june = rows(
        case.warehouse_db,
        "select person_pseudonym from raw.sgb12 where stichtag = date '2024-06-30' order by 1",
    )
    december = rows(
        case.warehouse_db,
        "select person_pseudonym from raw.sgb12 where stichtag = date '2024-12-31' order by 1",
    )
    assert june == december and june


def test_rotation_refused_without_the_deliveries(case):
    from pipelines.cli import main

    before = raw_snapshot(case.warehouse_db)
    (case.landing / "sgb8/sgb8_2024.csv").unlink()
    env = {"SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY, "SOZIALMONITOR_PSEUDONYM_KEY_NEU": NEW_KEY}
    args = [
        "schluessel-wechseln",
        "--landing",
        str(case.landing),
        "--warehouse",
        str(case.warehouse),
    ]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert "sgb8/sgb8_2024.csv" in result.output and "nichts geändert" in result.output
    assert raw_snapshot(case.warehouse_db) == before
