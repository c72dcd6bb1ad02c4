"""The social-index recipe: which indicators, which exclusions, which class cut-points.

The recipe is configuration, not code (docs/indicators.md): a city changes the `sozialindex:`
block of its YAML, never this module. The defaults reproduce Berlin's Monitoring Soziale
Stadtentwicklung (MSS 2019/2021).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

STATUS_SCHWELLEN = ("hoch", "niedrig", "sehr_niedrig")
DYNAMIK_SCHWELLEN = ("positiv", "negativ")

_DEFAULT_STATUS = ("sgb2_alo_anteil", "transferbezug", "sgb2_kinderarmut")
_DEFAULT_KLASSEN_STATUS = {"hoch": -1.0, "niedrig": 1.0, "sehr_niedrig": 1.5}
_DEFAULT_KLASSEN_DYNAMIK = {"positiv": -1.0, "negativ": 1.0}

# the change column of an indicator: `<indicator>_dynamik`
DYNAMIK_SUFFIX = "_dynamik"


class RezeptFehler(ValueError):
    """The `sozialindex:` configuration is not a valid recipe (message in German)."""


def _frozen_mapping(values: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({key: float(value) for key, value in values.items()})


@dataclass(frozen=True)
class Recipe:
    """A social-index recipe; the defaults are Berlin's MSS method.

    Status classes (index = standardised Statussumme, higher = more disadvantage):
    `index < hoch` -> hoch, `hoch <= index <= niedrig` -> mittel,
    `niedrig < index <= sehr_niedrig` -> niedrig, `index > sehr_niedrig` -> sehr niedrig.
    Dynamics classes: `index <= positiv` -> positiv, `index >= negativ` -> negativ,
    otherwise stabil.
    """

    min_einwohner: int = 300
    ausschluss: tuple[str, ...] = ()
    status: tuple[str, ...] = _DEFAULT_STATUS
    dynamik_jahre: int = 2
    klassen_status: Mapping[str, float] = field(
        default_factory=lambda: _frozen_mapping(_DEFAULT_KLASSEN_STATUS)
    )
    klassen_dynamik: Mapping[str, float] = field(
        default_factory=lambda: _frozen_mapping(_DEFAULT_KLASSEN_DYNAMIK)
    )
    # Optional, not in docs/indicators.md: round every z-value half away from zero to this many
    # decimals before summing. None (default) = unrounded, as docs/indicators.md says. The published
    # MSS tables 2015-2021 were computed with 5 (their Statussumme is the sum of the
    # 5-decimal z-values), so 5 reproduces them more closely; see docs in the tests.
    z_nachkommastellen: int | None = None

    def __post_init__(self) -> None:
        # Validate here too, so a Recipe built in code is as safe as one read from YAML.
        _check_min_einwohner(self.min_einwohner)
        _check_dynamik_jahre(self.dynamik_jahre)
        _check_z_nachkommastellen(self.z_nachkommastellen)
        object.__setattr__(self, "ausschluss", _check_ausschluss(self.ausschluss))
        object.__setattr__(self, "status", _check_status(self.status))
        object.__setattr__(
            self,
            "klassen_status",
            _frozen_mapping(
                _check_klassen("klassen_status", self.klassen_status, STATUS_SCHWELLEN)
            ),
        )
        object.__setattr__(
            self,
            "klassen_dynamik",
            _frozen_mapping(
                _check_klassen("klassen_dynamik", self.klassen_dynamik, DYNAMIK_SCHWELLEN)
            ),
        )

    def __hash__(self) -> int:
        # mappingproxy is not hashable; hash the sorted items instead
        return hash(
            (
                self.min_einwohner,
                self.ausschluss,
                self.status,
                self.dynamik_jahre,
                self.z_nachkommastellen,
                tuple(sorted(self.klassen_status.items())),
                tuple(sorted(self.klassen_dynamik.items())),
            )
        )

    @property
    def dynamik(self) -> tuple[str, ...]:
        """The change columns, one per status indicator, in recipe order."""
        return tuple(name + DYNAMIK_SUFFIX for name in self.status)


RECIPE_KEYS = tuple(f.name for f in fields(Recipe))


def _is_number(value: Any) -> bool:
    # bool is an int in Python, but `true` is never a meaningful threshold
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_min_einwohner(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RezeptFehler(
            f"sozialindex.min_einwohner muss eine ganze Zahl >= 0 sein, nicht {value!r}."
        )


def _check_dynamik_jahre(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RezeptFehler(
            f"sozialindex.dynamik_jahre muss eine ganze Zahl >= 1 sein, nicht {value!r}."
        )


def _check_z_nachkommastellen(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 15:
        raise RezeptFehler(
            "sozialindex.z_nachkommastellen muss leer oder eine ganze Zahl von 0 bis 15 sein, "
            f"nicht {value!r}."
        )


def _check_ausschluss(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RezeptFehler("sozialindex.ausschluss muss eine Liste von Gebietsschlüsseln sein.")
    for item in value:
        if not isinstance(item, str) or not item:
            # YAML reads 01011101 without quotes as a number (even octal): refuse, don't guess
            raise RezeptFehler(
                f"sozialindex.ausschluss: Gebietsschlüssel {item!r} ist kein Text. "
                'Schlüssel bitte in Anführungszeichen schreiben, z. B. "01011101".'
            )
    if len(set(value)) != len(value):
        raise RezeptFehler("sozialindex.ausschluss enthält einen Gebietsschlüssel doppelt.")
    return tuple(value)


def _check_status(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise RezeptFehler("sozialindex.status muss eine nicht leere Liste von Indikator-IDs sein.")
    for item in value:
        if not isinstance(item, str) or not item:
            raise RezeptFehler(f"sozialindex.status: {item!r} ist keine Indikator-ID.")
    if len(set(value)) != len(value):
        raise RezeptFehler("sozialindex.status enthält einen Indikator doppelt.")
    return tuple(value)


def _check_klassen(name: str, value: Any, keys: tuple[str, ...]) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise RezeptFehler(
            f"sozialindex.{name} muss eine Zuordnung mit den Schlüsseln {', '.join(keys)} sein."
        )
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise RezeptFehler(
            f"sozialindex.{name}: unbekannte Schlüssel {', '.join(map(str, unknown))}; "
            f"erlaubt sind {', '.join(keys)}."
        )
    missing = [key for key in keys if key not in value]
    if missing:
        raise RezeptFehler(f"sozialindex.{name}: es fehlen die Schlüssel {', '.join(missing)}.")
    for key in keys:
        if not _is_number(value[key]) or value[key] != value[key]:
            raise RezeptFehler(
                f"sozialindex.{name}.{key} muss eine Zahl sein, nicht {value[key]!r}."
            )
    ordered = [float(value[key]) for key in keys]
    if ordered != sorted(ordered):
        raise RezeptFehler(
            f"sozialindex.{name}: die Schwellen müssen aufsteigend sein ({' <= '.join(keys)})."
        )
    return {key: float(value[key]) for key in keys}


def recipe_from_config(cfg: Mapping[str, Any] | None) -> Recipe:
    """Build a Recipe from the `sozialindex:` block of the city YAML.

    Missing keys take the MSS defaults; an unknown key is an error (a typo must not
    silently fall back to a default). Class blocks are complete or absent.
    """
    if cfg is None:
        return Recipe()
    if not isinstance(cfg, Mapping):
        raise RezeptFehler("Der Block sozialindex muss eine Zuordnung (Schlüssel: Wert) sein.")
    unknown = sorted(str(key) for key in cfg if key not in RECIPE_KEYS)
    if unknown:
        raise RezeptFehler(
            f"sozialindex: unbekannte Schlüssel {', '.join(unknown)}; "
            f"erlaubt sind {', '.join(RECIPE_KEYS)}."
        )
    # an empty YAML value (`ausschluss:`) means "not set", like a missing key
    return Recipe(**{key: value for key, value in cfg.items() if value is not None})
