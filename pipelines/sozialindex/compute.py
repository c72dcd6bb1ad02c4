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
    """Why an area takes no part in the index, or None if it does.

    The explicit list comes first (a deliberate decision of the city), then the inhabitant
    threshold, then missing indicator values (status or change: MSS indexes an area only
    when all six values exist, so status and dynamics share one set of areas).
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
        "ausschluss_grund": pl.String(),
    }
    return schema


def compute_index(areas: pl.DataFrame, recipe: Recipe) -> pl.DataFrame:
    """The social index for one reference date, one output row per input area.

    `areas`: `gebiet_id` (text), `einwohner`, one column per status indicator of the recipe
    (share in percent) and `<indicator>_dynamik` (change in percentage points over
    `recipe.dynamik_jahre`; null when not computable). Other columns are ignored.

    Output, sorted by gebiet_id: gebiet_id, einwohner, shares, changes, `z_<column>` for
    every share and change, statussumme, status_index, dynamiksumme, dynamik_index,
    status_klasse, dynamik_klasse, gesamtindex ("mittel/stabil"), gruppe (1..12) and
    ausschluss_grund. Areas with a reason have nulls in every index column.
    """
    _check_input(areas, recipe)
    columns = (*recipe.status, *recipe.dynamik)
    data = areas.select(
        "gebiet_id",
        "einwohner",
        *[pl.col(name).cast(pl.Float64) for name in columns],
    ).sort("gebiet_id")
    n = data.height
    ids: list[str] = data["gebiet_id"].to_list()
    einwohner = data["einwohner"].cast(pl.Float64).to_list()
    values = {name: data[name].to_list() for name in columns}

    reasons: list[str | None] = [
        exclusion_reason(ids[i], einwohner[i], {c: values[c][i] for c in columns}, recipe)
        for i in range(n)
    ]
    included = [i for i in range(n) if reasons[i] is None]

    result: dict[str, list] = {f"z_{name}": [None] * n for name in columns}
    for name in (*INDEX_COLUMNS_FLOAT, "status_klasse", "dynamik_klasse", "gesamtindex", "gruppe"):
        result[name] = [None] * n

    if included:
        z = {name: standardise([values[name][i] for i in included]) for name in columns}
        if recipe.z_nachkommastellen is not None:
            z = {name: _rounded(zs, recipe.z_nachkommastellen) for name, zs in z.items()}
        flat = [name for name in columns if z[name] is None]
        sums: dict[str, list[float]] = {}
        indices: dict[str, list[float] | None] = {}
        if not flat:
            for label, parts in (("statussumme", recipe.status), ("dynamiksumme", recipe.dynamik)):
                # fsum: the correctly rounded sum, independent of the order of the parts
                sums[label] = [math.fsum(z[p][k] for p in parts) for k in range(len(included))]
                indices[label] = standardise(sums[label])  # (sum - mean) / std
            flat = [label for label, index in indices.items() if index is None]
        if flat:
            reason = f"{GRUND_KEINE_STREUUNG} bei {', '.join(flat)}"
            for i in included:
                reasons[i] = reason
        else:
            status_index = indices["statussumme"]
            dynamik_index = indices["dynamiksumme"]
            for k, i in enumerate(included):
                for name in columns:
                    result[f"z_{name}"][i] = z[name][k]
                s_klasse = status_class(status_index[k], recipe.klassen_status)
                d_klasse = dynamik_class(dynamik_index[k], recipe.klassen_dynamik)
                result["statussumme"][i] = sums["statussumme"][k]
                result["status_index"][i] = status_index[k]
                result["dynamiksumme"][i] = sums["dynamiksumme"][k]
                result["dynamik_index"][i] = dynamik_index[k]
                result["status_klasse"][i] = s_klasse
                result["dynamik_klasse"][i] = d_klasse
                result["gesamtindex"][i] = group_label(s_klasse, d_klasse)
                result["gruppe"][i] = group_number(s_klasse, d_klasse)

    schema = _output_schema(recipe, data.schema["einwohner"])
    frame = {"gebiet_id": ids, "einwohner": data["einwohner"].to_list()}
    frame |= {name: values[name] for name in columns}
    frame |= result
    frame["ausschluss_grund"] = reasons
    return pl.DataFrame(frame, schema=schema)
