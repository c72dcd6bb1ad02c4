"""SGB VIII (Jugendamt) cases: every measure active in a calendar year, with costs.

Entries per area follow the young population and deprivation (HzE is strongly social,
§ 35a much less); durations and daily rates per Hilfeart give believable yearly costs
(§ 34 about 50-70k EUR, § 31 10-20k, § 28 small).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from .geography import Geography
from .persons import draw_addresses, draw_names, draw_nationality, to_days
from .population import PopulationSeries, Profiles, sigmoid
from .rng import rng_for
from .scales import Scale

# hilfeart: (entries per 10,000 under 21 per year, deprivation elasticity,
#            age at beginn lo..hi, mean duration days, EUR per day in 2020 prices)
HILFEARTEN: dict[str, tuple[float, float, int, int, int, float]] = {
    "27_2": (10.0, 0.45, 0, 17, 300, 35.0),
    "28": (110.0, 0.15, 3, 17, 180, 4.0),
    "29": (3.0, 0.45, 8, 15, 330, 18.0),
    "30": (12.0, 0.45, 10, 17, 450, 28.0),
    "31": (28.0, 0.5, 0, 15, 500, 42.0),
    "32": (4.0, 0.45, 6, 12, 540, 95.0),
    "33": (7.0, 0.5, 0, 14, 1500, 55.0),
    "34": (12.0, 0.5, 6, 17, 900, 165.0),
    "35": (1.5, 0.5, 12, 17, 420, 210.0),
    "35a": (10.0, 0.1, 5, 16, 700, 60.0),
    "41": (6.0, 0.45, 18, 20, 420, 130.0),
    "42": (35.0, 0.5, 0, 17, 25, 260.0),
}
CODES = tuple(HILFEARTEN)
COLUMNS = (
    "fall_nr",
    "person_nr",
    "nachname",
    "vorname",
    "geburtsdatum",
    "geschlecht",
    "strasse",
    "hausnummer",
    "hilfeart",
    "beginn",
    "ende",
    "kosten_jahr",
)


@dataclass
class Cases:
    beginn: np.ndarray  # days since 1970
    ende: np.ndarray
    birth: np.ndarray
    code: np.ndarray  # index into CODES
    atom: np.ndarray
    cost_factor: np.ndarray
    frame: pl.DataFrame  # static text columns per case

    def in_year(self, year: int) -> np.ndarray:
        lo, hi = to_days(dt.date(year, 1, 1)), to_days(dt.date(year, 12, 31))
        return np.flatnonzero((self.beginn <= hi) & (self.ende >= lo))

    def cost_cents(self, idx: np.ndarray, year: int) -> np.ndarray:
        lo, hi = to_days(dt.date(year, 1, 1)), to_days(dt.date(year, 12, 31))
        days = np.minimum(self.ende[idx], hi) - np.maximum(self.beginn[idx], lo) + 1
        rate = np.array([v[5] for v in HILFEARTEN.values()])[self.code[idx]]
        return np.rint(days * rate * 1.03 ** (year - 2020) * self.cost_factor[idx] * 100).astype(
            np.int64
        )


def simulate_cases(
    geo: Geography, p: Profiles, pop: PopulationSeries, scale: Scale, seed: int
) -> Cases:
    rng = rng_for(seed, "sgb8")
    u21 = pop.band(0, 20)[1]  # first 31.12
    parts = []
    for y in range(scale.first_year - 6, scale.last_year + 1):
        t = max(0.0, y - scale.first_year + 0.5)
        d = p.deprivation(t)
        for k, (rate, elast, *_rest) in enumerate(HILFEARTEN.values()):
            lam = u21 * rate / 10_000 * np.exp(elast * d) / np.exp(elast**2 / 2)
            n = rng.poisson(lam)
            atom = np.repeat(np.arange(len(n)), n)
            parts.append(
                (
                    np.full(len(atom), k),
                    atom,
                    to_days(dt.date(y, 1, 1)) + rng.integers(0, 365, len(atom)),
                )
            )
    code = np.concatenate([x[0] for x in parts])
    atom = np.concatenate([x[1] for x in parts])
    beginn = np.concatenate([x[2] for x in parts])
    spec = list(HILFEARTEN.values())
    lo = np.array([s[2] for s in spec])[code]
    hi = np.array([s[3] for s in spec])[code]
    mean = np.array([s[4] for s in spec])[code]
    age_days = ((lo + rng.random(len(code)) * (hi - lo + 1)) * 365.25).astype(np.int64)
    birth = beginn - age_days
    ende = beginn + np.maximum(rng.exponential(mean), 1).astype(np.int64)
    # measures end at the age limit: 18, for Hilfe für junge Volljährige (§ 41) 21
    limit = np.where(code == CODES.index("41"), 21, 18)
    ende = np.minimum(ende, birth + (limit * 365.25).astype(np.int64) - 2)
    ende = np.maximum(ende, beginn)
    keep = ende >= to_days(dt.date(scale.first_year, 1, 1))
    keep &= beginn <= to_days(dt.date(scale.last_year, 12, 31))
    code, atom, beginn, ende, birth = code[keep], atom[keep], beginn[keep], ende[keep], birth[keep]
    o = np.lexsort((atom, beginn))
    code, atom, beginn, ende, birth = code[o], atom[o], beginn[o], ende[o], birth[o]
    n = len(code)

    boys = np.isin(code, [CODES.index(c) for c in ("34", "35", "35a", "29")])
    sex = np.where(rng.random(n) < np.where(boys, 0.6, 0.5), "m", "w").astype(object)
    nat = draw_nationality(rng, sigmoid(p.foreign_logit[atom] + 0.2))
    last, first = draw_names(rng, nat, sex, birth)
    street, number = draw_addresses(rng, geo, atom)
    begin_year = pl.Series(beginn, dtype=pl.Int32).cast(pl.Date).dt.year()
    seq = pl.DataFrame({"y": begin_year}).with_columns(
        pl.int_range(1, pl.len() + 1).over("y").alias("s")
    )["s"]
    fall = pl.select(
        pl.format("J-{}-{}", pl.lit(begin_year), pl.lit(seq).cast(pl.String).str.zfill(4))
    ).to_series()
    frame = pl.DataFrame(
        {
            "fall_nr": fall,
            "person_nr": pl.Series(np.arange(2_000_000, 2_000_000 + n)).cast(pl.String),
            "nachname": last.astype(str),
            "vorname": first.astype(str),
            "geburtsdatum": pl.Series(birth, dtype=pl.Int32).cast(pl.Date),
            "geschlecht": sex.astype(str),
            "strasse": street.astype(str),
            "hausnummer": number.astype(str),
            "hilfeart": np.array(CODES)[code],
            "beginn": pl.Series(beginn, dtype=pl.Int32).cast(pl.Date),
            "ende": pl.Series(ende, dtype=pl.Int32).cast(pl.Date),
        }
    )
    return Cases(beginn, ende, birth, code, atom, rng.lognormal(0, 0.15, n), frame)
