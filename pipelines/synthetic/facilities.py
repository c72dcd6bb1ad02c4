"""Facilities (einrichtungen) that roughly but not exactly match the demand, some areas short.

Per finest area and facility type the places are the demand of the latest 31.12 (the age
band times the default Bedarfseckwert of pipelines/config/default.yaml) times a factor: a
lognormal scatter around 1 in most areas, 0.45 to 0.7 in the areas drawn as short (the same
areas for every type). Tiny areas get none. Places are split over facilities of a typical
size; some Kitas grow in a middle year (two rows with their validity).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from .geography import Geography
from .population import PopulationSeries
from .rng import rng_for
from .scales import Scale

# art -> (alter_von, alter_bis, places per `je`, je, places per facility at most, name)
TYPES: dict[str, tuple[int, int, float, int, int, str]] = {
    "grundschule": (6, 9, 100, 100, 400, "Grundschule"),
    "jugendfreizeit": (10, 17, 5, 100, 60, "Jugendtreff"),
    "seniorentreff": (65, 100, 20, 1000, 80, "Seniorentreff"),
    "beratung": (0, 100, 1, 1000, 12, "Beratungsstelle"),
}
KITA = {"kita_u3": (0, 2, 45, 100), "kita_ue3": (3, 5, 95, 100)}
KITA_SIZE = 70
SHORT_SHARE = 0.2
TRAEGER = (
    "Stadt",
    "AWO Kreisverband",
    "Caritasverband",
    "Diakonisches Werk",
    "DRK Kreisverband",
    "Paritätischer Verein",
    "Elterninitiative e. V.",
)
HEADER = "einrichtung_id;name;art;gebiet_id;plaetze;traeger;gueltig_ab;gueltig_bis"


def _demand(pop: PopulationSeries, lo: int, hi: int, target: float, je: int) -> np.ndarray:
    return pop.band(lo, hi)[-1].astype(float) * target / je


def facility_files(geo: Geography, pop: PopulationSeries, sc: Scale, seed: int):
    """{year: lines of einrichtungen_<year>.csv}, and the ids of the short areas (today's)."""
    rng = rng_for(seed, "einrichtungen")
    n = geo.n_atoms
    short = rng.random(n) < SHORT_SHARE
    n_types = len(KITA) + len(TYPES)
    factor = np.where(
        short[:, None], rng.uniform(0.45, 0.7, (n, n_types)), rng.lognormal(0, 0.12, (n, n_types))
    )
    years = sc.years
    grow_year = years[len(years) // 2]
    rows: list[tuple] = []  # (atom, id, name, art, places, traeger, ab, bis)
    for a in range(n):
        if geo.atom_tiny[a]:
            continue
        tag = f"{a + 1:04d}"
        name = str(geo.atom_name[a])
        # Kitas: under-3 and 3-to-school places in the same houses
        kita = [
            round(_demand(pop, lo, hi, t, je)[a] * factor[a, k])
            for k, (lo, hi, t, je) in enumerate(KITA.values())
        ]
        houses = max(1, math.ceil(max(kita) / KITA_SIZE)) if max(kita) > 0 else 0
        for h in range(houses):
            fid = f"K-{tag}-{h + 1}"
            label = f"Kita {name}" + (f" {h + 1}" if h else "")
            traeger = TRAEGER[int(rng.integers(len(TRAEGER)))]
            start = dt.date(sc.first_year - int(rng.integers(1, 30)), 8, 1)
            grows = rng.random() < 0.15
            for art, total in zip(KITA, kita, strict=True):
                places = total // houses + (1 if h < total % houses else 0)
                if places <= 0:
                    continue
                if grows:
                    change = dt.date(grow_year, 8, 1)
                    end = change - dt.timedelta(days=1)
                    rows.append((a, fid, label, art, places, traeger, start, end))
                    rows.append((a, fid, label, art, places + 10, traeger, change, None))
                else:
                    rows.append((a, fid, label, art, places, traeger, start, None))
        for k, (art, (lo, hi, t, je, size, word)) in enumerate(TYPES.items(), start=len(KITA)):
            total = round(_demand(pop, lo, hi, t, je)[a] * factor[a, k])
            if total <= 0:
                continue
            count = math.ceil(total / size)
            for h in range(count):
                places = total // count + (1 if h < total % count else 0)
                fid = f"{art[0].upper()}-{tag}-{h + 1}"
                label = f"{word} {name}" + (f" {h + 1}" if h else "")
                traeger = TRAEGER[int(rng.integers(len(TRAEGER)))]
                start = dt.date(sc.first_year - int(rng.integers(1, 40)), 1, 1)
                rows.append((a, fid, label, art, places, traeger, start, None))
    files = {}
    for year in years:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        keys = geo.keys_on(last)
        lines = [HEADER]
        for a, fid, label, art, places, traeger, ab, bis in rows:
            if ab > last or (bis is not None and bis < first):
                continue
            until = bis.isoformat() if bis else ""
            lines.append(
                f"{fid};{label};{art};{keys[a]};{places};{traeger};{ab.isoformat()};{until}"
            )
        files[year] = lines
    return files, sorted(str(x) for x in geo.atom_id[short & ~geo.atom_tiny])
