"""Small-area population projection by cohort-change ratios (Hamilton–Perry).

Needs nothing but population snapshots on 31.12 of consecutive years: the ratio of the
persons aged a+1 in an area at the end of a year to the persons aged a there a year before
carries survival and migration together; births come from the child-woman ratio (persons
aged 0 over persons, women where the sex is delivered, of child-bearing age a year before).
That is why a city with nothing but its register (Berlin's EWR files) can project too.

Everything here is a pure function over numpy arrays `[area, age]` (one array per sex);
the dbt model and the tests wire them. Ages are single years 0..`open_age` (the last one
is open: "open_age and older"). Deliveries in age bands (the Berlin register) are spread
evenly over the single years of each band first (`spread_bands`).

Small areas are pooled: an area's ratio is shrunk towards its pooling group's ratio with a
weight of `pooling` persons of exposure (an area with 20 persons aged 4 takes its ratio for
age 5 mostly from the group; an area with 20,000 mostly from itself), as SIKURS pools by area
type. From age 6 on the ratio is then damped halfway towards the city's ratio. Both settings
were chosen on the back-test of the Berlin register 2001–2020 (docs/projection.md): without
them the projection loses to "population held constant" on small areas. Children under 6
are shown as the plain average of the projection and the base year's children of that age
(a forecast combination: in small areas young children follow the housing stock as much as
the births of the base years); the average is a fixed 1:1, not fitted to the back-test.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: the projection variants and what each assumes (docs/projection.md)
VARIANTS: dict[str, str] = {
    "unten": "Entwicklung der Basisjahre, jedes Jahr um eine Standardabweichung des "
    "jährlichen Wachstums der Basisjahre schwächer",
    "mitte": "Entwicklung der Basisjahre (gepoolte Kohortenveränderungsraten) fortgeschrieben",
    "oben": "Entwicklung der Basisjahre, jedes Jahr um eine Standardabweichung des "
    "jährlichen Wachstums der Basisjahre stärker",
}


@dataclass(frozen=True)
class Settings:
    """How ratios are estimated; the defaults are documented in docs/projection.md."""

    base_years: int = 3  # transitions averaged (pooled over years by exposure)
    pooling: float = 1000.0  # persons of exposure that weigh as much as the parent's ratio
    # from this age on an area's ratio is pulled halfway to the city's: the migration gains
    # of a new-build area do not last; family ages keep the area's own ratio
    damping: float = 0.5
    damping_from_age: int = 6
    fertile_from: int = 20  # the child-woman ratio's reference ages (women where delivered)
    fertile_to: int = 39
    horizon: int = 10
    # children below this age are published as the average (weight `young_weight` on the
    # ratios) of the cohort-change projection and the base year's children of the same age
    # in the area; the chain of ratios itself runs unblended (docs/projection.md)
    young_below_age: int = 6
    young_weight: float = 0.5
    # auto | kohorten | hamilton_perry (frames.method_at, cohort_component)
    method: str = "auto"


@dataclass(frozen=True)
class Rates:
    """Estimated cohort-change ratios per area and age (age 0: child-woman ratio)."""

    ratios: dict[str, np.ndarray]  # sex -> [area, age]; column 0 is the child-woman ratio
    growth_sd: float  # standard deviation of the city's yearly growth factor over the base years
    sex_at_birth: dict[str, float] = field(default_factory=dict)  # share of births per sex


def spread_bands(counts: np.ndarray, starts: Sequence[int], open_age: int) -> np.ndarray:
    """Counts per band `[area, band]` -> single years `[area, 0..open_age]`, evenly spread.

    `starts` are the bands' first ages (ascending, starting at 0); the last band runs to
    `open_age`, which stays open ("and older").
    """
    starts = list(starts)
    if not starts or starts[0] != 0:
        raise ValueError("Altersgruppen müssen bei Alter 0 beginnen")
    out = np.zeros((counts.shape[0], open_age + 1))
    ends = [*starts[1:], open_age + 1]
    for j, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        out[:, lo:hi] = counts[:, [j]] / (hi - lo)
    return out


def _pool(num: np.ndarray, den: np.ndarray, parent: np.ndarray, pooling: float) -> np.ndarray:
    """Shrink the ratios num/den of each area (rows) towards the parent's ratio."""
    parent_num = parent @ num  # [parent, age]
    parent_den = parent @ den
    with np.errstate(divide="ignore", invalid="ignore"):
        parent_ratio = np.where(parent_den > 0, parent_num / parent_den, np.nan)
    city_num, city_den = num.sum(axis=0), den.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        city_ratio = np.where(city_den > 0, city_num / city_den, 1.0)
    prior = parent.T @ np.nan_to_num(parent_ratio, nan=0.0)  # back onto the areas
    missing = parent.T @ np.isnan(parent_ratio).astype(float)
    prior = np.where(missing > 0, city_ratio, prior)
    weight = den + pooling
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weight > 0, (num + pooling * prior) / weight, prior)


def _persons(pop: Mapping[str, np.ndarray]) -> np.ndarray:
    return sum(p.sum(axis=1) for p in pop.values())


