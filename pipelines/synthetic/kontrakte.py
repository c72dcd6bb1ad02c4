"""Kontraktmanagement of the synthetic city: a handful of measures of freie Träger in the
most deprived areas, their targets and budget, and the Träger's yearly reports, one with a
report still outstanding (late) and one with an output left empty (missing).

Draws from its own random stream: the other deliveries stay byte for byte as they were.
"""

from __future__ import annotations

import numpy as np

from .formats import decimal_text, money_text
from .geography import Geography
from .landing import Landing
from .population import Profiles
from .rng import rng_for
from .scales import Scale

# id, title, Träger, product, areas (rank among the most deprived), outputs: kennzahl ->
# (yearly target, richtung, spending per unit in EUR)
MEASURES = [
    (
        "M-01", "Stadtteilmütter", "Diakonisches Werk", "36.3.01", (0, 1),
        {"teilnehmende": (60, "mindestens", 900.0), "beratungsstunden": (900, "mindestens", 0.0)},
    ),
    (
        "M-02", "Schuldner- und Sozialberatung", "Caritasverband", "31.5.01", (0,),
        {"beratungsstunden": (1500, "mindestens", 60.0)},
    ),
    (
        "M-03", "Lernförderung im Quartier", "AWO Kreisverband", "36.3.01", (2, 3),
        {"teilnehmende": (80, "mindestens", 550.0)},
    ),
    (
        "M-04", "Offener Kinder- und Jugendtreff", "Paritätischer Verein", "36.3.01", (1,),
        {"plaetze": (40, "mindestens", 1100.0)},
    ),
]  # fmt: skip


def write_kontrakte(land: Landing, geo: Geography, prof: Profiles, sc: Scale, seed: int) -> dict:
    """massnahmen/*.csv and leistungsberichte/leistungsberichte_<jahr>.csv; returns what the
    manifest says about them (the outstanding and the empty report values)."""
    rng = rng_for(seed, "kontrakte")
    years = sc.years[-3:] if len(sc.years) >= 3 else sc.years
    # the most deprived areas of today's layout (not tiny): where measures are placed
    order = [i for i in np.argsort(-prof.deprivation(prof.mid)) if not geo.atom_tiny[i]]
    areas = [str(geo.atom_id[i]) for i in order[:4]]
    first, last = years[0], years[-1]
    late = ("M-04", last)  # the report of the last year is still outstanding
    empty = ("M-02", years[-2] if len(years) > 1 else last, "beratungsstunden")

    measures = ["massnahme_id;titel;traeger;produkt;beginn;ende;gebiete"]
    ziele = ["massnahme_id;art;kennzahl;jahr;zielwert;richtung"]
    budget = ["massnahme_id;jahr;plan_eur"]
    reports: dict[int, list[str]] = {y: [] for y in years}
    for mid, title, traeger, produkt, ranks, outputs in MEASURES:
        gebiete = ",".join(areas[r] for r in ranks)
        measures.append(
            f"{mid};{title};{traeger};{produkt};01.01.{first};31.12.{last + 1};{gebiete}"
        )
        for y in [*years, last + 1]:
            plan = sum(t * c for t, _, c in outputs.values())
            budget.append(f"{mid};{y};{money_text(round(plan * 100))}")
            for kennzahl, (target, richtung, _) in outputs.items():
                ziele.append(f"{mid};leistung;{kennzahl};{y};{target};{richtung}")
            if y > last:
                continue
            spent = plan * rng.uniform(0.9, 1.08)
            for kennzahl, (target, _, _) in outputs.items():
                ist = round(target * rng.normal(1.0, 0.12))
                if (mid, y) == late:
                    continue
                value = "" if (mid, y, kennzahl) == empty else str(max(ist, 0))
                reports[y].append(f"{mid};{y};{kennzahl};{value};{money_text(round(spent * 100))}")
    # an effect target on the measure with the most deprived areas (feeds zielueberpruefung)
    ziele.append(f"M-01;wirkung;sgb2_kinderarmut;{last + 1};{decimal_text(30.0, 1)};hoechstens")

    for rel, lines, kind in (
        ("massnahmen/massnahmen.csv", measures, "massnahmen"),
        ("massnahmen/ziele.csv", ziele, "massnahmen_ziele"),
        ("massnahmen/budget.csv", budget, "massnahmen_budget"),
    ):
        land.write_text(
            rel, "\r\n".join(lines) + "\r\n", kind=kind, period=None,
            rows=len(lines) - 1, encoding="utf-8",
        )  # fmt: skip
    for y, rows in reports.items():
        lines = ["massnahme_id;jahr;kennzahl;istwert;ist_eur", *rows]
        land.write_text(
            f"leistungsberichte/leistungsberichte_{y}.csv", "\r\n".join(lines) + "\r\n",
            kind="leistungsberichte", period=str(y), rows=len(rows), encoding="utf-8",
        )  # fmt: skip
    return {
        "massnahmen": [m[0] for m in MEASURES],
        "gebiete": areas,
        "bericht_ausstehend": [{"massnahme_id": late[0], "jahr": late[1]}],
        "istwert_leer": [{"massnahme_id": empty[0], "jahr": empty[1], "kennzahl": empty[2]}],
    }
