"""The city configuration: one YAML, defaults from default.yaml, unknown keys refused."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("default.yaml")


class ConfigError(ValueError):
    pass


@cache
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def merge(base: dict, override: dict, where: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        path = f"{where}.{key}" if where else key
        if key not in base:
            raise ConfigError(
                f"Unbekannter Schlüssel '{path}' in der Stadtkonfiguration. Erlaubt sind hier: "
                + ", ".join(sorted(base))
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
    try:
        own = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Stadtkonfiguration {path} nicht lesbar: {exc}") from None
    if not isinstance(own, dict):
        raise ConfigError(f"Stadtkonfiguration {path}: erwartet eine Zuordnung (key: value)")
    return merge(_defaults(), own)
