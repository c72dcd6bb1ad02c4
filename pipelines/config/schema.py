"""The city configuration's types and ranges, checked before any file is read.

pydantic (already installed with Dagster) does the type and range checks; each field
carries the German sentence of what is allowed, so one wrong value gives one German line
naming the key, the value and what would be right.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as _PydanticError

Number = StrictInt | StrictFloat


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Stadt(_Block):
    name: Annotated[StrictStr, Field(min_length=1, description="ein nicht leerer Text")]


@cache
def hze_codes() -> tuple[str, ...]:
    from pipelines.contracts import load_contract

    return tuple(load_contract("sgb8").column("hilfeart").codes or ())


@cache
def indicator_ids() -> tuple[str, ...]:
    import csv

    path = (
        Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "indikatorkatalog_seed.csv"
    )
    with path.open(encoding="utf-8") as fh:
        return tuple(row["indikator_id"] for row in csv.DictReader(fh))


def _age(default: int) -> Any:
    return Annotated[
        StrictInt,
        Field(ge=0, le=100, description=f"eine ganze Zahl von 0 bis 100 (Standard {default})"),
    ]


def _paragraphs() -> Any:
    return Annotated[
        list[StrictStr],
        Field(min_length=1, description="eine nicht leere Liste von SGB-VIII-Hilfearten"),
    ]


class Indikatoren(_Block):
    """The count parameters; names and defaults: dbt_project.yml vars `indikatoren`."""

    alter_erwerb_ab: _age(15)
    sgb2_hoechstalter: Annotated[
        StrictInt, Field(ge=15, le=99, description="eine ganze Zahl von 15 bis 99 (Standard 64)")
    ]
    alter_kinder_bis: _age(14)
    alter_minderjaehrig_bis: _age(17)
    alter_jung_bis: _age(20)
    alter_senioren_ab: _age(65)
    sgb2_quote_nenner: Annotated[
        Literal["unter_65", "gesamt"], Field(description="unter_65 oder gesamt")
    ]
    hze_paragraphen: _paragraphs()
    eingliederungshilfe_paragraphen: _paragraphs()
    inobhutnahme_paragraphen: _paragraphs()
    dynamik_jahre: Annotated[
        StrictInt, Field(ge=1, le=20, description="eine ganze Zahl von 1 bis 20 (Jahre)")
    ]
    nenner_max_alter_monate: Annotated[
        StrictInt, Field(ge=0, le=120, description="eine ganze Zahl von 0 bis 120 (Monate)")
    ]
    ba_stern_untergrenze: Annotated[
        StrictInt, Field(ge=0, le=1000, description="eine ganze Zahl ab 0 (Standard 1)")
    ]
    ba_stern_obergrenze: Annotated[
        StrictInt, Field(ge=0, le=1000, description="eine ganze Zahl ab 0 (Standard 2)")
    ]

    @field_validator(
        "hze_paragraphen", "eingliederungshilfe_paragraphen", "inobhutnahme_paragraphen"
    )
    @classmethod
    def _known_paragraphs(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in hze_codes()]
        if unknown or len(set(value)) != len(value):
            raise ValueError("unknown or repeated")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Indikatoren:
        if self.ba_stern_untergrenze > self.ba_stern_obergrenze:
            raise ValueError("verlangt ba_stern_untergrenze <= ba_stern_obergrenze")
        if not self.alter_kinder_bis < self.alter_minderjaehrig_bis < self.alter_jung_bis:
            raise ValueError("verlangt alter_kinder_bis < alter_minderjaehrig_bis < alter_jung_bis")
        if not self.alter_erwerb_ab <= self.sgb2_hoechstalter < self.alter_senioren_ab:
            raise ValueError("verlangt alter_erwerb_ab <= sgb2_hoechstalter < alter_senioren_ab")
        return self


class Offenlegung(_Block):
    min_fallzahl: Annotated[
        StrictInt,
        Field(ge=1, le=1000, description="eine ganze Zahl von 1 bis 1000 (Standard 3)"),
    ]
    min_einwohner: Annotated[
        StrictInt,
        Field(ge=0, le=1_000_000, description="eine ganze Zahl von 0 bis 1000000 (Standard 300)"),
    ]


class KlassenStatus(_Block):
    hoch: Annotated[Number, Field(description="eine Zahl")]
    niedrig: Annotated[Number, Field(description="eine Zahl")]
    sehr_niedrig: Annotated[Number, Field(description="eine Zahl")]


class KlassenDynamik(_Block):
    positiv: Annotated[Number, Field(description="eine Zahl")]
    negativ: Annotated[Number, Field(description="eine Zahl")]


class Sozialindex(_Block):
    min_einwohner: Annotated[
        StrictInt, Field(ge=0, le=1_000_000, description="eine ganze Zahl ab 0 (Standard 300)")
    ]
    ausschluss: Annotated[
        list[StrictStr] | None, Field(description="eine Liste von Gebietsschlüsseln (Text)")
    ]
    status: Annotated[
        list[StrictStr],
        Field(min_length=1, description="eine nicht leere Liste von Indikator-IDs des Katalogs"),
    ]
    dynamik_jahre: Annotated[
        StrictInt, Field(ge=1, le=20, description="eine ganze Zahl von 1 bis 20 (Jahre)")
    ]
    klassen_status: Annotated[
        KlassenStatus, Field(description="hoch, niedrig und sehr_niedrig, je eine Zahl")
    ]
    klassen_dynamik: Annotated[
        KlassenDynamik, Field(description="positiv und negativ, je eine Zahl")
    ]

    @field_validator("status")
    @classmethod
    def _known_indicators(cls, value: list[str]) -> list[str]:
        if any(v not in indicator_ids() for v in value):
            raise ValueError("unknown indicator")
        return value


class Plausibilitaet(_Block):
    mengen_abweichung_prozent: Annotated[
        Number | None,
        Field(ge=0, le=10_000, description="leer (null: aus) oder eine Zahl ab 0 (Prozent)"),
    ]
    mengen_mindestzeilen: Annotated[
        StrictInt, Field(ge=0, description="eine ganze Zahl ab 0 (Zeilen)")
    ]


class Aufbewahrung(_Block):
    landing_loeschen_nach_tagen: Annotated[
        StrictInt | None,
        Field(ge=1, description="leer (null) oder eine ganze Zahl ab 1 (Tage)"),
    ]


@cache
def facility_types() -> tuple[str, ...]:
    from pipelines.contracts import load_contract

    return tuple(load_contract("einrichtungen").column("art").codes or ())


def _not_before(value: int, info, other: str) -> int:
    """An upper age that must not lie before the lower one of the same block."""
    if value < info.data.get(other, 0):
        raise ValueError(f"before {other}")
    return value


def _int(lo: int, hi: int, what: str) -> Any:
    return Annotated[
        StrictInt, Field(ge=lo, le=hi, description=f"eine ganze Zahl von {lo} bis {hi} ({what})")
    ]


class Prognose(_Block):
    """The projection's settings (docs/projection.md)."""

    methode: Annotated[
        Literal["auto", "kohorten", "hamilton_perry"],
        Field(description="auto, kohorten oder hamilton_perry"),
    ]
    basisjahre: _int(1, 10, "Übergänge")
    pooling_personen: Annotated[
        Number, Field(ge=0, le=1_000_000, description="eine Zahl ab 0 (Personen)")
    ]
    pooling_ebenen_hoeher: _int(0, 5, "Ebenen über der feinsten")
    daempfung: Annotated[Number, Field(ge=0, le=1, description="eine Zahl von 0 bis 1")]
    daempfung_ab_alter: _int(0, 100, "Alter")
    geburten_bezug_von_alter: _int(10, 60, "Alter")
    geburten_bezug_bis_alter: _int(10, 60, "Alter, nicht kleiner als das Von-Alter")
    horizont_jahre: _int(1, 30, "Jahre")
    kinder_mittel_unter_alter: _int(0, 18, "Alter; 0 schaltet das Mittel ab")
    kinder_mittel_gewicht: Annotated[
        Number, Field(ge=0, le=1, description="eine Zahl von 0 bis 1 (Gewicht der Prognose)")
    ]

    _fertile_ordered = field_validator("geburten_bezug_bis_alter")(
        lambda value, info: _not_before(value, info, "geburten_bezug_von_alter")
    )


