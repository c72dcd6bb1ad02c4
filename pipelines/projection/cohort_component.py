"""Small-area population projection by components: births, deaths and moves by age and sex.

Needs the population on 31.12 of consecutive years and the year's moves (`bewegungen`) by age
and sex. Ages are on 31.12 of the year (year minus year of birth; births: the mother's), so
the cohort aged x on 31.12 of a year was aged x - 1 a year before, and the newborn of the year
are the cohort aged 0. Per area, age x and sex s of a year:

    start(x)  = persons aged x - 1 on 31.12 of the year before (x = 0: the year's births;
                the open age keeps its own persons as well)
    mean(x)   = (start(x) + end(x)) / 2          the cohort's mean population
    end(x)    = start(x) - deaths(x) + in(x) - out(x)

Rates per person of the mean population: fertility f(x) = births by mother's age x / women
of the cohort x (all persons where the sex is not delivered), mortality m(x, s) = deaths /
mean, in-moves i(x, s) and out-moves o(x, s) (across the city boundary and inside the city
together), pooled over the base years by exposure and shrunk towards the pooling group's rate
with a weight of `pooling` persons of exposure (as hamilton_perry does). One year forward with
r = i - o - m:

    end(x) = start(x) * (1 + r / 2) / (1 - r / 2)        (r clipped to -1..1)

and births = sum over x of f(x) * (women start(x) + women end(x)) / 2, split by sex with the
sex shares of the delivered births (boys : girls = 1.05 : 1 where the child's sex is not
delivered). Moves without an age (a year's file without the columns, or rows with an empty
age) are spread over ages in proportion to a standard rate profile times the area's mean
population: the city's own profile from the years that carry ages, else the fixed profiles
below. Variants: `unten` / `oben` take the fertility of the base year with the lowest /
highest fertility and the in-moves of the year with the lowest / highest net migration of the
city (docs/projection.md).

Pure functions over numpy arrays `[area, age]` per sex, like hamilton_perry.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .hamilton_perry import Settings, _persons, _pool

#: the projection variants and what each assumes (docs/projection.md)
VARIANTS: dict[str, str] = {
    "unten": "Geburtenhäufigkeit des Basisjahres mit den wenigsten Geburten je Frau und Zuzüge "
    "des Basisjahres mit dem niedrigsten Wanderungssaldo der Stadt",
    "mitte": "Geburten-, Sterbe- und Zu- und Fortzugsraten der Basisjahre (gepoolt)",
    "oben": "Geburtenhäufigkeit des Basisjahres mit den meisten Geburten je Frau und Zuzüge "
    "des Basisjahres mit dem höchsten Wanderungssaldo der Stadt",
}
KINDS = ("geburt", "sterbefall", "zu", "fort")  # zu: zuzug + umzug_zu; fort: fortzug + umzug_fort
SEX_RATIO_AT_BIRTH = 1.05  # boys per girl where the child's sex is not delivered
RATE_LIMIT = 1.0  # |i - o - m| per person of the mean population, per year


def _ages(open_age: int) -> np.ndarray:
    return np.arange(open_age + 1, dtype=float)


def standard_fertility(open_age: int) -> np.ndarray:
    """Shape of births by mother's age (sums to 1): a round approximation of the German
    age-specific fertility rates around 2020 (Destatis, Geburtenstatistik; per 1,000 women
    15-19: 7, 20-24: 40, 25-29: 90, 30-34: 115, 35-39: 62, 40-44: 13, 45-49: 1), spread
    evenly over the single years of each group. Only its shape is used."""
    per_group = {15: 7, 20: 40, 25: 90, 30: 115, 35: 62, 40: 13, 45: 1}
    out = np.zeros(open_age + 1)
    for lo, rate in per_group.items():
        out[lo : min(lo + 5, open_age + 1)] = rate
    return out / (out.sum() or 1.0)


def standard_mortality(open_age: int) -> np.ndarray:
    """Shape of deaths per person by age: Gompertz, doubling every 7.3 years (slope 0.095 a
    year, the slope of German life tables between 30 and 95), infants 0.35 %."""
    a = _ages(open_age)
    out = np.minimum(0.0002 + 3.2e-5 * np.exp(0.095 * a), 0.6)
    out[0] = 0.0035
    return out


def standard_mobility(open_age: int) -> np.ndarray:
    """Shape of moves per person by age: a model migration schedule after Rogers and Castro
    (1981): children moving with their parents, a peak in the early twenties, a low plateau."""
    a = _ages(open_age)
    return (
        0.02 + 0.06 * np.exp(-0.1 * a) + 0.10 * np.exp(-0.13 * (a - 20) - np.exp(-0.4 * (a - 20)))
    )


@dataclass(frozen=True)
class Moves:
    """One year's delivered moves: kind (KINDS) -> sex ("" = not delivered) -> [area, age+1].

    The last column holds the moves of unknown age. Births: sex of the child, age of the
    mother. Kinds without any row are absent."""

    counts: dict[str, dict[str, np.ndarray]]

    def has_ages(self) -> bool:
        """Any row of the year with a known age."""
        return any(a[:, :-1].sum() > 0 for by in self.counts.values() for a in by.values())


@dataclass(frozen=True)
class Events:
    """One year's events by age on 31.12 and population sex: sex -> [area, age]."""

    births: np.ndarray  # [area, age of the mother]
    births_by_sex: dict[str, np.ndarray]  # sex of the child -> [area]
    deaths: dict[str, np.ndarray]
    inflow: dict[str, np.ndarray]
    outflow: dict[str, np.ndarray]


