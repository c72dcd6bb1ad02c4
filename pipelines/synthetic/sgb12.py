"""SGB XII person-level snapshots from simulated benefit spells.

A spell has an entry date, an exit date, a fixed person and address; a snapshot on a
month-end day is every spell running that day. Persons therefore carry the same
person_nr and aktenzeichen from month to month, as in a real Sozialamt extract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from .geography import Geography
from .persons import draw_addresses, draw_names, draw_nationality, to_days
from .population import Profiles, expected_population, sigmoid, years_since
from .rng import rng_for
from .scales import Scale

# (stock model, mean duration in years, share in institutions, share female)
LEISTUNGSARTEN = ("HLU", "GRUSI_ALTER", "GRUSI_EM", "HZP")
MEAN_YEARS = {"HLU": 1.5, "GRUSI_ALTER": 6.0, "GRUSI_EM": 5.0, "HZP": 2.5}
P_EINRICHTUNG = {"HLU": 0.2, "GRUSI_ALTER": 0.08, "GRUSI_EM": 0.3, "HZP": 0.75}
P_FEMALE = {"HLU": 0.45, "GRUSI_ALTER": 0.58, "GRUSI_EM": 0.45, "HZP": 0.66}
REGELSATZ = {
    2010: 359,
    2011: 364,
    2012: 374,
    2013: 382,
    2014: 391,
    2015: 399,
    2016: 404,
    2017: 409,
    2018: 416,
    2019: 424,
    2020: 432,
    2021: 446,
    2022: 449,
    2023: 502,
    2024: 563,
    2025: 563,
}
COLUMNS = (
    "stichtag",
    "aktenzeichen",
    "person_nr",
    "nachname",
    "vorname",
    "geburtsdatum",
    "geschlecht",
    "staatsangehoerigkeit",
    "strasse",
    "hausnummer",
    "leistungsart",
    "einrichtung",
    "bruttobedarf_monat",
)


def regelaltersgrenze_months(birth_year: np.ndarray) -> np.ndarray:
    """Statutory retirement age in months (§ 41 SGB XII, § 235 SGB VI) by birth year."""
    y = birth_year
    return np.where(
        y <= 1946,
        780,
        np.where(y <= 1958, 780 + (y - 1946), np.where(y <= 1963, 792 + 2 * (y - 1958), 804)),
    )


def stock_targets(p: Profiles, scale: Scale, t: float) -> dict[str, np.ndarray]:
    """Expected recipients per atom at time t (population held at the series start before it)."""
    pop = expected_population(p, max(t, 0.0)).sum((2, 3))  # (atoms, ages)
    d = p.deprivation(max(t, 0.0))
    p65, p1864, tot = pop[:, 65:].sum(1), pop[:, 18:65].sum(1), pop.sum(1)
    return {
        "GRUSI_ALTER": p65 * sigmoid(-3.35 + 0.75 * d + 0.03 * t),
        "GRUSI_EM": p1864 * sigmoid(-5.3 + 0.5 * d),
        "HLU": tot * sigmoid(-6.6 + 0.5 * d),
        "HZP": p65 * sigmoid(-4.2 + 0.3 * d),
    }


@dataclass
class Spells:
    entry: np.ndarray  # days since 1970
    exit: np.ndarray
    birth: np.ndarray
    art: np.ndarray  # index into LEISTUNGSARTEN
    atom: np.ndarray
    einrichtung: np.ndarray  # bool
    base_cents: np.ndarray  # need on top of the Regelsatz, 2020 prices
    frame: pl.DataFrame  # static text columns, one row per spell

    def active(self, day: dt.date) -> np.ndarray:
        d = to_days(day)
        return np.flatnonzero((self.entry <= d) & (self.exit >= d))

    def need_cents(self, idx: np.ndarray, year: int) -> np.ndarray:
        infl = 1.025 ** (year - 2020)
        rs = REGELSATZ[year] * 100
        art = self.art[idx]
        base = self.base_cents[idx] * infl
        hzp = art == LEISTUNGSARTEN.index("HZP")
        # HzP covers care costs beyond the care insurance, not the living allowance
        return np.where(hzp, base, rs + base).round().astype(np.int64)


def simulate_spells(geo: Geography, p: Profiles, scale: Scale, seed: int) -> Spells:
    rng = rng_for(seed, "sgb12")
    parts = []
    targets: dict[int, dict[str, np.ndarray]] = {}
    for k, art in enumerate(LEISTUNGSARTEN):
        mean = MEAN_YEARS[art]
        burn = int(np.ceil(5 * mean))
        for y in range(scale.first_year - burn, scale.last_year + 1):
            if y not in targets:
                targets[y] = stock_targets(
                    p, scale, years_since(dt.date(y, 7, 1), scale.first_year)
                )
            lam = targets[y][art] / mean
            n = rng.poisson(lam)
            atom = np.repeat(np.arange(len(n)), n)
            start = to_days(dt.date(y, 1, 1))
            entry = start + rng.integers(0, 365, len(atom))
            dur = rng.exponential(mean * 365.25, len(atom)).astype(np.int64)
            parts.append((np.full(len(atom), k), atom, entry, entry + dur))
    art = np.concatenate([x[0] for x in parts])
    atom = np.concatenate([x[1] for x in parts])
    entry = np.concatenate([x[2] for x in parts])
    exit_ = np.concatenate([x[3] for x in parts])
    # keep only spells that reach the series
    keep = exit_ >= to_days(dt.date(scale.first_year, 1, 1))
    keep &= entry <= to_days(dt.date(scale.last_year, 12, 31))
    art, atom, entry, exit_ = art[keep], atom[keep], entry[keep], exit_[keep]
    o = np.lexsort((atom, entry))  # person numbers in order of entry
    art, atom, entry, exit_ = art[o], atom[o], entry[o], exit_[o]
    n = len(art)

    # ages that fit the benefit
    age_y = np.empty(n)
    i_hlu, i_alt, i_em, i_hzp = (art == k for k in range(4))
    age_y[i_alt] = 65 + np.minimum(rng.exponential(6.5, i_alt.sum()), 32)
    age_y[i_em] = 18 + 44 * rng.beta(2.0, 1.6, i_em.sum())
    age_y[i_hlu] = 18 + 46 * rng.beta(1.3, 1.6, i_hlu.sum())
    age_y[i_hzp] = 55 + 42 * rng.beta(3.0, 1.5, i_hzp.sum())
    birth = entry - (age_y * 365.25).astype(np.int64)
    # GRUSI_ALTER only from the Regelaltersgrenze on
    by = 1970 + birth // 365.25
    rag_days = (regelaltersgrenze_months(by.astype(int)) / 12 * 365.25).astype(np.int64) + 1
    late = i_alt & (entry - birth < rag_days)
    birth[late] = entry[late] - rag_days[late] - rng.integers(0, 180, late.sum())
    # working-age benefits end the day before the 65th birthday, nobody gets older than 104
    cap65 = birth + int(65 * 365.25) - 2
    exit_ = np.where(i_em | i_hlu, np.minimum(exit_, cap65), exit_)
    exit_ = np.minimum(exit_, birth + int(104 * 365.25))
    exit_ = np.maximum(exit_, entry)

    einr = rng.random(n) < np.array([P_EINRICHTUNG[a] for a in LEISTUNGSARTEN])[art]
    kdu = rng.lognormal(np.log(470), 0.25, n) * 100
    care_j = rng.uniform(1500, 3800, n) * 100
    care_n = rng.uniform(250, 1400, n) * 100
    inst = rng.uniform(450, 900, n) * 100
    base = np.where(i_hzp, np.where(einr, care_j, care_n), np.where(einr, inst, kdu))

    p_female = np.array([P_FEMALE[a] for a in LEISTUNGSARTEN])[art]
    sex = np.where(rng.random(n) < 0.001, "d", np.where(rng.random(n) < p_female, "w", "m"))
    sex = sex.astype(object)
    p_foreign = sigmoid(p.foreign_logit[atom] + np.where(i_alt, 0.5, 0.3))
    nat = draw_nationality(rng, p_foreign)
    last, first = draw_names(rng, nat, sex, birth)
    street, number = draw_addresses(rng, geo, atom)
    prefix = np.array(["50.1", "50.2", "50.2", "50.3"], dtype=object)[art]
    entry_year = (1970 + entry // 365.25).astype(int) % 100
    seq = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(6)
    akz = pl.select(
        pl.format(
            "{}-{}-{}",
            pl.lit(pl.Series(prefix.astype(str))),
            pl.lit(pl.Series(entry_year)).cast(pl.String).str.zfill(2),
            pl.lit(seq),
        )
    ).to_series()
    frame = pl.DataFrame(
        {
            "aktenzeichen": akz,
            "person_nr": pl.Series(np.arange(1_000_000, 1_000_000 + n)).cast(pl.String),
            "nachname": last.astype(str),
            "vorname": first.astype(str),
            "geburtsdatum": pl.Series(birth, dtype=pl.Int32).cast(pl.Date),
            "geschlecht": sex.astype(str),
            "staatsangehoerigkeit": nat.astype(str),
            "strasse": street.astype(str),
            "hausnummer": number.astype(str),
            "leistungsart": np.array(LEISTUNGSARTEN)[art],
            "einrichtung": np.where(einr, "J", "N"),
        }
    )
    return Spells(entry, exit_, birth, art, atom, einr, base, frame)
