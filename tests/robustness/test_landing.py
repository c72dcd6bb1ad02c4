"""The landing folder as it is now decides, every run: nothing remembered, nothing unlisted."""

from __future__ import annotations

import shutil
import time
from datetime import date

import pytest

from tests.conftest import EXAMPLES
from tests.robustness.conftest import Case, rows

S12 = "sgb12/sgb12_2024-12-31.csv"
TWIN = "sgb12/sgb12_neu_2024-12-31.csv"
NEAR_MISSES = {
    "sgb12/SGB12_2024-12-31.csv": "sgb12/sgb12_2024-12-31.csv",
    "sgb12/sgb12-2024-06-30.csv": "sgb12/sgb12_2024-06-30.csv",
    "sgb12/2025/sgb12_2025-01-31.csv": "sgb12/sgb12_2025-01-31.csv",
    "SGB8/sgb8_2023.csv": "sgb8/sgb8_2023.csv",
    "sgb2/Lieferung Januar.csv": "sgb2/sgb2_JJJJ-MM.csv",
    "sgb12_2024-06-30.csv": "sgb12/sgb12_2024-06-30.csv",
}


def _landing(tmp_path) -> Case:
    case = Case(tmp_path / "landing", tmp_path / "warehouse")
    shutil.copytree(EXAMPLES, case.landing)
    return case


def _run(case):
    from pipelines.runner import run_pipeline

    return run_pipeline(case.landing, case.warehouse, ingest_only=True)


def _status(outcome) -> dict[str, str]:
    return {e.relpath: e.status for e in outcome.files}


def test_refusal_of_twins_is_decided_again_when_one_is_gone(tmp_path):
    case = _landing(tmp_path)
    case.write(TWIN, case.example(S12))
    first = _run(case)
    assert first.exit_code == 3
    rejected = dict(first.rejected_files)
    assert rejected[S12].startswith("periode_doppelt") and rejected[TWIN].startswith(
        "periode_doppelt"
    )
    # nothing changed: still refused, still exit 3 (not "abgewiesen: 0", not exit 0)
    second = _run(case)
    assert second.exit_code == 3
    assert {S12, TWIN} <= set(dict(second.rejected_files))
    assert _status(second)[S12] == "abgewiesen"
    (case.landing / TWIN).unlink()
    third = _run(case)
    assert third.exit_code == 0, third.rejected_files
    assert _status(third)[S12] == "geladen"
    n = rows(case.warehouse_db, "select count(*) from raw.sgb12")[0][0]
    assert n > 0
    fourth = _run(case)
    assert fourth.exit_code == 0 and _status(fourth)[S12] == "unveraendert"


def test_future_period_loads_once_its_date_has_come(case):
    target = "einwohner/einwohner_2025-06-30.csv"
    text = case.example("einwohner/einwohner_2024-12-31.csv").decode("utf-8-sig")
    case.write(target, text.replace("31.12.2024", "30.06.2025"))
    early = [r for r in case.ingest(["einwohner"], date(2025, 3, 1)) if r.relpath == target]
    assert [r.status for r in early] == ["abgewiesen"] and early[0].reason == "periode_zukunft"
    later = [r for r in case.ingest(["einwohner"], date(2025, 7, 1)) if r.relpath == target]
    assert [r.status for r in later] == ["geladen"], [r.describe() for r in later]
    assert rows(
        case.warehouse_db, "select count(*) from raw.einwohner where stichtag = '2025-06-30'"
    ) == [(25,)]


def test_every_file_in_the_landing_folder_is_accounted_for(tmp_path):
    case = _landing(tmp_path)
    for rel in NEAR_MISSES:
        case.write(rel, case.example(S12))
    case.write("notiz.txt", "bitte bis Freitag laden\n")
    case.write("finanzen/finanzen_2999.csv", case.example("finanzen/finanzen_2024.csv"))
    out = _run(case)
    assert out.exit_code == 3
    on_disk = {
        p.relative_to(case.landing).as_posix() for p in case.landing.rglob("*") if p.is_file()
    }
    files = {e.relpath: e for e in out.files}
    assert set(files) == on_disk
    for rel, like in NEAR_MISSES.items():
        assert files[rel].status == "keine_lieferung", files[rel]
        assert files[rel].resembles == like, files[rel]
        assert files[rel].reason and files[rel].message
    assert files["notiz.txt"].status == "keine_lieferung" and files["notiz.txt"].resembles is None
    assert files["finanzen/finanzen_2999.csv"].status == "abgewiesen"
    assert files["finanzen/finanzen_2999.csv"].reason == "periode_zukunft"
    assert files[S12].status == "geladen"
    audit = rows(
        case.warehouse_db,
        "select datei, status, grund, aehnelt from audit.eingang where lauf_id = ?",
        [out.lauf_id],
    )
    assert {a[0] for a in audit} == on_disk
    assert {a[0]: a[3] for a in audit if a[3]} == NEAR_MISSES
    # the budget year 2999 never became a budget year
    assert (
        rows(case.warehouse_db, "select count(*) from raw.finanzen where haushaltsjahr = 2999")[0][
            0
        ]
        == 0
    )
    # a second run lists every file again, now unchanged
    again = _run(case)
    assert {e.relpath for e in again.files} == on_disk
    assert {e.relpath: e.status for e in again.files}[S12] == "unveraendert"
    assert again.exit_code == 3


