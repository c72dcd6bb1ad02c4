"""Compute the social index (Sozialindex) of one reference date from a recipe.

Method (docs/indicators.md, Berlin MSS): each indicator is z-standardised over the included
areas with the mean and the population standard deviation (ddof = 0), unweighted; the
Statussumme is the sum of the status z-values, the Status-Index the z-standardised
Statussumme ("standardisierte Statussumme"); the same for the dynamics; classes by
cut-points. MSS writes the index as sum / std: the mean of a sum of z-values is 0, so
both agree (up to the last bit). They differ only with `z_nachkommastellen` (z rounded
before summing, as MSS did): then the sum's mean is not 0 and the published MSS tables
(2015, 2017: every cell to 5 decimals) are reproduced only with centring.

Reproducibility: every reduction is done in exact integer arithmetic on the binary values
of the floats and rounded once at the end, so the result does not depend on row order,
platform or summation order; rows are sorted by `gebiet_id` all the same, so the output
order is fixed too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from .recipe import Recipe
from .rounding import round_half_away

STATUS_KLASSEN = ("hoch", "mittel", "niedrig", "sehr niedrig")
DYNAMIK_KLASSEN = ("positiv", "stabil", "negativ")

GRUND_EXPLIZIT = "explizit ausgeschlossen (Ausreißer)"
GRUND_EINWOHNER_FEHLT = "Einwohnerzahl fehlt"
GRUND_WERT_FEHLT = "Indikatorwert fehlt"
GRUND_WERT_UNGUELTIG = "Indikatorwert ungültig"
GRUND_KEINE_STREUUNG = "Index nicht berechenbar: keine Streuung (Standardabweichung 0)"

INDEX_COLUMNS_FLOAT = ("statussumme", "status_index", "dynamiksumme", "dynamik_index")


class IndexEingabeFehler(ValueError):
    """The area table handed to compute_index does not fit the recipe (message in German)."""


def grund_einwohner(min_einwohner: int) -> str:
    """Reason for an area below the inhabitant threshold, e.g. 'unter 300 Einwohner'."""
    return f"unter {min_einwohner} Einwohner"


def exclusion_reason(
    gebiet_id: str,
    einwohner: float | None,
    values: Mapping[str, float | None],
    recipe: Recipe,
) -> str | None:
    """Why an area takes no part in an index (status or dynamics), or None if it does.

    The explicit list comes first (a deliberate decision of the city), then the inhabitant
    threshold, then missing indicator values of that index. Status and dynamics are
    separate indices (as in MSS): a missing change excludes an area from the dynamics
    index only, so a city's first year (or the first after a boundary reform) still gets
    its status index.
    """
    if gebiet_id in recipe.ausschluss:
        return GRUND_EXPLIZIT
    if einwohner is None or math.isnan(einwohner):
        return GRUND_EINWOHNER_FEHLT
    if einwohner < recipe.min_einwohner:
        return grund_einwohner(recipe.min_einwohner)
    missing = [name for name, value in values.items() if value is None or math.isnan(value)]
    if missing:
        return f"{GRUND_WERT_FEHLT} ({', '.join(missing)})"
    invalid = [name for name, value in values.items() if math.isinf(value)]
    if invalid:
        return f"{GRUND_WERT_UNGUELTIG} ({', '.join(invalid)})"
    return None


@dataclass(frozen=True)
class Spread:
    """Exact mean and variance of a list of floats, as integer fractions.

    With x_i = X_i / scale (X_i integers, scale a power of two): mean = total / (n * scale),
    variance = (n * sum(X_i**2) - total**2) / (n * scale)**2. Nothing is rounded here, so
    the variance is 0 exactly when all values are equal.
    """

    n: int
    scale: int
    scaled: tuple[int, ...]
    total: int
    variance_numerator: int

    @property
    def variance_denominator(self) -> int:
        return (self.n * self.scale) ** 2

    def std(self) -> float:
        """Population standard deviation (ddof = 0), the variance rounded once."""
        return math.sqrt(self.variance_numerator / self.variance_denominator)

    def deviation(self, i: int) -> float:
        """x_i - mean, computed exactly and rounded once."""
        return (self.n * self.scaled[i] - self.total) / (self.n * self.scale)


def spread(values: Sequence[float]) -> Spread:
    """Exact population spread of finite floats (at least one value)."""
    if not values:
        raise ValueError("spread() braucht mindestens einen Wert")
    ratios = [float(v).as_integer_ratio() for v in values]
    # every float is num / 2**k; bring all to the largest denominator
    scale = max(den for _, den in ratios)
    scaled = tuple(num * (scale // den) for num, den in ratios)
    n = len(scaled)
    total = sum(scaled)
    squares = sum(x * x for x in scaled)
    return Spread(n, scale, scaled, total, n * squares - total * total)


def standardise(values: Sequence[float]) -> list[float] | None:
    """z-values (x - mean) / population std; None when the std is 0."""
    s = spread(values)
    if s.variance_numerator == 0:
        return None
    std = s.std()
    return [s.deviation(i) / std for i in range(s.n)]


def status_class(index: float, cuts: Mapping[str, float]) -> str:
    """Status class of an unrounded Status-Index (inequalities of docs/indicators.md)."""
    if index < cuts["hoch"]:
        return "hoch"
    if index <= cuts["niedrig"]:
        return "mittel"
    if index <= cuts["sehr_niedrig"]:
        return "niedrig"
    return "sehr niedrig"


def dynamik_class(index: float, cuts: Mapping[str, float]) -> str:
    """Dynamics class of an unrounded Dynamik-Index (inequalities of docs/indicators.md)."""
    if index <= cuts["positiv"]:
        return "positiv"
    if index >= cuts["negativ"]:
        return "negativ"
    return "stabil"


def group_number(status_klasse: str, dynamik_klasse: str) -> int:
    """Gesamtindex group 1..12: status hoch..sehr niedrig, within it positiv..negativ."""
    return STATUS_KLASSEN.index(status_klasse) * 3 + DYNAMIK_KLASSEN.index(dynamik_klasse) + 1


def group_label(status_klasse: str, dynamik_klasse: str) -> str:
    return f"{status_klasse}/{dynamik_klasse}"


def _rounded(values: list[float] | None, digits: int) -> list[float] | None:
    return None if values is None else [round_half_away(v, digits) for v in values]


def _check_input(areas: pl.DataFrame, recipe: Recipe) -> None:
    required = ("gebiet_id", "einwohner", *recipe.status, *recipe.dynamik)
    missing = [name for name in required if name not in areas.columns]
    if missing:
        raise IndexEingabeFehler(f"Sozialindex: Spalte(n) fehlen: {', '.join(missing)}.")
    if areas.schema["gebiet_id"] != pl.String:
        raise IndexEingabeFehler(
            "Sozialindex: gebiet_id muss Text sein (Schlüssel mit führenden Nullen)."
        )
    for name in required[1:]:
        if not areas.schema[name].is_numeric():
            raise IndexEingabeFehler(f"Sozialindex: Spalte {name} ist nicht numerisch.")
    if areas["gebiet_id"].null_count():
        raise IndexEingabeFehler("Sozialindex: gebiet_id ist leer in mindestens einer Zeile.")
    if areas["gebiet_id"].n_unique() != areas.height:
        raise IndexEingabeFehler("Sozialindex: ein gebiet_id kommt mehrfach vor.")


def _output_schema(recipe: Recipe, einwohner_dtype: pl.DataType) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"gebiet_id": pl.String(), "einwohner": einwohner_dtype}
    for name in (*recipe.status, *recipe.dynamik):
        schema[name] = pl.Float64()
    for name in (*recipe.status, *recipe.dynamik):
        schema[f"z_{name}"] = pl.Float64()
    for name in INDEX_COLUMNS_FLOAT:
        schema[name] = pl.Float64()
    schema |= {
        "status_klasse": pl.String(),
        "dynamik_klasse": pl.String(),
        "gesamtindex": pl.String(),
        "gruppe": pl.Int32(),
        "ausschluss_grund_status": pl.String(),
        "ausschluss_grund_dynamik": pl.String(),
        "ausschluss_grund": pl.String(),
    }
    return schema


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


@dataclass
class _Part:
    """One index (status or dynamics) over its own set of areas."""

    z: dict[str, list[float | None]]
    summe: list[float | None]
    index: list[float | None]
    reasons: list[str | None]


def _index_part(
    ids: list[str],
    einwohner: list[float | None],
    values: dict[str, list[float | None]],
    columns: tuple[str, ...],
    recipe: Recipe,
    also_required: tuple[str, ...] = (),
    no_history: str | None = None,
) -> _Part:
    """z-values, sum and standardised sum of `columns` over the areas that have them all
    (and the `also_required` values: a change is indexed only beside its current share).

    `no_history`: the reason given instead of "Indikatorwert fehlt" when not one area has
    any of the columns (dynamics without an earlier reference date).
    """
    n = len(ids)
    required = (*also_required, *columns)
    reasons = [
        exclusion_reason(ids[i], einwohner[i], {c: values[c][i] for c in required}, recipe)
        for i in range(n)
    ]
    if no_history and all(_missing(values[c][i]) for c in columns for i in range(n)):
        reasons = [
            exclusion_reason(ids[i], einwohner[i], {}, recipe) or no_history for i in range(n)
        ]
    part = _Part({c: [None] * n for c in columns}, [None] * n, [None] * n, reasons)
    included = [i for i in range(n) if reasons[i] is None]
    if not included:
        return part
    z = {name: standardise([values[name][i] for i in included]) for name in columns}
    if recipe.z_nachkommastellen is not None:
        z = {name: _rounded(zs, recipe.z_nachkommastellen) for name, zs in z.items()}
    flat = [name for name in columns if z[name] is None]
    if not flat:
        # fsum: the correctly rounded sum, independent of the order of the parts
        sums = [math.fsum(z[c][k] for c in columns) for k in range(len(included))]
        index = standardise(sums)  # (sum - mean) / std
        if index is None:
            flat = ["statussumme" if columns == recipe.status else "dynamiksumme"]
    if flat:
        for i in included:
            reasons[i] = f"{GRUND_KEINE_STREUUNG} bei {', '.join(flat)}"
        return part
    for k, i in enumerate(included):
        for name in columns:
            part.z[name][i] = z[name][k]
        part.summe[i] = sums[k]
        part.index[i] = index[k]
    return part


def compute_index(areas: pl.DataFrame, recipe: Recipe) -> pl.DataFrame:
    """The social index for one reference date, one output row per input area.

    `areas`: `gebiet_id` (text), `einwohner`, one column per status indicator of the recipe
    (share in percent) and `<indicator>_dynamik` (change in percentage points over
    `recipe.dynamik_jahre`; null when not computable). Other columns are ignored.

    Status and dynamics index are standardised each over its own areas: those with every
    value of that index (MSS: two separate indices). The Gesamtindex (class pair, group)
    exists where both do.

    Output, sorted by gebiet_id: gebiet_id, einwohner, shares, changes, `z_<column>` for
    every share and change, statussumme, status_index, dynamiksumme, dynamik_index,
    status_klasse, dynamik_klasse, gesamtindex ("mittel/stabil"), gruppe (1..12),
    ausschluss_grund_status, ausschluss_grund_dynamik (why the area has no status /
    dynamics index) and ausschluss_grund (why it has no Gesamtindex: the status reason,
    else the dynamics reason). An index column is null exactly where its reason is set.
    """
    _check_input(areas, recipe)
    columns = (*recipe.status, *recipe.dynamik)
    data = areas.select(
        "gebiet_id",
        "einwohner",
        *[pl.col(name).cast(pl.Float64) for name in columns],
    ).sort("gebiet_id")
    ids: list[str] = data["gebiet_id"].to_list()
    einwohner = data["einwohner"].cast(pl.Float64).to_list()
    values = {name: data[name].to_list() for name in columns}

    status = _index_part(ids, einwohner, values, recipe.status, recipe)
    no_history = (
        f"keine Vergleichsperiode: Veränderung über {recipe.dynamik_jahre} Jahre "
        f"nicht berechenbar ({', '.join(recipe.dynamik)})"
    )
    dynamik = _index_part(ids, einwohner, values, recipe.dynamik, recipe, recipe.status, no_history)

    result: dict[str, list] = {f"z_{name}": status.z[name] for name in recipe.status}
    result |= {f"z_{name}": dynamik.z[name] for name in recipe.dynamik}
    result |= {
        "statussumme": status.summe,
        "status_index": status.index,
        "dynamiksumme": dynamik.summe,
        "dynamik_index": dynamik.index,
    }
    s_klassen = [
        None if v is None else status_class(v, recipe.klassen_status) for v in status.index
    ]
    d_klassen = [
        None if v is None else dynamik_class(v, recipe.klassen_dynamik) for v in dynamik.index
    ]
    both = [s is not None and d is not None for s, d in zip(s_klassen, d_klassen, strict=True)]
    result["status_klasse"] = s_klassen
    result["dynamik_klasse"] = d_klassen
    result["gesamtindex"] = [
        group_label(s, d) if ok else None
        for s, d, ok in zip(s_klassen, d_klassen, both, strict=True)
    ]
    result["gruppe"] = [
        group_number(s, d) if ok else None
        for s, d, ok in zip(s_klassen, d_klassen, both, strict=True)
    ]
    result["ausschluss_grund_status"] = status.reasons
    result["ausschluss_grund_dynamik"] = dynamik.reasons
    result["ausschluss_grund"] = [
        s or d for s, d in zip(status.reasons, dynamik.reasons, strict=True)
    ]

    schema = _output_schema(recipe, data.schema["einwohner"])
    frame = {"gebiet_id": ids, "einwohner": data["einwohner"].to_list()}
    frame |= {name: values[name] for name in columns}
    frame |= {name: result[name] for name in schema if name in result}
    return pl.DataFrame(frame, schema=schema)