class Bedarfseckwert(_Block):
    alter_von: Annotated[
        StrictInt, Field(ge=0, le=100, description="eine ganze Zahl von 0 bis 100 (Alter)")
    ]
    alter_bis: Annotated[
        StrictInt,
        Field(
            ge=0, le=100, description="eine ganze Zahl von 0 bis 100, nicht kleiner als alter_von"
        ),
    ]
    zielwert: Annotated[
        Number, Field(gt=0, le=100_000, description="eine Zahl größer 0 (Plätze je `je` Personen)")
    ]
    je: Annotated[
        StrictInt, Field(ge=1, le=100_000, description="eine ganze Zahl ab 1, z. B. 100 oder 1000")
    ]
    planungsebene_hoeher: Annotated[
        StrictInt,
        Field(
            ge=0, le=5, description="eine ganze Zahl von 0 (feinste Ebene) bis 5 (Ebenen darüber)"
        ),
    ]

    nachbarn_anteil: Annotated[
        Number,
        Field(
            ge=0,
            le=1,
            description="eine Zahl von 0 bis 1 (Anteil des Überhangs angrenzender Gebiete)",
        ),
    ] = 0

    _band_ordered = field_validator("alter_bis")(
        lambda value, info: _not_before(value, info, "alter_von")
    )


