"""Person files under a lying header: no name or birth date in any output of a real run.

The header cells of the SGB XII and SGB VIII extracts are swapped the way a bad export
swaps them (`nachname;vorname` <-> `strasse;hausnummer`, `stichtag` <-> `geburtsdatum`,
`geburtsdatum` <-> `beginn`). The real pipeline runs (Dagster, ingest); then stdout and
stderr, every table of warehouse.duckdb and quarantine.duckdb and every byte of every
file in the warehouse folder (Dagster's run and event storage, logs) are searched for the
names, birth dates and case numbers of the delivered files.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date

import duckdb

from tests.conftest import EXAMPLES
from tests.robustness._corpus import NAME_ADDRESS, swap_header
from tests.robustness.conftest import Case


def _rows(relpath: str, encoding: str) -> list[dict]:
    text = (EXAMPLES / relpath).read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _personal_values() -> set[str]:
    out: set[str] = set()
    for relpath, enc, ids in [
        ("sgb12/sgb12_2024-12-31.csv", "cp1252", ("aktenzeichen",)),
        ("sgb8/sgb8_2024.csv", "utf-8", ("fall_nr",)),
    ]:
        for row in _rows(relpath, enc):
            out |= {row["nachname"], row["vorname"], *(row[i] for i in ids)}
            born = row["geburtsdatum"]
            day = (
                date.fromisoformat(born) if "-" in born else date(*map(int, born.split(".")[::-1]))
            )
            out |= {day.isoformat(), day.strftime("%d.%m.%Y")}
    return {v for v in out if len(v) >= 3}


def _every_text(db) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).fetchall()
        parts = []
        for schema, table in tables:
            for row in con.execute(f'select * from "{schema}"."{table}"').fetchall():
                parts.append(" ".join(str(x) for x in row))
        return "\n".join(parts)
    finally:
        con.close()


def test_swapped_headers_leak_nothing_anywhere(tmp_path, capfd):
    from pipelines.cli import _print_summary
    from pipelines.runner import run_pipeline

    case = Case(tmp_path / "landing", tmp_path / "warehouse")
    shutil.copytree(EXAMPLES, case.landing)
    sgb12 = (EXAMPLES / "sgb12/sgb12_2024-12-31.csv").read_bytes().decode("cp1252")
    sgb8 = (EXAMPLES / "sgb8/sgb8_2024.csv").read_text(encoding="utf-8")
    june = sgb12.replace("31.12.2024", "30.06.2024")
    case.write("sgb12/sgb12_2024-06-30.csv", swap_header(june, NAME_ADDRESS).encode("cp1252"))
    march = sgb12.replace("31.12.2024", "31.03.2024")
    case.write(
        "sgb12/sgb12_2024-03-31.csv",
        swap_header(march, [("stichtag", "geburtsdatum")]).encode("cp1252"),
    )
    case.write("sgb8/sgb8_2023.csv", swap_header(sgb8.replace("2024-", "2023-"), NAME_ADDRESS))
    case.write(
        "sgb8/sgb8_2022.csv",
        swap_header(sgb8.replace("2024-", "2022-"), [("geburtsdatum", "beginn")]),
    )

    outcome = run_pipeline(case.landing, case.warehouse, ingest_only=True)
    _print_summary(case.warehouse, outcome, 0.0)  # what `sozialmonitor run` prints
    out = capfd.readouterr()
    assert outcome.exit_code == 3, out.out + out.err

    con = duckdb.connect(str(case.warehouse_db), read_only=True)
    try:
        refused = dict(
            con.execute(
                "select datei, split_part(meldung, ':', 1) from audit.loads "
                "where status = 'abgewiesen'"
            ).fetchall()
        )
        loaded = con.execute("select count(*) from raw.sgb12").fetchone()[0]
    finally:
        con.close()
    assert refused == {
        "sgb12/sgb12_2024-06-30.csv": "inhalt_unplausibel",
        "sgb12/sgb12_2024-03-31.csv": "inhalt_unplausibel",
        "sgb8/sgb8_2023.csv": "inhalt_unplausibel",
        "sgb8/sgb8_2022.csv": "inhalt_unplausibel",
    }
    assert loaded > 0  # the correct December file is loaded: the scan below means something

    texts = {
        "Ausgabe": out.out + out.err,
        "warehouse.duckdb": _every_text(case.warehouse_db),
        "quarantine.duckdb": _every_text(case.quarantine_db),
    }
    for path in sorted(case.warehouse.rglob("*")):
        if path.is_file():
            texts[str(path.relative_to(case.warehouse))] = path.read_bytes().decode(
                "utf-8", errors="replace"
            )
    assert any("dagster_home" in name for name in texts)  # Dagster's storage is searched
    values = _personal_values()
    # whole words: 'Ben' is no leak in 'Benutzer'
    found = re.compile(r"\b(" + "|".join(re.escape(v) for v in sorted(values)) + r")\b")
    leaks = sorted({(name, m) for name, text in texts.items() for m in found.findall(text)})
    assert leaks == [], leaks
