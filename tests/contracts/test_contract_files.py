"""Every contract YAML loads, says what docs/sources.md says, and lints offline."""

from __future__ import annotations

import itertools
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipelines.contracts import (
    CONTRACTS_DIR,
    KINDS,
    ContractError,
    all_contracts,
    load_contract,
    read_contract,
)
from pipelines.contracts.lint import lint_contracts
from pipelines.contracts.loader import parse_contract
from pipelines.deliveries.sgb2 import SGB2_MEASURES
from tests.contracts._examples import EXAMPLE_FILES, EXAMPLES, decode

REPO = Path(__file__).resolve().parents[2]

SOURCES_MD = REPO / "docs" / "sources.md"


def sources_section(kind: str) -> str:
    """The section of docs/sources.md headed with the kind's folder and file name."""
    contract = load_contract(kind)
    text = SOURCES_MD.read_text(encoding="utf-8")
    heads = [m.start() for m in re.finditer(r"^#{2,3} ", text, re.M)] + [len(text)]
    marker = f"`{contract.landing_folder}/{contract.file_stem}"
    for start, end in itertools.pairwise(heads):
        head = text[start : text.index("\n", start)]
        rest = head.split(marker, 1)[1] if marker in head else None
        if rest is not None and (
            rest.startswith("_") if contract.period_kind else rest.startswith(contract.suffixes)
        ):
            return text[start:end]
    raise AssertionError(f"docs/sources.md hat keinen Abschnitt für {kind} ({marker}...)")


def test_one_contract_per_kind_and_all_load():
    assert sorted(p.stem for p in CONTRACTS_DIR.glob("*.yaml")) == sorted(KINDS)
    contracts = all_contracts()
    assert set(contracts) == set(KINDS)
    for kind, contract in contracts.items():
        assert contract.kind == kind
        assert contract.version.count(".") == 2
        assert contract.owner and contract.purpose and contract.title


def test_load_contract_is_cached():
    assert load_contract("sgb2") is load_contract("sgb2")


@pytest.mark.parametrize("kind", KINDS)
def test_sources_md_names_every_delivered_column(kind):
    """Each column of the file (by its name or one of its header spellings) is described."""
    section = sources_section(kind).casefold()
    contract = load_contract(kind)
    for column in contract.header_columns:
        spellings = {column, *contract.column(column).aliases}
        assert any(
            re.search(rf"(?<![\w-]){re.escape(s.casefold())}(?![\w-])", section) for s in spellings
        ), f"docs/sources.md beschreibt die Spalte {column!r} von {kind} nicht"


@pytest.mark.parametrize("kind", sorted(EXAMPLE_FILES))
def test_example_headers_map_onto_contract(kind):
    contract = load_contract(kind)
    header = decode((EXAMPLES / EXAMPLE_FILES[kind]).read_bytes()).splitlines()[0].split(";")
    lookup = contract.header_lookup()
    mapped = {lookup[h.strip().casefold()] for h in header}
    # every required column is there, every header maps onto a column (optional ones may lack)
    assert set(contract.required_columns) <= mapped <= set(contract.header_columns)
    assert len(mapped) == len(header)


def test_ba_header_row_maps_through_aliases():
    text = decode((EXAMPLES / "sgb2/sgb2_2024-12.csv").read_bytes())
    header = next(line for line in text.splitlines() if line.startswith("Gebiet;"))
    contract = load_contract("sgb2")
    lookup = contract.header_lookup()
    mapped = [lookup[h.strip().casefold()] for h in header.split(";")]
    assert mapped == list(contract.header_columns)
    assert lookup["bedarfsgemeinschaften"] == "bg"
    assert lookup["regelleistungsberechtigte"] == "rlb"
    assert lookup["dar. nef unter 15 jahren"] == "nef_u15"
    assert set(contract.required_columns) == set(contract.header_columns) - {"gebietsname"}


def test_owners_cadence_and_period_rule():
    c = all_contracts()
    assert (c["sgb2"].owner, c["sgb2"].cadence) == ("Bundesagentur für Arbeit", "monatlich")
    assert (c["sgb12"].owner, c["sgb8"].owner, c["finanzen"].owner) == (
        "Sozialamt",
        "Jugendamt",
        "Kämmerei",
    )
    assert c["einwohner"].cadence == "halbjährlich"
    assert c["gebiete"].cadence == "bei Änderung"
    periods = {k: (v.period_kind, v.period_column) for k, v in c.items()}
    assert periods["einwohner"] == ("stichtag", "stichtag")
    assert periods["sgb12"] == ("stichtag", "stichtag")
    assert periods["sgb2"] == ("monat", "berichtsmonat")
    assert periods["sgb8"] == ("jahr", "jahr")
    assert periods["finanzen"] == ("jahr", "haushaltsjahr")
    assert periods["bewegungen"] == ("jahr", "jahr")
    assert periods["gebiete"] == (None, None)
    assert c["sgb8"].column("jahr").origin == "dateiname"
    assert c["sgb2"].column("berichtsmonat").origin == "titelblock"


def test_file_patterns_match_the_example_files():
    import re

    for kind, rel in EXAMPLE_FILES.items():
        assert re.match(load_contract(kind).file_pattern, Path(rel).name), kind
    assert re.match(load_contract("sgb2").file_pattern, "sgb2_2024-12.xlsx")


