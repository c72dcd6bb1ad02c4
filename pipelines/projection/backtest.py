"""The projection's own track record: projected from past base dates, scored against actuals.

For every base date with enough history before it and at least `min_years` actual years
after it, the projection is compared with what the register later counted, beside two
naive baselines a planner could have used instead: the base population held constant, and
the straight line through the last five years' totals of each area and age group. Scores
(per horizon, age group and area size class): MAPE over areas (mean absolute percentage
error), the population-weighted absolute error (sum |projected - actual| / sum actual) and
the bias (signed, same weights), all in percent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: age groups scored (label -> first and last age; None = open end)
ZIELGRUPPEN: dict[str, tuple[int, int | None]] = {
    "gesamt": (0, None),
    "0-5": (0, 5),
    "6-9": (6, 9),
}
#: area size classes by population on the base date (label -> lower bound)
GROESSENKLASSEN: dict[str, int] = {
    "unter 1.000": 0,
    "1.000 bis unter 5.000": 1_000,
    "5.000 und mehr": 5_000,
}
#: prognose: the method the settings choose (prognose.methode); hamilton_perry, kohorten: each
#: method where it is possible on the base date; konstant, linear: the naive baselines
METHODEN = ("prognose", "hamilton_perry", "kohorten", "konstant", "linear")


def group_total(pop: Mapping[str, np.ndarray], lo: int, hi: int | None) -> np.ndarray:
    """Persons per area in ages lo..hi (hi None: to the open end), all sexes."""
    total = sum(pop.values())
    return total[:, lo : (None if hi is None else hi + 1)].sum(axis=1)


def linear_trend(series: Sequence[np.ndarray], ahead: int) -> np.ndarray:
    """Least-squares line through the last values per area, `ahead` years after the last."""
    values = np.vstack(series)  # [year, area]
    x = np.arange(len(series), dtype=float)
    x_mean = x.mean()
    slope = ((x - x_mean)[:, None] * (values - values.mean(axis=0))).sum(axis=0) / (
        ((x - x_mean) ** 2).sum() or 1.0
    )
    intercept = values.mean(axis=0) - slope * x_mean
    return np.maximum(intercept + slope * (len(series) - 1 + ahead), 0.0)


def scores(projected: np.ndarray, actual: np.ndarray) -> dict[str, float | int]:
    """MAPE, weighted error and bias in percent, over areas with actual persons."""
    known = actual > 0
    n = int(known.sum())
    if n == 0:
        return {
            "mape": float("nan"),
            "gewichteter_fehler": float("nan"),
            "bias": float("nan"),
            "gebiete": 0,
        }
    diff = projected[known] - actual[known]
    total = actual[known].sum()
    return {
        "mape": float(np.mean(np.abs(diff) / actual[known]) * 100),
        "gewichteter_fehler": float(np.abs(diff).sum() / total * 100),
        "bias": float(diff.sum() / total * 100),
        "gebiete": n,
    }


def size_classes(base_total: np.ndarray) -> dict[str, np.ndarray]:
    """Masks of areas per size class, plus all areas."""
    bounds = list(GROESSENKLASSEN.items())
    masks = {"alle": np.ones(base_total.shape, dtype=bool)}
    for i, (label, lo) in enumerate(bounds):
        hi = bounds[i + 1][1] if i + 1 < len(bounds) else np.inf
        masks[label] = (base_total >= lo) & (base_total < hi)
    return masks
