"""SGB II small-area table as the Bundesagentur für Arbeit publishes it.

Counts are built bottom-up so the BA identities hold by construction
(rlb = elb + nef, nef_u15 <= nef, alo <= elb, lzb <= elb, bg <= rlb); suppression
follows BA practice (`*` for 1 or 2 and for cells that would reveal one via rlb = elb + nef).
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from pipelines.parsing.german import MONTH_NAMES

from .formats import count_text
from .population import PopulationSeries, Profiles, sigmoid, years_since
from .rng import rng_for
from .scales import Scale

MEASURES = ("bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend")
HEADERS = (
    "Gebiet",
    "Gebietsname",
    "Bedarfsgemeinschaften",
    "Regelleistungsberechtigte",
    "Erwerbsfähige Leistungsberechtigte",
    "Nicht erwerbsfähige Leistungsberechtigte",
    "dar. NEF unter 15 Jahren",
    "Arbeitslose SGB II",
    "Langzeitleistungsbeziehende",
    "Alleinerziehende BG",
)
FOOTER = (
    "* Aus Datenschutzgründen und Gründen der statistischen Geheimhaltung werden Zahlenwerte "
    "von 1 oder 2 und Daten, aus denen rechnerisch auf einen solchen Zahlenwert geschlossen "
    "werden kann, anonymisiert.",
    "- nichts vorhanden",
    "Langzeitleistungsbeziehende: ELB, die in den vergangenen 24 Monaten mindestens 21 Monate "
    "hilfebedürftig waren.",
    "© Statistik der Bundesagentur für Arbeit",
)

# City-wide business cycle on the logit scale: falling until 2019, a Covid bump,
# the move of Ukrainian refugees into SGB II from June 2022.
_CYCLE_T = np.array([2010.0, 2015.0, 2019.9, 2020.4, 2021.6, 2022.4, 2022.7, 2025.0])
_CYCLE_V = np.array([0.15, 0.12, -0.06, 0.03, 0.0, 0.0, 0.1, 0.12])


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months(scale: Scale) -> list[tuple[int, int]]:
    return [(y, m) for y in scale.years for m in range(1, 13)]


def city_cycle(day: dt.date) -> float:
    return float(np.interp(day.year + (day.timetuple().tm_yday - 1) / 365.25, _CYCLE_T, _CYCLE_V))


def simulate_sgb2(p: Profiles, pop: PopulationSeries, scale: Scale, seed: int) -> np.ndarray:
    """Counts per month and atom: shape (months, atoms, len(MEASURES)), int64."""
    rng = rng_for(seed, "sgb2")
    ms = months(scale)
    n = len(p.dep0)
    eps_adult, eps_kid = np.zeros(n), np.zeros(n)
    level = rng.normal(0, 0.12, n)  # persistent local deviation from the deprivation model
    out = np.zeros((len(ms), n, len(MEASURES)), dtype=np.int64)
    for k, (y, m) in enumerate(ms):
        day = month_end(y, m)
        t = years_since(day, scale.first_year)
        eps_adult = 0.85 * eps_adult + rng.normal(0, 0.02, n)
        eps_kid = 0.85 * eps_kid + rng.normal(0, 0.025, n)
        d = p.deprivation(t)
        logit = -2.45 + 0.9 * d + city_cycle(day) + level
        n_u15, n_1564 = pop.at(day, 0, 14), pop.at(day, 15, 64)
        elb = np.rint(n_1564 * sigmoid(logit) * np.exp(eps_adult))
        nef_u15 = np.rint(n_u15 * sigmoid(logit + 0.7) * np.exp(eps_kid))
        nef = nef_u15 + np.rint(nef_u15 * 0.05 + elb * 0.01)
        rlb = elb + nef
        alo = np.rint(elb * np.clip(0.33 + 0.04 * d + 0.02 * eps_adult, 0.2, 0.5))
        lzb = np.rint(elb * np.clip(0.62 + 0.04 * d, 0.4, 0.8))
        bg = np.minimum(np.rint(rlb * np.clip(0.56 - 0.02 * d, 0.45, 0.65)), rlb)
        allein = np.rint(bg * np.clip(0.16 + 0.02 * d, 0.08, 0.3))
        out[k] = np.stack([bg, rlb, elb, nef, nef_u15, alo, lzb, allein], 1).astype(np.int64)
    return out


def aggregate_to_keys(counts: np.ndarray, keys: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sum atoms that share a key (the two split halves before the change)."""
    uniq = sorted(set(keys.tolist()))
    idx = np.array([uniq.index(k) for k in keys])
    out = np.zeros((len(uniq), counts.shape[1]), dtype=counts.dtype)
    np.add.at(out, idx, counts)
    return uniq, out


def suppress(values: np.ndarray) -> np.ndarray:
    """BA cell texts for a (rows, MEASURES) count matrix.

    Primary: 1 or 2 -> `*`, 0 -> `-`. Secondary: when exactly one of rlb, elb, nef is `*`,
    the other two would reveal it, so the smaller non-zero one of them is suppressed too.
    """
    text = np.empty(values.shape, dtype=object)
    star = (values >= 1) & (values <= 2)
    trio = [MEASURES.index(c) for c in ("rlb", "elb", "nef")]
    for r in np.flatnonzero(star[:, trio].sum(1) == 1):
        others = [c for c in trio if not star[r, c] and values[r, c] > 0]
        if others:
            star[r, min(others, key=lambda c: (values[r, c], c))] = True
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            v = int(values[r, c])
            text[r, c] = "*" if star[r, c] else ("-" if v == 0 else count_text(v))
    return text


def title_block(city: str, year: int, month: int, gebietsstand: dt.date) -> list[str]:
    return [
        "Statistik der Bundesagentur für Arbeit",
        "Grundsicherung für Arbeitsuchende (SGB II) - kleinräumige Daten",
        f"Region: {city}",
        f"Berichtsmonat: {MONTH_NAMES[month - 1]} {year}",
        f"Gebietsstand: {gebietsstand.strftime('%d.%m.%Y')}",
        "",
    ]