@pytest.mark.parametrize("content", ["leer", "falsch", "nur_referenz"])
def test_wrong_landing_folder_is_an_error_in_seconds(tmp_path, content):
    from click.testing import CliRunner

    from pipelines.cli import main

    landing = tmp_path / "eingang"
    landing.mkdir()
    if content == "falsch":
        (landing / "SGB8").mkdir()
        (landing / "SGB8" / "sgb8_2024.csv").write_bytes(
            (EXAMPLES / "sgb8/sgb8_2024.csv").read_bytes()
        )
        (landing / "notiz.txt").write_text("x")
    if content == "nur_referenz":
        shutil.copytree(EXAMPLES / "reference", landing / "reference")
    t0 = time.perf_counter()
    result = CliRunner().invoke(
        main, ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh")]
    )
    assert time.perf_counter() - t0 < 10
    assert result.exit_code == 1, result.output
    assert "Eingangsordner" in result.output and "Traceback" not in result.output
    if content == "nur_referenz":
        assert "keine Lieferung erkannt" in result.output
    else:
        assert "reference/gebiete.csv fehlt" in result.output
    if content == "falsch":
        assert "ähnelt sgb8/sgb8_2024.csv" in result.output
    assert not (tmp_path / "wh").exists()  # no empty warehouse, no report


CUT = "einwohner/einwohner_2025-06-30.csv"


def _cut_delivery(case, keep: int) -> None:
    """June 2025 as the December file, cut exactly at a line end after `keep` rows."""
    text = case.example("einwohner/einwohner_2024-12-31.csv").decode("utf-8-sig")
    lines = text.replace("31.12.2024", "30.06.2025").replace("\r\n", "\n").split("\n")
    case.write(CUT, "\n".join(lines[: keep + 1]) + "\n")


def test_file_cut_at_a_line_end_is_held_until_confirmed(tmp_path):
    from pipelines.runner import run_pipeline

    case = _landing(tmp_path)
    config = tmp_path / "stadt.yaml"
    # the Musterstadt has 25 population rows: compare histories from 5 rows on
    config.write_text("plausibilitaet:\n  mengen_mindestzeilen: 5\n", encoding="utf-8")
    _cut_delivery(case, 10)
    held = run_pipeline(case.landing, case.warehouse, config, ingest_only=True)
    assert held.exit_code == 3
    message = dict(held.rejected_files)[CUT]
    assert message.startswith("menge_unplausibel"), message
    assert "Zeilen 10 statt 25" in message and "--bestaetigen" in message
    assert rows(
        case.warehouse_db, "select count(*) from raw.einwohner where stichtag = '2025-06-30'"
    ) == [(0,)]
    # the same file again: held again (decided anew, not remembered as loaded or refused)
    again = run_pipeline(case.landing, case.warehouse, config, ingest_only=True)
    assert again.exit_code == 3 and CUT in dict(again.rejected_files)
    # confirmed on the command line: loads
    ok = run_pipeline(case.landing, case.warehouse, config, ingest_only=True, confirm=(CUT,))
    assert ok.exit_code == 0, ok.rejected_files
    assert rows(
        case.warehouse_db, "select count(*) from raw.einwohner where stichtag = '2025-06-30'"
    ) == [(10,)]


def test_volume_confirmation_file_in_the_landing_folder(tmp_path, monkeypatch):
    from pipelines.deliveries.load import load_file
    from pipelines.deliveries.volume import rule_from

    case = _landing(tmp_path)
    case.ingest()
    _cut_delivery(case, 24)  # one row fewer: within 30 %
    from pipelines.config import load_config
    from pipelines.deliveries.landing import discover
    from pipelines.deliveries.load import build_context
    from pipelines.warehouse.store import Session

    config = load_config(None)
    config["plausibilitaet"]["mengen_mindestzeilen"] = 5

    def load():
        (f,) = [x for x in discover(case.landing).files if x.relpath == CUT]
        with Session(case.warehouse_db, case.quarantine_db) as s:
            return load_file(f, build_context(s.warehouse, None), s, "t", None,
                             rule_from(config, case.landing))  # fmt: skip

    assert load().status == "geladen"
    _cut_delivery(case, 3)  # 3 of 25 rows
    r = load()
    assert (r.status, r.reason) == ("abgewiesen", "menge_unplausibel"), r.describe()
    sha = r.sha256
    case.write("bestaetigungen.txt", f"{CUT} {'0' * 12}  # falsche Prüfsumme\n")
    assert load().status == "abgewiesen"  # confirms other bytes, not these
    case.write("bestaetigungen.txt", f"# geprüft mit dem Amt\n{CUT} {sha[:12]}\n")
    assert load().status == "ersetzt"
