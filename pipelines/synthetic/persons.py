"""Shared person attributes for the case-level sources: names, nationality, addresses."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .geography import Geography
from .names import GERMAN_FIRST_M, GERMAN_FIRST_W, GERMAN_SURNAMES, NATIONALITIES

EPOCH = np.datetime64("1970-01-01", "D")
NAT_CODES = tuple(NATIONALITIES)
NAT_WEIGHTS = np.array([v[0] for v in NATIONALITIES.values()])
NAT_WEIGHTS = NAT_WEIGHTS / NAT_WEIGHTS.sum()


def to_days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def draw_sex(rng: np.random.Generator, n: int, p_female: float) -> np.ndarray:
    u = rng.random(n)
    return np.where(u < 0.001, "d", np.where(u < 0.001 + p_female, "w", "m")).astype(object)


def draw_nationality(rng: np.random.Generator, p_foreign: np.ndarray) -> np.ndarray:
    foreign = rng.random(len(p_foreign)) < p_foreign
    codes = np.array(NAT_CODES, dtype=object)[
        rng.choice(len(NAT_CODES), len(p_foreign), p=NAT_WEIGHTS)
    ]
    return np.where(foreign, codes, "DEU").astype(object)


def draw_names(
    rng: np.random.Generator, nat: np.ndarray, sex: np.ndarray, birth_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Surname and first name fitting nationality, sex and (for Germans) birth cohort."""
    n = len(nat)
    last = np.empty(n, dtype=object)
    first = np.empty(n, dtype=object)
    female = (sex == "w") | ((sex == "d") & (rng.random(n) < 0.5))
    birth_year = (EPOCH + birth_days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int)
    birth_year = birth_year + 1970
    cohort = np.digitize(birth_year, [1960, 1990])
    u1, u2 = rng.random(n), rng.random(n)
    de = nat == "DEU"
    sn = np.array(GERMAN_SURNAMES, dtype=object)
    last[de] = sn[(u1[de] * len(sn)).astype(int)]
    for c in range(3):
        for is_f, lists in ((True, GERMAN_FIRST_W), (False, GERMAN_FIRST_M)):
            m = de & (cohort == c) & (female == is_f)
            arr = np.array(lists[c], dtype=object)
            first[m] = arr[(u2[m] * len(arr)).astype(int)]
    for code, (_, surnames, males, females) in NATIONALITIES.items():
        m = nat == code
        sn = np.array(surnames, dtype=object)
        last[m] = sn[(u1[m] * len(sn)).astype(int)]
        for is_f, lst in ((True, females), (False, males)):
            mm = m & (female == is_f)
            arr = np.array(lst, dtype=object)
            first[mm] = arr[(u2[mm] * len(arr)).astype(int)]
    return last, first


def draw_addresses(
    rng: np.random.Generator, geo: Geography, atom: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A random address of the person's atom: (strasse, hausnummer with suffix as `2a`)."""
    idx = geo.addr_start[atom] + (rng.random(len(atom)) * geo.addr_count[atom]).astype(np.int64)
    number = geo.addr_number[idx].astype(str).astype(object) + geo.addr_zusatz[idx]
    return geo.addr_street[idx], number


def unknown_street(geo: Geography, rng: np.random.Generator) -> str:
    """A street that is not in the directory (typo or unlisted)."""
    known = set(geo.addr_street.tolist())
    for cand in ("Unbekannte Gasse", "Bahnhofstr.", "Am Alten Wasserturm", "Hinterhof o. Nr."):
        if cand not in known:
            return cand
    return "Ohne Anschrift " + str(int(rng.integers(1000)))
