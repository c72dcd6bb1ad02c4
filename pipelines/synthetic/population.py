"""Area profiles and the register population (einwohner) with moves (bewegungen).

Each atom (today's finest area) has a latent deprivation score that drifts over time;
it drives the foreigner share, the age structure and, in the benefit modules, SGB II,
child poverty, GruSi and HzE, so all of them are correlated as in real cities.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np

from .geography import Geography
from .rng import rng_for
from .scales import Scale

AGES = np.arange(101)  # 100 means 100 and older
SEXES = ("m", "w", "d")
NATS = ("deutsch", "nichtdeutsch")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def years_since(day: dt.date, first_year: int) -> float:
    return (day - dt.date(first_year, 1, 1)).days / 365.25


@dataclass
class Profiles:
    dep0: np.ndarray  # deprivation at the middle of the series (z-like)
    trend: np.ndarray  # change of deprivation per year
    pop0: np.ndarray  # expected inhabitants at the start
    growth: np.ndarray  # yearly growth rate
    w_family: np.ndarray
    w_young: np.ndarray
    w_old: np.ndarray
    foreign_logit: np.ndarray
    mid: float  # years_since of the middle of the series

    def deprivation(self, t: float) -> np.ndarray:
        return self.dep0 + self.trend * (t - self.mid)


def build_profiles(geo: Geography, scale: Scale, seed: int) -> Profiles:
    rng = rng_for(seed, "profiles")
    n = geo.n_atoms
    xy = geo.atom_xy
    # spatially smooth field: a few poverty hot spots and affluent zones
    field = np.zeros(n)
    span = np.ptp(xy, axis=0).max() + 1
    for _ in range(max(3, int(np.sqrt(n) / 2))):
        centre = xy[rng.integers(n)] + rng.normal(0, 1, 2)
        width = span * rng.uniform(0.08, 0.25)
        field += rng.choice([-1.0, 1.0]) * np.exp(-((xy - centre) ** 2).sum(1) / (2 * width**2))
    field += rng.normal(0, 0.45, n)
    dep0 = (field - field.mean()) / field.std()
    # the two halves of the split area are neighbours: keep them alike
    w, e = geo.split_atoms
    dep0[e] = dep0[w] + rng.normal(0, 0.15)
    trend = rng.normal(0, 0.05, n) + 0.03 * np.sign(rng.normal(0, 1, n)) * (rng.random(n) < 0.3)

    weight = rng.lognormal(0, 0.4, n)
    weight[[w, e]] = weight[w] * np.array([0.55, 0.45]) * 1.7
    tiny_pop = np.where(geo.atom_tiny, rng.integers(40, 260, n), 0).astype(float)
    regular = ~geo.atom_tiny
    pop0 = tiny_pop.copy()
    pop0[regular] = weight[regular] / weight[regular].sum() * (scale.population - tiny_pop.sum())
    growth = np.where(geo.atom_tiny, 0.0, rng.normal(0.004, 0.008, n))

    rim = geo.atom_rim
    w_family = np.clip(0.2 + 0.15 * dep0 + 0.3 * rim + rng.normal(0, 0.15, n), 0.05, None)
    w_young = np.clip(0.5 * (1 - rim) + rng.normal(0, 0.2, n), 0.02, None)
    w_old = np.clip(0.15 + 0.4 * rim - 0.1 * dep0 + rng.normal(0, 0.2, n), 0.02, None)
    foreign_logit = -2.1 + 0.6 * dep0 + 0.4 * (1 - rim) + rng.normal(0, 0.3, n)
    return Profiles(
        dep0,
        trend,
        pop0,
        growth,
        w_family,
        w_young,
        w_old,
        foreign_logit,
        mid=(scale.last_year - scale.first_year + 1) / 2,
    )


def age_shapes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Base pyramid and the family / young adult / elderly components over ages 0..100."""
    a = AGES.astype(float)
    surv = 1 / (1 + np.exp((a - 81) / 5.0))
    base = (0.95 + 0.05 * (a > 18) + 0.35 * np.exp(-(((a - 60) / 7) ** 2))) * surv
    family = (np.exp(-(((a - 8) / 6) ** 2)) + 0.9 * np.exp(-(((a - 39) / 7) ** 2))) * surv
    young = np.exp(-(((a - 28) / 5.5) ** 2))
    old = np.exp(-(((a - 76) / 8) ** 2)) * surv * 1.4
    # the open class 100+ collects the tail beyond 100
    tail = np.exp(-(np.arange(101, 115) - 81) / 5.0).sum()
    base[100] += tail * 0.02
    return base, family, young, old


