"""Kontraktmanagement of the synthetic city: a handful of measures of freie Träger in the
most deprived areas, their targets and budget, and the Träger's yearly reports, one with a
report still outstanding (late) and one with an output left empty (missing).

Two further measures carry an effect target (`wirkung`) on child poverty
(sgb2_kinderarmut) for the Wirkungsanalyse, each in two areas that no other measure
serves: `EFFECT` has a real effect built into the SGB II counts of its areas (from its
start, children under 15 in SGB II fall by up to `EFFECT_SHARE`, `with_effect`), `PLACEBO`
has none. Both start a year before the last delivered year, so the year before their start
is delivered too.

Draws from its own random stream: the other deliveries stay byte for byte as they were,
except the SGB II tables of the effect's two areas (and the sums over them).
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


# id, title, Träger, product, areas (rank among the areas left for them, most deprived first)
EFFECT = ("M-05", "Familienlotsen im Quartier", "Kinderschutzbund Ortsverband", "36.3.01", (0, 1))
PLACEBO = ("M-06", "Elterncafé", "Nachbarschaftsverein", "36.3.01", (2, 3))
EFFECT_SHARE = 0.35  # children under 15 in SGB II fall by this share, reached after a year
EFFECT_INDICATOR = "sgb2_kinderarmut"


def _deprived(geo: Geography, prof: Profiles) -> list[int]:
    """Atoms of today's layout by deprivation, most deprived first, tiny ones left out."""
    return [int(i) for i in np.argsort(-prof.deprivation(prof.mid)) if not geo.atom_tiny[i]]


def effect_atoms(geo: Geography, prof: Profiles) -> list[int]:
    """Atoms left for the effect and placebo measures, most deprived first: none of the
    areas of MEASURES (a comparison area must be in no measure) and not the two halves of
    the split area (their year before would be a recast value)."""
    split = set(geo.split_atoms)
    taken = set(_deprived(geo, prof)[:4])
    return [i for i in _deprived(geo, prof) if i not in taken and i not in split]


def effect_start(sc: Scale) -> int:
    """The year the effect and placebo measures begin: the year before the last one."""
    return sc.years[-2] if len(sc.years) > 1 else sc.years[-1]


def with_effect(
    counts: np.ndarray,
    month_list: list[tuple[int, int]],
    geo: Geography,
    prof: Profiles,
    sc: Scale,
    column: dict[str, int],
) -> np.ndarray:
    """The SGB II counts (months x atoms x measures, `column`: measure -> index) with the
    effect of `EFFECT` in its areas: from its start, the children under 15 in SGB II fall
    by EFFECT_SHARE x (months since the start / 12, at most 1); nef and rlb fall by the same
    persons and bg stays at most rlb, so the BA identities hold."""
    atoms = [effect_atoms(geo, prof)[r] for r in EFFECT[4]]
    start = effect_start(sc)
    out = counts.copy()
    u15, nef, rlb, bg = (column[m] for m in ("nef_u15", "nef", "rlb", "bg"))
    for k, (y, m) in enumerate(month_list):
        months_in = (y - start) * 12 + m
        if months_in <= 0:
            continue
        share = EFFECT_SHARE * min(1.0, months_in / 12)
        for a in atoms:
            fewer = round(float(out[k, a, u15]) * share)
            out[k, a, u15] -= fewer
            out[k, a, nef] -= fewer
            out[k, a, rlb] -= fewer
            out[k, a, bg] = min(out[k, a, bg], out[k, a, rlb])
    return out


def write_kontrakte(land: Landing, geo: Geography, prof: Profiles, sc: Scale, seed: int) -> dict:
    """massnahmen/*.csv and leistungsberichte/leistungsberichte_<jahr>.csv; returns what the
    manifest says about them (the outstanding and the empty report values)."""
    rng = rng_for(seed, "kontrakte")
    years = sc.years[-3:] if len(sc.years) >= 3 else sc.years
    # the most deprived areas of today's layout (not tiny): where measures are placed
    order = [i for i in np.argsort(-prof.deprivation(prof.mid)) if not geo.atom_tiny[i]]
    areas = [str(geo.atom_id[i]) for i in order[:4]]
    wirkung = [str(geo.atom_id[i]) for i in effect_atoms(geo, prof)]
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
    # the effect and the placebo measure: families reached as output, an effect target each
    start = effect_start(sc)
    effect_areas = {}
    for mid, title, traeger, produkt, ranks in (EFFECT, PLACEBO):
        gebiete = [wirkung[r] for r in ranks]
        effect_areas[mid] = gebiete
        measures.append(
            f"{mid};{title};{traeger};{produkt};01.01.{start};31.12.{last + 1};{','.join(gebiete)}"
        )
        target, unit_cost = 50, 800.0
        for y in range(start, last + 2):
            plan = target * unit_cost
            budget.append(f"{mid};{y};{money_text(round(plan * 100))}")
            ziele.append(f"{mid};leistung;teilnehmende;{y};{target};mindestens")
            if y > last:
                continue
            spent = plan * rng.uniform(0.9, 1.08)
            ist = max(round(target * rng.normal(1.0, 0.12)), 0)
            reports[y].append(f"{mid};{y};teilnehmende;{ist};{money_text(round(spent * 100))}")
        ziele.append(
            f"{mid};wirkung;{EFFECT_INDICATOR};{last + 1};{decimal_text(15.0, 1)};hoechstens"
        )

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
        "massnahmen": [m[0] for m in MEASURES] + [EFFECT[0], PLACEBO[0]],
        "wirkung": {
            "indikator": EFFECT_INDICATOR,
            "beginn": start,
            "mit_wirkung": {
                "massnahme_id": EFFECT[0],
                "gebiete": effect_areas[EFFECT[0]],
                "anteil": EFFECT_SHARE,
            },
            "placebo": {"massnahme_id": PLACEBO[0], "gebiete": effect_areas[PLACEBO[0]]},
        },
        "gebiete": areas,
        "bericht_ausstehend": [{"massnahme_id": late[0], "jahr": late[1]}],
        "istwert_leer": [{"massnahme_id": empty[0], "jahr": empty[1], "kennzahl": empty[2]}],
    }