@dataclass(frozen=True)
class Rates:
    """Estimated rates per person of the mean population."""

    fertility: np.ndarray  # [area, age of the mother], births per woman
    mortality: dict[str, np.ndarray]  # sex -> [area, age]
    inflow: dict[str, np.ndarray]
    outflow: dict[str, np.ndarray]
    sex_at_birth: dict[str, float]
    # the city's yearly fertility and in-moves of the base years relative to the pooled rates
    fertility_range: tuple[float, float] = (1.0, 1.0)
    inflow_range: tuple[float, float] = (1.0, 1.0)
    profile_source: str = "Lieferung"  # where moves without age were spread by


def _women(pop: Mapping[str, np.ndarray]) -> np.ndarray:
    return pop["w"] if "w" in pop else sum(pop.values())


def _start(before: Mapping[str, np.ndarray], births: Mapping[str, np.ndarray]) -> dict:
    """The cohorts on 31.12 of the year before, by their age at the end of the year."""
    out = {}
    for sex, p in before.items():
        s = np.zeros_like(p, dtype=float)
        s[:, 1:] = p[:, :-1]
        s[:, -1] += p[:, -1]
        s[:, 0] = births.get(sex, 0.0)
        out[sex] = s
    return out


def birth_shares(sexes: Sequence[str], moves: Sequence[Moves]) -> dict[str, float]:
    """Share of births per population sex: as delivered (child's sex), else 1.05 : 1."""
    known = {s: 0.0 for s in sexes}
    for m in moves:
        for sex, a in m.counts.get("geburt", {}).items():
            if sex in known:
                known[sex] += float(a.sum())
    total = sum(known.values())
    if total > 0:
        return {s: v / total for s, v in known.items()}
    if "m" in known and "w" in known:
        boys = SEX_RATIO_AT_BIRTH / (1 + SEX_RATIO_AT_BIRTH)
        return {s: (boys if s == "m" else 1 - boys if s == "w" else 0.0) for s in sexes}
    return {s: 1.0 / len(sexes) for s in sexes}