def expected_population(p: Profiles, t: float) -> np.ndarray:
    """Expected persons, shape (atoms, ages, sexes, nationalities)."""
    base, family, young, old = age_shapes()
    ageing = 1 + 0.012 * t  # the city slowly gets older
    mix = (
        base[None, :]
        + p.w_family[:, None] * family[None, :]
        + p.w_young[:, None] * young[None, :]
        + (p.w_old * ageing)[:, None] * old[None, :]
    )
    mix = mix / mix.sum(1, keepdims=True)
    total = p.pop0 * np.exp(p.growth * t)
    a = AGES.astype(float)
    male = 0.513 - 0.0035 * np.clip(a - 50, 0, None)
    diverse = np.full_like(a, 0.0004)
    sex = np.stack([male - diverse / 2, 1 - male - diverse / 2, diverse], 1)  # (ages, 3)
    # foreigners are concentrated among young adults; the share rises over the years
    age_mult = np.where((a >= 18) & (a <= 45), 0.55, np.where(a >= 65, -0.9, 0.0))
    f = sigmoid(p.foreign_logit[:, None] + age_mult[None, :] + 0.04 * t)  # (atoms, ages)
    nat = np.stack([1 - f, f], -1)  # (atoms, ages, 2)
    return (
        total[:, None, None, None]
        * mix[:, :, None, None]
        * sex[None, :, :, None]
        * nat[:, :, None, :]
    )


def half_year_dates(scale: Scale) -> list[dt.date]:
    out = []
    for y in scale.years:
        out += [dt.date(y, 6, 30), dt.date(y, 12, 31)]
    return out


@dataclass
class PopulationSeries:
    dates: list[dt.date]
    counts: list[np.ndarray]  # per date (atoms, ages, sexes, nats), int32
    age_totals: np.ndarray  # (dates, atoms, ages): persons by single age

    def band(self, lo: int, hi: int) -> np.ndarray:
        """Persons with lo <= alter <= hi, shape (dates, atoms)."""
        return self.age_totals[:, :, lo : hi + 1].sum(-1)

    def at(self, day: dt.date, lo: int, hi: int) -> np.ndarray:
        """Band interpolated linearly to `day` (clamped at the ends)."""
        band = self.band(lo, hi).astype(float)
        if day <= self.dates[0]:
            return band[0]
        if day >= self.dates[-1]:
            return band[-1]
        k = bisect.bisect_right(self.dates, day)  # first date after day
        d0, d1 = self.dates[k - 1], self.dates[k]
        w = (day - d0).days / (d1 - d0).days
        return band[k - 1] * (1 - w) + band[k] * w


def simulate_population(p: Profiles, scale: Scale, seed: int) -> PopulationSeries:
    rng = rng_for(seed, "einwohner")
    dates = half_year_dates(scale)
    counts = []
    for d in dates:
        exp = expected_population(p, years_since(d, scale.first_year))
        counts.append(rng.poisson(exp).astype(np.int32))
    age_totals = np.stack([c.sum((2, 3)) for c in counts])
    return PopulationSeries(dates, counts, age_totals)


# --- moves with known rates (bewegungen by age and sex) ---------------------------------
#
# The register population above is drawn afresh around a smooth expected population on every
# date; it is not a cohort flow. The moves are drawn around that same expected population so
# that, in expectation, population(31.12.y) = population(31.12.y-1) aged by one year + births
# - deaths + net migration holds for every area, age and sex. What is known: the fertility
# rates by mother's age, the mortality rates by age and sex (both per mean population of the
# cohort, ages on 31.12 = year minus year of birth), the sex ratio at birth and the expected
# net migration (docs/projection.md). The tolerance: the register and the moves are drawn
# independently (Poisson), so the balance holds for the expected values, not the counts.

MOVE_KINDS = ("zuzug", "fortzug", "umzug_zu", "umzug_fort", "geburt", "sterbefall")
SEX_RATIO_AT_BIRTH = 1.05  # boys per girl
DIVERSE_AT_BIRTH = 0.0004  # share of births registered as divers (as in the population)
EXTERNAL_SHARE = 0.6  # of the moves into / out of an area, the share across the city boundary


def fertility_shape() -> np.ndarray:
    """Births per woman and year by mother's age 0..100, summing to 1 (a TFR of 1)."""
    a = AGES.astype(float)
    shape = np.where((a >= 15) & (a <= 49), np.exp(-(((a - 31.0) / 5.5) ** 2)), 0.0)
    return shape / shape.sum()


def fertility_multiplier(p: Profiles) -> np.ndarray:
    """Per atom: deprived areas have more children per woman."""
    return np.exp(0.12 * p.dep0)


