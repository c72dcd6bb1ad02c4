"""The city configuration: one YAML, defaults from default.yaml, unknown keys refused."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("default.yaml")
# the count parameters and their defaults are stated once, in the dbt project (dbt compiles
# with them alone); they are the defaults of the config block `indikatoren`
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


class ConfigError(ValueError):
    pass


@cache
def count_parameters() -> dict[str, Any]:
    """The `indikatoren` block of dbt_project.yml vars: names and defaults of the count
    parameters (docs/indicators.md)."""
    project = yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))
    return dict(project["vars"]["indikatoren"])


@cache
def _defaults() -> dict[str, Any]:
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    if "indikatoren" in defaults:  # stated once: a copy here would drift from dbt's
        raise ConfigError(f"{DEFAULT_PATH.name}: indikatoren gehört nach {DBT_PROJECT.name}")
    return {**defaults, "indikatoren": count_parameters()}


def _validated(config: dict[str, Any], source: str) -> dict[str, Any]:
    """Types, ranges, indicator ids; then the social-index recipe's own rules."""
    from pipelines.config.schema import validate
    from pipelines.sozialindex import RezeptFehler, recipe_from_config

    problem = validate(config, source)
    if problem:
        raise ConfigError(problem)
    try:
        recipe_from_config(config["sozialindex"])
    except RezeptFehler as exc:
        raise ConfigError(f"Stadtkonfiguration {source}: {exc}") from None
    return config


def merge(base: dict, override: dict, where: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        path = f"{where}.{key}" if where else key
        if key not in base:
            if where == "bedarfseckwerte":  # a city may add a facility type of its own
                out[key] = value
                continue
            raise ConfigError(
                f"Unbekannter Schlüssel '{path}'. Erlaubt sind hier: " + ", ".join(sorted(base))
            )
        if (
            isinstance(base[key], dict)
            and isinstance(value, dict)
            and path != "sozialindex.klassen_status"
        ):
            out[key] = merge(base[key], value, path)
        else:
            out[key] = value
    return out


def load_config(path: Path | None = None) -> dict[str, Any]:
    if path is None:
        return copy.deepcopy(_defaults())
    from pipelines.config.safe_yaml import YamlRefused, load_yaml

    try:
        own = load_yaml(Path(path), "Stadtkonfiguration") or {}
    except YamlRefused as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(own, dict):
        raise ConfigError(f"Stadtkonfiguration {path}: erwartet eine Zuordnung (key: value)")
    try:
        merged = merge(_defaults(), own)
    except ConfigError as exc:
        raise ConfigError(f"Stadtkonfiguration {path}: {exc}") from None
    return _validated(merged, str(path))