def _spread(counts: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Area totals [area] spread over the columns in proportion to weight [area, k]."""
    total = weight.sum(axis=1, keepdims=True)
    even = np.full_like(weight, 1.0 / weight.shape[1])
    share = np.where(total > 0, weight / np.where(total > 0, total, 1.0), even)
    return counts[:, None] * share


def resolve(
    moves: Moves,
    before: Mapping[str, np.ndarray],
    after: Mapping[str, np.ndarray],
    shares: Mapping[str, float],
    profiles: Mapping[str, np.ndarray],
) -> Events:
    """Every move on an age and a population sex.

    Known age, unknown sex: over the sexes by the mean population of that age. Unknown age:
    over ages (and sexes) by `profiles[kind]` (a rate by age) times the mean population."""
    sexes = list(after)
    n_area, n_age = after[sexes[0]].shape
    births_c = moves.counts.get("geburt", {})
    total_births = sum((a.sum(axis=1) for a in births_c.values()), np.zeros(n_area))
    by_sex = {s: total_births * shares.get(s, 0.0) for s in sexes}
    start = _start(before, by_sex)
    mean = {s: (start[s] + after[s]) / 2 for s in sexes}
    women = (_women(start) + _women(after)) / 2
    by_mother = np.zeros((n_area, n_age))
    for a in births_c.values():
        by_mother += a[:, :-1]
        by_mother += _spread(a[:, -1], profiles["geburt"][None, :] * women)
    out: dict[str, dict[str, np.ndarray]] = {}
    for kind in ("sterbefall", "zu", "fort"):
        res = {s: np.zeros((n_area, n_age)) for s in sexes}
        prof = profiles[kind]
        for sex, a in moves.counts.get(kind, {}).items():
            if sex in res:
                res[sex] += a[:, :-1]
                res[sex] += _spread(a[:, -1], prof[None, :] * mean[sex])
                continue
            # sex not delivered (or not in the population): by the mean population
            known = a[:, :-1]
            stack = np.stack([mean[s] for s in sexes])  # [sex, area, age]
            tot = stack.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                part = np.where(tot > 0, stack / np.where(tot > 0, tot, 1.0), 1.0 / len(sexes))
            for k, s in enumerate(sexes):
                res[s] += known * part[k]
            flat = np.concatenate([prof[None, :] * mean[s] for s in sexes], axis=1)
            spread = _spread(a[:, -1], flat)
            for k, s in enumerate(sexes):
                res[s] += spread[:, k * n_age : (k + 1) * n_age]
        out[kind] = res
    return Events(by_mother, by_sex, out["sterbefall"], out["zu"], out["fort"])


def city_profiles(
    history: Sequence[Mapping[str, np.ndarray]], moves: Sequence[Moves | None]
) -> tuple[dict[str, np.ndarray], str]:
    """Rates by age for spreading moves without age: the city's own over the years with ages
    (births by mother's age per woman; deaths, in- and out-moves per person), else the fixed
    standard profiles. moves[k] belongs to the transition history[k] -> history[k + 1]."""
    sexes = list(history[-1])
    n_age = history[-1][sexes[0]].shape[1]
    open_age = n_age - 1
    fixed = {
        "geburt": standard_fertility(open_age),
        "sterbefall": standard_mortality(open_age),
        "zu": standard_mobility(open_age),
        "fort": standard_mobility(open_age),
    }
    num = {k: np.zeros(n_age) for k in KINDS}
    den = {k: np.zeros(n_age) for k in KINDS}
    used = False
    for (before, after), m in zip(itertools.pairwise(history), moves, strict=False):
        if m is None or not m.has_ages():
            continue
        used = True
        births = {s: np.zeros(after[s].shape[0]) for s in sexes}
        start = _start(before, births)
        mean = sum((start[s] + after[s]) / 2 for s in sexes)
        women = (_women(start) + _women(after)) / 2
        for kind, by in m.counts.items():
            for a in by.values():
                num[kind] += a[:, :-1].sum(axis=0)
            den[kind] += (women if kind == "geburt" else mean).sum(axis=0)
    if not used:
        return fixed, "Standardprofil"
    out = {}
    for kind in KINDS:
        with np.errstate(divide="ignore", invalid="ignore"):
            own = np.where(den[kind] > 0, num[kind] / np.where(den[kind] > 0, den[kind], 1), 0.0)
        out[kind] = own if own.sum() > 0 else fixed[kind]
    return out, "Stadtprofil"


def estimate(
    history: Sequence[Mapping[str, np.ndarray]],
    moves: Sequence[Moves],
    parent: np.ndarray,
    settings: Settings,
    profiles: tuple[dict[str, np.ndarray], str] | None = None,
) -> Rates:
    """Rates from consecutive yearly snapshots (oldest first) and the moves of the years
    between them (moves[k]: the calendar year of history[k + 1]); the last `base_years`
    transitions. `parent` is the [group, area] 0/1 matrix of the pooling level."""
    window = list(history)[-(settings.base_years + 1) :]
    moves = list(moves)[-(len(window) - 1) :]
    if len(window) < 2 or len(moves) != len(window) - 1:
        raise ValueError(
            "für die Komponentenmethode fehlen Bestände oder Bewegungen der Basisjahre"
        )
    sexes = sorted(window[-1])
    n_area, n_age = window[-1][sexes[0]].shape
    shares = birth_shares(sexes, moves)
    prof, source = profiles or city_profiles(window, moves)
    zero = lambda: {s: np.zeros((n_area, n_age)) for s in sexes}  # noqa: E731
    deaths, inflow, outflow, exposure = zero(), zero(), zero(), zero()
    births, women = np.zeros((n_area, n_age)), np.zeros((n_area, n_age))
    yearly = []  # per year: births, women-weighted.., net, in, mean (city)
    for (before, after), m in zip(itertools.pairwise(window), moves, strict=True):
        ev = resolve(m, before, after, shares, prof)
        start = _start(before, ev.births_by_sex)
        # a year counts only for areas with persons at both ends: an area created by a split
        # has no "before", and its first persons are no cohort flow (as in hamilton_perry)
        keep = ((_persons(before) > 0) & (_persons(after) > 0)).astype(float)[:, None]
        w = (_women(start) + _women(after)) / 2 * keep
        births += ev.births * keep
        women += w
        y_mean = 0.0
        for s in sexes:
            mean = (start[s] + after[s]) / 2 * keep
            deaths[s] += ev.deaths[s] * keep
            inflow[s] += ev.inflow[s] * keep
            outflow[s] += ev.outflow[s] * keep
            exposure[s] += mean
            y_mean += float(mean.sum())
        yearly.append(
            (
                ev.births * keep,
                w,
                sum(float(((ev.inflow[s] - ev.outflow[s]) * keep).sum()) for s in sexes)
                / (y_mean or 1.0),
                sum(float((ev.inflow[s] * keep).sum()) for s in sexes) / (y_mean or 1.0),
            )
        )
    p = settings.pooling
    fertility = _pool(births, women, parent, p)
    mortality = {s: _pool(deaths[s], exposure[s], parent, p) for s in sexes}
    rin = {s: _pool(inflow[s], exposure[s], parent, p) for s in sexes}
    rout = {s: _pool(outflow[s], exposure[s], parent, p) for s in sexes}
    # variants: the city's yearly fertility and net migration, relative to the pooled rates
    fert = [float(b.sum()) / (float((fertility * w).sum()) or 1.0) for b, w, _, _ in yearly]
    net = [n for _, _, n, _ in yearly]
    mean_in = sum(i for *_, i in yearly) / len(yearly)
    mean_net = sum(net) / len(net)
    inflow_range = (
        1.0 + (min(net) - mean_net) / (mean_in or 1.0),
        1.0 + (max(net) - mean_net) / (mean_in or 1.0),
    )
    return Rates(
        fertility, mortality, rin, rout, shares, (min(fert), max(fert)), inflow_range, source
    )


def _factors(rates: Rates, variant: str) -> tuple[float, float]:
    if variant not in VARIANTS:
        raise ValueError(f"unbekannte Prognosevariante {variant!r}")
    k = {"unten": 0, "mitte": None, "oben": 1}[variant]
    if k is None:
        return 1.0, 1.0
    return rates.fertility_range[k], rates.inflow_range[k]


def step(
    pop: Mapping[str, np.ndarray], rates: Rates, fertility: float = 1.0, inflow: float = 1.0
) -> dict[str, np.ndarray]:
    """One year forward: sex -> [area, age]."""
    growth = {
        s: np.clip(
            inflow * rates.inflow[s] - rates.outflow[s] - rates.mortality[s],
            -RATE_LIMIT,
            RATE_LIMIT,
        )
        for s in pop
    }
    factor = {s: (1 + g / 2) / (1 - g / 2) for s, g in growth.items()}
    no_births = {s: 0.0 for s in pop}
    start = _start(pop, no_births)
    out = {s: start[s] * factor[s] for s in pop}
    women = (_women(start) + _women(out)) / 2
    births = (fertility * rates.fertility * women).sum(axis=1)
    for s in pop:
        out[s][:, 0] = births * rates.sex_at_birth.get(s, 0.0) * factor[s][:, 0]
    return out


def project(
    base: Mapping[str, np.ndarray], rates: Rates, settings: Settings, variant: str = "mitte"
) -> list[dict[str, np.ndarray]]:
    """Yearly projections 1..horizon years after the base snapshot."""
    fertility, inflow = _factors(rates, variant)
    pop = {s: np.asarray(p, dtype=float) for s, p in base.items()}
    years = []
    for _ in range(settings.horizon):
        pop = step(pop, rates, fertility, inflow)
        years.append(pop)
    return years