def mortality_rates() -> np.ndarray:
    """Deaths per person of the mean population by age 0..100 and sex (m, w, d): Gompertz."""
    a = AGES.astype(float)
    male = np.minimum(0.0002 + 3.2e-5 * np.exp(0.095 * a), 0.6)
    female = np.minimum(0.0001 + 1.6e-5 * np.exp(0.098 * a), 0.6)
    male[0], female[0] = 0.0035, 0.003
    return np.stack([male, female, (male + female) / 2], 1)


def migration_profile() -> np.ndarray:
    """Gross mobility by age (Rogers–Castro shape: children, a peak at 20-30, a low plateau)."""
    a = AGES.astype(float)
    labour = 0.10 * np.exp(-0.13 * (a - 20) - np.exp(-0.4 * (a - 20)))
    return 0.02 + 0.06 * np.exp(-0.1 * a) + labour


def birth_shares() -> np.ndarray:
    """Share of births per sex (m, w, d)."""
    rest = 1 - DIVERSE_AT_BIRTH
    return np.array(
        [rest * SEX_RATIO_AT_BIRTH / (1 + SEX_RATIO_AT_BIRTH), rest / (1 + SEX_RATIO_AT_BIRTH),
         DIVERSE_AT_BIRTH]
    )  # fmt: skip


def _year_end(p: Profiles, scale: Scale, year: int) -> np.ndarray:
    """Expected persons on 31.12 of `year`, (atoms, ages, sexes)."""
    return expected_population(p, years_since(dt.date(year, 12, 31), scale.first_year)).sum(3)


def fertility_level(p: Profiles, scale: Scale) -> float:
    """The city's total fertility rate: expected births match the expected 0-year-olds."""
    mult, shape = fertility_multiplier(p), fertility_shape()
    births = zero = 0.0
    for y in scale.years:
        e0, e1 = _year_end(p, scale, y - 1), _year_end(p, scale, y)
        women = (np.concatenate([e0[:, :1, 1] * 0, e0[:, :-1, 1]], 1) + e1[:, :, 1]) / 2
        births += float((mult[:, None] * shape[None, :] * women).sum())
        zero += float(e1[:, 0, :].sum())
    return zero / births


def expected_moves(p: Profiles, scale: Scale, year: int, tfr: float) -> np.ndarray:
    """Expected moves of `year` per atom, kind (MOVE_KINDS), age 0..100 and sex (m, w, d).

    Births are by mother's age and the child's sex; every other kind by the mover's age."""
    e0, e1 = _year_end(p, scale, year - 1), _year_end(p, scale, year)
    start = np.zeros_like(e1)  # the cohort aged x on 31.12.: aged x - 1 a year before
    start[:, 1:, :] = e0[:, :-1, :]
    start[:, -1, :] += e0[:, -1, :]  # the open age keeps its own
    women = (start[:, :, 1] + e1[:, :, 1]) / 2
    by_mother = tfr * fertility_multiplier(p)[:, None] * fertility_shape()[None, :] * women
    shares = birth_shares()
    start[:, 0, :] = by_mother.sum(1)[:, None] * shares[None, :]
    mean = (start + e1) / 2
    deaths = mortality_rates()[None] * mean
    net = e1 - start + deaths
    young = e1[:, 18:35].sum((1, 2)) / np.maximum(e1.sum((1, 2)), 1)
    rate = 0.045 + 0.12 * young + 0.01 * sigmoid(p.dep0)
    prof = migration_profile()
    level = (mean * prof[None, :, None]).sum((1, 2)) / np.maximum(mean.sum((1, 2)), 1)
    gross = (rate / level)[:, None, None] * prof[None, :, None] * mean
    inflow, outflow = gross + np.maximum(net, 0), gross + np.maximum(-net, 0)
    ext = EXTERNAL_SHARE
    births = by_mother[:, :, None] * shares[None, None, :]
    return np.stack(
        [ext * inflow, ext * outflow, (1 - ext) * inflow, (1 - ext) * outflow, births, deaths], 1
    )


def moves_by_age(p: Profiles, scale: Scale, seed: int) -> dict[int, np.ndarray]:
    """Yearly moves per atom, kind, age and sex (drawn around `expected_moves`)."""
    rng = rng_for(seed, "bewegungen")
    tfr = fertility_level(p, scale)
    return {y: rng.poisson(expected_moves(p, scale, y, tfr)) for y in scale.years}


def moves(p: Profiles, pop: PopulationSeries, scale: Scale, seed: int) -> dict[int, np.ndarray]:
    """Yearly moves per atom: columns zuzug, fortzug, umzug_zu, umzug_fort, geburt, sterbefall."""
    return {y: m.sum((2, 3)) for y, m in moves_by_age(p, scale, seed).items()}