def test_personal_columns_and_their_handling():
    for kind in ("sgb12", "sgb8"):
        contract = load_contract(kind)
        handling = {
            c.name: (c.personal, c.personal_handling) for c in contract.columns if c.personal
        }
        assert handling["nachname"] == handling["vorname"] == ("name", "entfernen")
        assert handling["geburtsdatum"] == ("geburtsdatum", "alter")
        assert handling["person_nr"] == ("kennung", "pseudonym")
        assert handling["strasse"] == handling["hausnummer"] == ("adresse", "gebiet")
        assert set(contract.personal_columns) == set(handling)
        assert all(contract.column(n).classification == "confidential" for n in handling)
        # names are not needed: a delivery without them is welcome
        assert "nachname" not in contract.required_columns
    assert load_contract("sgb12").column("aktenzeichen").personal == "kennung"
    assert load_contract("sgb8").column("fall_nr").personal == "kennung"
    for kind in KINDS:
        if kind not in ("sgb12", "sgb8"):
            assert load_contract(kind).personal_columns == ()


def test_codes_bounds_and_ba_symbols():
    c = all_contracts()
    assert c["einwohner"].column("geschlecht").codes == ("m", "w", "d", "insgesamt")
    assert c["einwohner"].column("staatsangehoerigkeit").codes == (
        "deutsch",
        "nichtdeutsch",
        "insgesamt",
    )
    alter = c["einwohner"].column("alter")
    assert (alter.minimum, alter.maximum, alter.bound_reason) == (0, 100, "alter_unplausibel")
    assert c["sgb12"].column("einrichtung").codes == ("J", "N")
    assert "35a" in c["sgb8"].column("hilfeart").codes
    assert c["sgb2"].ba_symbols == {"*": None, "-": 0, ".": None, "x": None}
    measures = [col.name for col in c["sgb2"].columns if col.ba_symbols]
    assert tuple(measures) == SGB2_MEASURES  # the raw table holds the same measures
    assert all(c["sgb2"].column(m).minimum == 0 for m in measures)
    typed = c["sgb2"].typed_schema()
    assert all(f"{m}_symbol" in typed for m in measures)


def _mutated(kind: str, mutate) -> dict:
    doc = yaml.safe_load((CONTRACTS_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))
    mutate(doc)
    return doc


def _prop(doc: dict, name: str) -> dict:
    return next(p for p in doc["schema"][0]["properties"] if p["name"] == name)


def _set_rule_reason(doc: dict) -> None:
    doc["schema"][0]["quality"][0]["implementation"]["grund"] = "kaputt"


def _unquoted_code(doc: dict) -> None:
    _prop(doc, "hilfeart")["enum"][1]["value"] = 28


def _name_not_confidential(doc: dict) -> None:
    _prop(doc, "nachname")["classification"] = "restricted"


def _wrong_handling(doc: dict) -> None:
    _prop(doc, "geburtsdatum")["customProperties"][1]["value"]["behandlung"] = "entfernen"


def _alias_clash(doc: dict) -> None:
    _prop(doc, "rlb")["customProperties"][0]["value"].append("Bedarfsgemeinschaften")


def _unknown_rule_column(doc: dict) -> None:
    doc["schema"][0]["quality"][0]["implementation"]["summanden"] = ["elb", "nef_x"]


def _bad_cadence(doc: dict) -> None:
    doc["slaProperties"][0]["value"] = "wöchentlich"


def _bad_version(doc: dict) -> None:
    doc["version"] = "1.0"


@pytest.mark.parametrize(
    ("kind", "mutate", "message"),
    [
        ("einwohner", _set_rule_reason, "kein Grundcode"),
        ("sgb8", _unquoted_code, "muss Text sein"),
        ("sgb12", _name_not_confidential, "confidential"),
        ("sgb12", _wrong_handling, "verlangt die Behandlung 'alter'"),
        ("sgb2", _alias_clash, "Kopfzeile 'bedarfsgemeinschaften'"),
        ("sgb2", _unknown_rule_column, "nef_x"),
        ("einwohner", _bad_cadence, "frequency"),
        ("einwohner", _bad_version, "SemVer"),
    ],
)
def test_broken_contracts_are_rejected_with_a_german_message(kind, mutate, message):
    with pytest.raises(ContractError, match=message):
        parse_contract(_mutated(kind, mutate), kind=kind)


def test_read_contract_of_a_copied_file(tmp_path):
    target = tmp_path / "einwohner.yaml"
    shutil.copy(CONTRACTS_DIR / "einwohner.yaml", target)
    assert read_contract(target) == load_contract("einwohner")


@pytest.fixture(scope="module")
def lint_problems(monkeypatch_module) -> list[str]:
    # prove "offline": any attempt to open a network connection fails the lint
    def refuse(*args, **kwargs):
        raise OSError("Netzwerk ist in diesem Test gesperrt")

    monkeypatch_module.setattr(socket.socket, "connect", refuse)
    monkeypatch_module.setattr(socket, "create_connection", refuse)
    return lint_contracts()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_all_contracts_lint_offline_without_warnings(lint_problems):
    assert lint_problems == []


def test_lint_reports_misspelt_fields(tmp_path):
    doc = _mutated("einwohner", lambda d: _prop(d, "geschlecht").update(enums=[{"value": "m"}]))
    path = tmp_path / "einwohner.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    problems = lint_contracts([path])
    assert any("enums" in p for p in problems)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare fehlt")
def test_datacontract_cli_lints_without_network():
    """The exact make-lint command, in a network namespace without any interface."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("unshare -rn ist hier nicht erlaubt")
    cli = Path(sys.executable).with_name("datacontract")
    result = subprocess.run(
        ["unshare", "-rn", str(cli), "lint", "--all-errors", "data_contracts/sgb2.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid against ODCS v3.2.0" in result.stdout