class CityConfig(_Block):
    # blocks not listed here are checked by their own code; merge() already refuses any
    # key that default.yaml does not have
    model_config = ConfigDict(extra="allow", strict=True)

    stadt: Stadt
    indikatoren: Indikatoren
    offenlegung: Offenlegung
    sozialindex: Sozialindex
    prognose: Prognose | None = None
    plausibilitaet: Plausibilitaet | None = None
    aufbewahrung: Aufbewahrung | None = None
    quellprofile: Annotated[
        list[StrictStr], Field(description="eine Liste von Profildateien (Text)")
    ]
    bedarfseckwerte: Annotated[
        dict[StrictStr, Bedarfseckwert] | None,
        Field(
            description="je Einrichtungsart (Codeliste von data_contracts/einrichtungen.yaml) "
            "alter_von, alter_bis, zielwert, je, planungsebene_hoeher und nachbarn_anteil"
        ),
    ] = None


_EXTRA_HINTS = {
    ("indikatoren", "hze_paragraphen"): lambda: "erlaubt: " + ", ".join(hze_codes()),
    ("indikatoren", "eingliederungshilfe_paragraphen"): lambda: (
        "erlaubt: " + ", ".join(hze_codes())
    ),
    ("indikatoren", "inobhutnahme_paragraphen"): lambda: "erlaubt: " + ", ".join(hze_codes()),
    ("sozialindex", "status"): lambda: "bekannt: " + ", ".join(indicator_ids()),
}


def validate(config: dict[str, Any], source: str) -> str | None:
    """None if `config` is valid, else one German line naming the key and what is allowed."""
    eckwerte = config.get("bedarfseckwerte")
    if isinstance(eckwerte, dict):
        unknown = [k for k in eckwerte if k not in facility_types()]
        if unknown:
            return (
                f"Stadtkonfiguration {source}: bedarfseckwerte.{unknown[0]} ist keine "
                "Einrichtungsart; erlaubt sind " + ", ".join(facility_types()) + " (eine neue "
                "Art zuerst in die Codeliste art von data_contracts/einrichtungen.yaml)."
            )
    try:
        CityConfig.model_validate(config)
    except _PydanticError as exc:
        err = exc.errors()[0]
        return _message(err, config, source)
    return None


def _is_union_tag(part: str) -> bool:
    return part in ("int", "float", "str", "none", "bool") or "[" in part or "-" in part


def _message(err: dict, config: dict, source: str) -> str:
    # pydantic adds the tried member of a union (`int`, `none`, ...) to the location
    loc = [p for p in err["loc"] if not (isinstance(p, str) and _is_union_tag(p))]
    keys = [p for p in loc if isinstance(p, str)]
    model: Any = CityConfig
    description = None
    for key in keys:
        fields = getattr(model, "model_fields", {})
        if key not in fields:
            break
        info = fields[key]
        description = info.description or description
        model = info.annotation
        # an optional block (`Prognose | None`): its fields
        model = next((a for a in get_args(model) if hasattr(a, "model_fields")), model)
    path = ".".join(str(p) for p in loc)
    value = config
    for p in loc:
        try:
            value = value[p]
        except (KeyError, IndexError, TypeError):
            value = None
            break
    if keys[:1] == ["bedarfseckwerte"] and len(keys) >= 3:  # a dict of blocks: the block's field
        info = Bedarfseckwert.model_fields.get(keys[2])
        description = info.description if info else description
    if err["type"] == "value_error" and "verlangt" in err["msg"]:  # a rule across a block's keys
        rule = err["msg"].split("verlangt", 1)[1].strip()
        return f"Stadtkonfiguration {source}: {path}: verlangt ist {rule}."
    hint = _EXTRA_HINTS.get(tuple(keys[:2]))
    allowed = description or "ein anderer Wert"
    if err["type"] in ("model_type", "dict_type", "model_attributes_type"):
        allowed = "eine Zuordnung (Schlüssel: Wert)"
    if hint:
        allowed += f" ({hint()})"
    shown = "fehlt" if err["type"] == "missing" else f"= {value!r} ist ungültig"
    return f"Stadtkonfiguration {source}: {path} {shown}; erlaubt ist {allowed}."