def _fertile(pop: Mapping[str, np.ndarray], s: Settings) -> np.ndarray:
    """Persons of child-bearing age per area: women where the sex is delivered."""
    source = pop["w"] if "w" in pop else sum(pop.values())
    return source[:, s.fertile_from : s.fertile_to + 1].sum(axis=1)


def estimate(
    history: Sequence[Mapping[str, np.ndarray]], parent: np.ndarray, settings: Settings
) -> Rates:
    """Ratios from consecutive yearly snapshots (oldest first; each: sex -> [area, age]).

    `parent` is the [parent area, area] 0/1 matrix of the pooling level.
    """
    window = list(history)[-(settings.base_years + 1) :]
    if len(window) < 2:
        raise ValueError("für eine Prognose sind mindestens zwei aufeinanderfolgende Jahre nötig")
    sexes = sorted(window[-1])
    n_area, n_age = window[-1][sexes[0]].shape
    births_num = np.zeros(n_area)
    births_den = np.zeros(n_area)
    births_by_sex = dict.fromkeys(sexes, 0.0)
    ratios: dict[str, np.ndarray] = {}
    # a transition counts only for areas with persons at both ends: an area created by a
    # split has no "before", and its first persons are not a cohort change
    kept = [
        (_persons(before) > 0)[:, None] & (_persons(after) > 0)[:, None]
        for before, after in itertools.pairwise(window)
    ]
    for sex in sexes:
        num = np.zeros((n_area, n_age))
        den = np.zeros((n_area, n_age))
        for (before, after), keep in zip(itertools.pairwise(window), kept, strict=True):
            b, a = before[sex] * keep, after[sex] * keep
            num[:, 1:] += a[:, 1:]
            den[:, 1:-1] += b[:, :-2]
            den[:, -1] += b[:, -2] + b[:, -1]  # the open age takes in its own survivors
            births_by_sex[sex] += a[:, 0].sum()
        ratio = _pool(num, den, parent, settings.pooling)
        with np.errstate(divide="ignore", invalid="ignore"):
            city = np.where(den.sum(axis=0) > 0, num.sum(axis=0) / den.sum(axis=0), 1.0)
        a0 = settings.damping_from_age
        ratio[:, a0:] = city[a0:] + settings.damping * (ratio[:, a0:] - city[a0:])
        ratios[sex] = ratio
    for (before, after), keep in zip(itertools.pairwise(window), kept, strict=True):
        births_num += sum(after[sex][:, 0] for sex in sexes) * keep[:, 0]
        births_den += _fertile(before, settings) * keep[:, 0]
    cwr = _pool(births_num[:, None], births_den[:, None], parent, settings.pooling)[:, 0]
    total_births = sum(births_by_sex.values()) or 1.0
    sex_at_birth = {sex: births_by_sex[sex] / total_births for sex in sexes}
    for sex in sexes:
        ratios[sex][:, 0] = cwr * sex_at_birth[sex]
    # yearly growth of the city over the areas that exist at both ends of a transition
    growth = np.array(
        [
            float((_persons(after) * keep[:, 0]).sum())
            / float((_persons(before) * keep[:, 0]).sum() or 1.0)
            for (before, after), keep in zip(itertools.pairwise(window), kept, strict=True)
        ]
    )
    growth_sd = float(np.std(growth, ddof=1)) if len(growth) > 1 else 0.0
    return Rates(ratios, growth_sd, sex_at_birth)


def step(pop: Mapping[str, np.ndarray], rates: Rates, factor: float, s: Settings):
    """One year forward: sex -> [area, age]."""
    fertile = _fertile(pop, s)
    out = {}
    for sex, p in pop.items():
        r = rates.ratios[sex] * factor
        nxt = np.empty_like(p)
        nxt[:, 0] = fertile * r[:, 0]
        nxt[:, 1:-1] = p[:, :-2] * r[:, 1:-1]
        nxt[:, -1] = (p[:, -2] + p[:, -1]) * r[:, -1]
        out[sex] = nxt
    return out


def project(
    base: Mapping[str, np.ndarray], rates: Rates, settings: Settings, variant: str = "mitte"
) -> list[dict[str, np.ndarray]]:
    """Yearly projections 1..horizon years after the base snapshot."""
    if variant not in VARIANTS:
        raise ValueError(f"unbekannte Prognosevariante {variant!r}")
    factor = {"unten": 1 - rates.growth_sd, "mitte": 1.0, "oben": 1 + rates.growth_sd}[variant]
    start = {sex: np.asarray(p, dtype=float) for sex, p in base.items()}
    pop, years, growth = start, [], 1.0
    young, w = settings.young_below_age, settings.young_weight
    for _ in range(settings.horizon):
        pop = step(pop, rates, factor, settings)
        growth *= factor
        shown = {}
        for sex, p in pop.items():
            q = p.copy()
            q[:, :young] = w * p[:, :young] + (1 - w) * start[sex][:, :young] * growth
            shown[sex] = q
        years.append(shown)
    return years
