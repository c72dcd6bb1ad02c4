"""The pandera models (pipelines.contracts.schema) say exactly what the contract YAML says, for every kind.

The YAML is read here with plain yaml.safe_load, not through pipelines.contracts, so a
loader or builder that misreads the contract fails this test.
"""

from __future__ import annotations

import re

import pandera.polars as pa
import polars as pl
import pytest
import yaml
from pandera.engines.polars_engine import Engine

from pipelines.contracts import CONTRACTS_DIR, KINDS, read_contract
from pipelines.contracts.schema import build_model, get_model

DTYPES = {"String": pl.String, "Int64": pl.Int64, "Float64": pl.Float64, "Date": pl.Date}


def expected_dtype(physical: str) -> pl.DataType:
    match = re.fullmatch(r"Decimal\((\d+),\s*(\d+)\)", physical)
    if match:
        return pl.Decimal(int(match.group(1)), int(match.group(2)))
    return DTYPES[physical]()


def raw_contract(kind: str) -> dict:
    return yaml.safe_load((CONTRACTS_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))


def custom(entries) -> dict:
    return {e["property"]: e["value"] for e in entries or []}


def builtin_stats(column: pa.Column) -> dict[str, dict]:
    """Statistics of pandera's built-in checks on a column, keyed by the built-in's name."""
    out = {}
    for check in column.checks:
        if check.statistics:
            # e.g. "isin([...])" -> "isin", "greater_than_or_equal_to(0)" -> that name
            out[str(check.error).split("(")[0]] = check.statistics
    return out


def expected_bounds(options: dict) -> dict[str, dict]:
    lo, hi = options.get("minimum"), options.get("maximum")
    if lo is not None and hi is not None:
        return {
            "in_range": {"min_value": lo, "max_value": hi, "include_min": True, "include_max": True}
        }
    if lo is not None:
        return {"greater_than_or_equal_to": {"min_value": lo}}
    if hi is not None:
        return {"less_than_or_equal_to": {"max_value": hi}}
    return {}


@pytest.mark.parametrize("kind", KINDS)
def test_pandera_columns_agree_with_yaml(kind):
    doc = raw_contract(kind)
    props = doc["schema"][0]["properties"]
    symbols = [s["symbol"] for s in custom(doc.get("customProperties")).get("ba_symboltabelle", [])]
    schema = get_model(kind).schema

    expected_columns = []
    for prop in props:
        expected_columns.append(prop["name"])
        extra = custom(prop.get("customProperties"))
        col = schema.columns[prop["name"]]
        assert col.dtype == Engine.dtype(expected_dtype(prop["physicalType"])), prop["name"]
        origin = extra.get("herkunft", "spalte")
        in_header = extra.get("spalte_pflicht", origin == "spalte")
        assert col.required == (in_header or origin != "spalte"), prop["name"]
        ba = extra.get("ba_symbole", False)
        assert col.nullable == (not prop["required"] or ba), prop["name"]

        stats = builtin_stats(col)
        codes = [e["value"] for e in prop.get("enum", [])]
        assert stats.pop("isin", {}).get("allowed_values") == (codes or None), prop["name"]
        options = prop.get("logicalTypeOptions", {})
        pattern = options.get("pattern")
        assert stats.pop("str_matches", {}).get("pattern") == pattern, prop["name"]
        assert stats == expected_bounds(options), prop["name"]

        if ba:
            expected_columns.append(f"{prop['name']}_symbol")
            sym = schema.columns[f"{prop['name']}_symbol"]
            assert sym.dtype == Engine.dtype(pl.String)
            assert sym.nullable
            assert builtin_stats(sym) == {"isin": {"allowed_values": symbols}}
    assert list(schema.columns) == expected_columns


@pytest.mark.parametrize("kind", KINDS)
def test_every_dataset_rule_is_one_pandera_check(kind):
    rules = {
        q["name"]: q["implementation"] for q in raw_contract(kind)["schema"][0].get("quality", [])
    }
    model = get_model(kind)
    found: dict[str, str] = {}
    for name, column in model.schema.columns.items():
        for n, check in enumerate(column.checks):
            if check.name in rules:
                assert check.name not in found, f"Regel {check.name} doppelt"
                found[check.name] = name
                reason = model.column_reasons[(name, n)]
                assert reason.code == rules[check.name]["grund"]
                assert reason.column == rules[check.name].get("spalte")
    assert set(found) == set(rules)
    assert model.schema.checks == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_check_has_a_known_reason(kind):
    model = get_model(kind)
    for name, column in model.schema.columns.items():
        assert [(name, n) in model.column_reasons for n in range(len(column.checks))] == [
            True
        ] * len(column.checks)


def test_a_changed_yaml_changes_the_model(tmp_path):
    """The model is generated: a new code in the YAML is a new allowed value in pandera."""
    doc = raw_contract("bewegungen")
    art = next(p for p in doc["schema"][0]["properties"] if p["name"] == "art")
    art["enum"].append({"value": "statuswechsel", "label": "Statuswechsel"})
    path = tmp_path / "bewegungen.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    changed = build_model(read_contract(path)).schema.columns["art"]
    assert "statuswechsel" in builtin_stats(changed)["isin"]["allowed_values"]
    assert (
        "statuswechsel"
        not in builtin_stats(get_model("bewegungen").schema.columns["art"])["isin"][
            "allowed_values"
        ]
    )


def test_models_are_built_once_on_demand():
    assert get_model("sgb2") is get_model("sgb2")
    assert get_model("sgb2").version == read_contract(CONTRACTS_DIR / "sgb2.yaml").version


def test_schema_builder_imports_on_its_own():
    """The builder imports first or last without a cycle (see tests/test_import_cycles.py)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    for statement in (
        "from pipelines.contracts.schema import build_model",
        "from pipelines.contracts.check import check_rows",
    ):
        result = subprocess.run(
            [sys.executable, "-c", statement], cwd=repo, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
