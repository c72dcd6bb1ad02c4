"""Builds a small but realistic publish.duckdb for the report tests.

Two area layouts:
- "example": the Musterstadt example deliveries (tests/report/data, copied from
  tests/fixtures/musterstadt/landing/reference): 4 levels, 5 current statistical areas, one
  split on 2024-01-01 (older finest values are marked as recast).
- "grid": a generated city with other level names (bezirk / ortsteil / planungsraum) and ~50
  jittered polygons sharing their vertices, to check that nothing depends on level names.

Values are invented but internally consistent: counts are summed up the hierarchy, rates are
computed from summed numerators and denominators, and the publish rules are applied (count
1-2 -> '*', 0 -> '-', rates of areas under 300 inhabitants -> '.', denominator 0 -> 'x', one
secondary suppression per parent). The social index follows the MSS recipe on the fixture's
own shares.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import random
import shutil
import tempfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

DATA = Path(__file__).parent / "data"
ALL_TABLES = (
    "indikatoren",
    "indikatoren_breit",
    "sozialindex",
    "controlling",
    "controlling_haushalt",
    "controlling_zerlegung",
    "controlling_kennzahlen",
    "zielerreichung",
    "gebiete",
    "indikatorkatalog",
)
# the forward view (bedarfsplanung, its projection's back-test); written by default as well
FORWARD_TABLES = ("bedarfsplanung", "prognose_guete")

DDL = {
    "indikatoren": """indikator_id varchar, gebiet_id varchar, ebene varchar, periode date,
        zaehler double, nenner double, wert double, symbol varchar, einheit varchar,
        nenner_stichtag date, gebietsstand date, zaehler_merkmal varchar,
        nenner_merkmal varchar, umgerechnet boolean, unsicher boolean, untergrenze double,
        obergrenze double""",
    "gebiete": """gebiet_id varchar, name varchar, ebene varchar, ebene_rang integer,
        parent_id varchar, gueltig_ab date, gueltig_bis date, geometrie_geojson varchar""",
    "indikatorkatalog": """indikator_id varchar, reihenfolge integer, bezeichnung varchar,
        bereich varchar,
        einheit varchar, faktor double, definition varchar, quelle varchar,
        polaritaet varchar, zaehler_definition varchar, nenner_definition varchar,
        reihenbruch varchar, interpretation varchar""",
    "controlling": """haushaltsjahr integer, kennzahl varchar, schluessel varchar,
        bezeichnung varchar, plan double, ist double, wert double, einheit varchar,
        symbol varchar, gebiet_id varchar, produkt_anzahl integer""",
    "controlling_haushalt": """haushaltsjahr integer, gliederung varchar, schluessel varchar,
        bezeichnung varchar, bereich varchar, bereich_bezeichnung varchar, plan double,
        ist double, abweichung double, ausfuehrungsquote double, planjahr boolean,
        hinweis varchar, reihenfolge integer""",
    "controlling_zerlegung": """haushaltsjahr integer, bereich varchar,
        bereich_bezeichnung varchar, fall_merkmal varchar, fall_bezeichnung varchar,
        ist_vorjahr double, ist double, veraenderung double, faelle_vorjahr double,
        faelle double, kosten_je_fall_vorjahr double, kosten_je_fall double,
        mengeneffekt double, preiseffekt double, restglied double, symbol varchar,
        hinweis varchar, reihenfolge integer""",
    "controlling_kennzahlen": """haushaltsjahr integer, produkt varchar, bezeichnung varchar,
        bereich varchar, bereich_bezeichnung varchar, fall_merkmal varchar,
        fall_bezeichnung varchar, faelle double, ist double, kosten_je_fall double,
        einwohner double, faelle_je_1000_ew double, faelle_vorjahr double,
        kosten_je_fall_vorjahr double, faelle_veraenderung_prozent double,
        kosten_je_fall_veraenderung_prozent double, symbol varchar, hinweis varchar,
        reihenfolge integer""",
    "bedarfsplanung": """gebiet_id varchar, ebene varchar, ist_planungsebene boolean,
        art varchar, jahr integer, stichtag date, variante varchar, basis_stichtag date,
        alter_von integer, alter_bis integer, bedarfsbevoelkerung double, plaetze double,
        zielwert double, je double, bedarf_plaetze double, versorgungsquote double,
        platzsaldo double, symbol varchar""",
    "prognose_guete": """basis_stichtag date, stichtag date, horizont_jahre integer,
        ebene varchar, zielgruppe varchar, groessenklasse varchar, methode varchar,
        gebiete integer, mape double, gewichteter_fehler double, bias double""",
    "zielerreichung": """indikator_id varchar, gebiet_id varchar, jahr integer,
        zielwert double, richtung varchar, beschluss varchar, istwert double,
        abstand double, erreicht boolean, symbol varchar""",
}


@dataclass(frozen=True)
class Spec:
    """One indicator of the fixture: numerator key / denominator key over population parts."""

    id: str
    label: str
    bereich: str
    einheit: str
    factor: float
    num: str
    den: str | None
    rate: tuple[float, float]  # range of the base rate (fraction of the denominator)
    frequency: str  # "jahr" or "monat"
    polaritaet: str
    quelle: str
    definition: str


SPECS = [
    Spec(
        "ew",
        "Einwohnerinnen und Einwohner",
        "demografie",
        "Anzahl",
        1,
        "ew",
        None,
        (1, 1),
        "jahr",
        "neutral",
        "Einwohnermelderegister",
        "Personen mit Hauptwohnsitz am Stichtag.",
    ),
    Spec(
        "anteil_u18",
        "Anteil unter 18",
        "demografie",
        "%",
        100,
        "u18",
        "ew",
        (0.12, 0.22),
        "jahr",
        "neutral",
        "Einwohnermelderegister",
        "Anteil der unter 18-Jährigen.",
    ),
    Spec(
        "anteil_65plus",
        "Anteil 65 und älter",
        "demografie",
        "%",
        100,
        "p65",
        "ew",
        (0.08, 0.26),
        "jahr",
        "neutral",
        "Einwohnermelderegister",
        "Anteil der Personen ab 65 Jahren.",
    ),
    Spec(
        "anteil_nichtdeutsch",
        "Anteil Nichtdeutsche",
        "demografie",
        "%",
        100,
        "ndt",
        "ew",
        (0.05, 0.30),
        "jahr",
        "neutral",
        "Einwohnermelderegister",
        "Anteil der Personen ohne deutsche Staatsangehörigkeit.",
    ),
    Spec(
        "sgb2_quote",
        "SGB II-Quote",
        "sgb2",
        "%",
        100,
        "rlb",
        "u65",
        (0.04, 0.30),
        "monat",
        "negativ",
        "Statistik der Bundesagentur für Arbeit",
        "Regelleistungsberechtigte je 100 Einwohner unter 65 Jahren.",
    ),
    Spec(
        "sgb2_kinderarmut",
        "Kinder unter 15 in SGB II (MSS S4)",
        "sgb2",
        "%",
        100,
        "nef_u15",
        "u15",
        (0.05, 0.42),
        "monat",
        "negativ",
        "Statistik der Bundesagentur für Arbeit",
        "Nicht erwerbsfähige Leistungsberechtigte unter 15 je 100 Einwohner unter 15.",
    ),
    Spec(
        "sgb2_alo_anteil",
        "Arbeitslose SGB II (MSS S1)",
        "sgb2",
        "%",
        100,
        "alo",
        "a1564",
        (0.01, 0.09),
        "monat",
        "negativ",
        "Statistik der Bundesagentur für Arbeit",
        "Arbeitslose nach SGB II je 100 Einwohner von 15 bis 64 Jahren.",
    ),
    Spec(
        "grusi_alter_quote",
        "Grundsicherung im Alter (MSS K03)",
        "sgb12",
        "%",
        100,
        "grusi",
        "p65",
        (0.002, 0.08),
        "jahr",
        "negativ",
        "Fachverfahren SGB XII",
        "Empfänger von Grundsicherung im Alter außerhalb von Einrichtungen je 100 Einwohner ab 65.",
    ),
    Spec(
        "hlu_dichte",
        "HLU-Dichte a.v.E.",
        "sgb12",
        "je 1.000",
        1000,
        "hlu",
        "ew",
        (0.0004, 0.004),
        "jahr",
        "negativ",
        "Fachverfahren SGB XII",
        "Empfänger von Hilfe zum Lebensunterhalt außerhalb von Einrichtungen je 1.000 Einwohner.",
    ),
    Spec(
        "transferbezug",
        "Transferbezug, nicht arbeitslos (MSS S3)",
        "transfer",
        "%",
        100,
        "transfer",
        "ew",
        (0.03, 0.22),
        "jahr",
        "negativ",
        "BA-Statistik und SGB XII",
        "Nicht arbeitslose Leistungsbeziehende nach SGB II und SGB XII je 100 Einwohner.",
    ),
    Spec(
        "hze_quote",
        "Inanspruchnahme HzE (AKJStat)",
        "sgb8",
        "je 10.000",
        10000,
        "hze",
        "u21",
        (0.004, 0.03),
        "jahr",
        "negativ",
        "Fachverfahren SGB VIII",
        "Laufende und im Jahr beendete Hilfen zur Erziehung je 10.000 unter 21-Jährige.",
    ),
    Spec(
        "inobhutnahmen_quote",
        "Inobhutnahmen § 42",
        "sgb8",
        "je 10.000",
        10000,
        "iob",
        "u18",
        (0.0005, 0.004),
        "jahr",
        "negativ",
        "Fachverfahren SGB VIII",
        "Im Jahr begonnene Inobhutnahmen je 10.000 unter 18-Jährige.",
    ),
]
STATUS_IDS = ["sgb2_alo_anteil", "transferbezug", "sgb2_kinderarmut"]


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


# --- areas ------------------------------------------------------------------------------


def example_areas() -> list[dict]:
    with open(DATA / "gebiete.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    geometries = {
        f["properties"]["gebiet_id"]: json.dumps(f["geometry"])
        for f in json.loads((DATA / "gebiete.geojson").read_text(encoding="utf-8"))["features"]
    }
    return [
        {
            "gebiet_id": r["gebiet_id"],
            "name": r["name"],
            "ebene": r["ebene"],
            "ebene_rang": int(r["ebene_rang"]),
            "parent_id": r["parent_id"] or None,
            "gueltig_ab": date.fromisoformat(r["gueltig_ab"]),
            "gueltig_bis": date.fromisoformat(r["gueltig_bis"]) if r["gueltig_bis"] else None,
            "geometrie_geojson": geometries.get(r["gebiet_id"]),
        }
        for r in rows
    ]


def grid_areas(nx: int = 9, ny: int = 6) -> list[dict]:
    """Jittered grid: shared vertices, so neighbouring polygons share their edges exactly."""
    rng = _rng("grid")
    lon0, lat0, dx, dy = 13.30, 52.44, 0.025, 0.016
    vertex = {
        (i, j): (
            round(lon0 + i * dx + (rng.uniform(-0.3, 0.3) * dx if 0 < i < nx else 0), 6),
            round(lat0 + j * dy + (rng.uniform(-0.3, 0.3) * dy if 0 < j < ny else 0), 6),
        )
        for i in range(nx + 1)
        for j in range(ny + 1)
    }
    start = date(2000, 1, 1)
    areas = [
        dict(
            gebiet_id="11",
            name="Neustadt",
            ebene="stadt",
            ebene_rang=0,
            parent_id=None,
            gueltig_ab=start,
            gueltig_bis=None,
            geometrie_geojson=None,
        )
    ]
    bezirk_names = ["Nordwest", "Mitte", "Ost"]
    for b in range(3):
        areas.append(
            dict(
                gebiet_id=f"11{b + 1}",
                name=bezirk_names[b],
                ebene="bezirk",
                ebene_rang=1,
                parent_id="11",
                gueltig_ab=start,
                gueltig_bis=None,
                geometrie_geojson=None,
            )
        )
        for o in range(2):
            areas.append(
                dict(
                    gebiet_id=f"11{b + 1}{o + 1}",
                    name=f"{bezirk_names[b]}-{'AB'[o]}",
                    ebene="ortsteil",
                    ebene_rang=2,
                    parent_id=f"11{b + 1}",
                    gueltig_ab=start,
                    gueltig_bis=None,
                    geometrie_geojson=None,
                )
            )
    for i in range(nx):
        for j in range(ny):
            if (i, j) in ((0, 0), (nx - 1, ny - 1), (0, ny - 1)):
                continue  # not a rectangle
            b, o = i // 3, j // 3
            ring = [
                vertex[(i, j)],
                vertex[(i + 1, j)],
                vertex[(i + 1, j + 1)],
                vertex[(i, j + 1)],
                vertex[(i, j)],
            ]
            areas.append(
                dict(
                    gebiet_id=f"11{b + 1}{o + 1}{i:02d}{j:02d}",
                    name=f"Planungsraum {i}-{j}",
                    ebene="planungsraum",
                    ebene_rang=3,
                    parent_id=f"11{b + 1}{o + 1}",
                    gueltig_ab=start,
                    gueltig_bis=None,
                    geometrie_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]}),
                )
            )
    return areas


# --- population and counts --------------------------------------------------------------


@functools.cache
def _population(area_id: str, year: int, base_ew: int) -> dict[str, int]:
    rng = _rng("pop", area_id)
    growth = 1 + rng.uniform(-0.01, 0.02)
    ew = round(base_ew * growth ** (year - 2024))
    s18, s65 = rng.uniform(0.12, 0.24), rng.uniform(0.07, 0.25)
    u18, p65 = round(ew * s18), round(ew * s65)
    u15 = round(u18 * 0.83)
    return {
        "ew": ew,
        "u18": u18,
        "p65": p65,
        "u15": u15,
        "u21": round(u18 * 1.2),
        "u65": ew - p65,
        "a1564": ew - u15 - p65,
    }


def _count(spec: Spec, area_id: str, periode: date, pop: dict[str, int], level: float) -> int:
    """Numerator: denominator x an area rate that drifts over time (level 0..1 = poverty)."""
    if spec.den is None:
        return pop[spec.num]
    lo, hi = spec.rate
    rng = _rng("rate", spec.id, area_id)
    base = lo + (hi - lo) * min(1.0, max(0.0, level + rng.uniform(-0.15, 0.15)))
    months = (periode.year - 2024) * 12 + periode.month - 12
    drift = 1 + rng.uniform(-0.01, 0.012) * months / 12 + math.sin(months / 2.0) * 0.01
    return max(0, round(pop[spec.den] * base * drift))


def _periods(spec: Spec, first_year: int) -> list[date]:
    if spec.frequency == "monat":
        return [_month_end(y, m) for y in range(first_year, 2025) for m in range(1, 13)]
    return [date(y, 12, 31) for y in range(first_year, 2025)]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass
class Layout:
    areas: list[dict]
    base_ew: dict[str, int]  # finest area -> inhabitants 2024
    poverty: dict[str, float]  # finest area -> 0..1
    first_year: int
    recast_before: date | None  # finest values before this date are recast


def example_layout() -> Layout:
    areas = example_areas()
    return Layout(
        areas=areas,
        base_ew={"010101": 700, "010102": 250, "010201": 4172, "020101": 1100, "020102": 758},
        poverty={"010101": 0.35, "010102": 0.2, "010201": 0.9, "020101": 0.3, "020102": 0.55},
        first_year=2021,
        recast_before=date(2024, 1, 1),
    )


def grid_layout() -> Layout:
    areas = grid_areas()
    finest = [a["gebiet_id"] for a in areas if a["geometrie_geojson"]]
    base, poverty = {}, {}
    for gid in finest:
        rng = _rng("grid-ew", gid)
        i, j = int(gid[-4:-2]), int(gid[-2:])
        base[gid] = rng.choice([180, 900, 2500, 4000, 6500, 9000])
        # Poorer towards the east and the south, with noise: gives visible map patterns.
        poverty[gid] = min(1.0, max(0.0, i / 10 + (5 - j) / 12 + rng.uniform(-0.25, 0.25)))
    return Layout(areas, base, poverty, first_year=2020, recast_before=None)


def _ancestors(areas: list[dict]) -> dict[str, list[dict]]:
    by_id = {a["gebiet_id"]: a for a in areas if a["gueltig_bis"] is None}
    result = {}
    for gid in by_id:
        chain, current = [], by_id[gid]
        while current is not None:
            chain.append(current)
            current = by_id.get(current["parent_id"]) if current["parent_id"] else None
        result[gid] = chain
    return result


def _publish_rate(zaehler: float, nenner: float | None, ew: float, spec: Spec) -> dict:
    """Primary disclosure of one cell as the publish zone does it."""
    if spec.den is None:
        if zaehler == 0:
            return dict(zaehler=None, nenner=None, wert=None, symbol="-")
        if zaehler < 3:
            return dict(zaehler=None, nenner=None, wert=None, symbol="*")
        return dict(zaehler=zaehler, nenner=None, wert=float(zaehler), symbol=None)
    if ew < 300:
        return dict(zaehler=None, nenner=None, wert=None, symbol=".")
    if not nenner:
        return dict(zaehler=zaehler, nenner=nenner, wert=None, symbol="x")
    if zaehler == 0:
        return dict(zaehler=0.0, nenner=nenner, wert=None, symbol="-")
    if zaehler < 3:
        return dict(zaehler=None, nenner=None, wert=None, symbol="*")
    return dict(zaehler=zaehler, nenner=nenner, wert=zaehler / nenner * spec.factor, symbol=None)


def _secondary(rows: list[dict], parent_of: dict[str, str | None]) -> None:
    """Where a parent has exactly one '*' child, also suppress the smallest other child."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["indikator_id"], row["periode"], parent_of.get(row["gebiet_id"]))].append(row)
    for (_, _, parent), children in groups.items():
        if parent is None:
            continue
        starred = [c for c in children if c["symbol"] == "*"]
        others = [c for c in children if c["symbol"] is None and c["zaehler"] is not None]
        if len(starred) == 1 and others:
            victim = min(others, key=lambda c: c["zaehler"])
            victim.update(zaehler=None, nenner=None, wert=None, symbol="*")


def build_indicators(layout: Layout) -> tuple[list[dict], dict]:
    """Published rows and the unsuppressed finest values (for the social index)."""
    chains = _ancestors(layout.areas)
    finest = list(layout.base_ew)
    raw: dict[tuple, float] = {}
    rows: list[dict] = []
    for spec in SPECS:
        for periode in _periods(spec, layout.first_year):
            sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
            levels: dict[str, dict] = {}
            pop_date = date(periode.year - (periode.month != 12), 12, 31)
            for gid in finest:
                pop = _population(gid, pop_date.year, layout.base_ew[gid])
                z = _count(spec, gid, periode, pop, layout.poverty[gid])
                n = pop[spec.den] if spec.den else 0
                raw[(spec.id, gid, periode)] = z / n * spec.factor if n else float("nan")
                for area in chains[gid]:
                    acc = sums[area["gebiet_id"]]
                    acc[0] += z
                    acc[1] += n
                    acc[2] += pop["ew"]
                    levels[area["gebiet_id"]] = area
            cells = []
            for gid, (z, n, ew) in sums.items():
                area = levels[gid]
                recast = bool(
                    layout.recast_before
                    and periode < layout.recast_before
                    and area["gebiet_id"] in ("020101", "020102")
                )
                cell = dict(
                    indikator_id=spec.id,
                    gebiet_id=gid,
                    ebene=area["ebene"],
                    periode=periode,
                    einheit=spec.einheit,
                    nenner_stichtag=pop_date if spec.den else None,
                    gebietsstand=date(2024, 1, 1),
                    zaehler_merkmal=spec.num,
                    nenner_merkmal=spec.den,
                    umgerechnet=recast,
                    unsicher=False,
                    untergrenze=None,
                    obergrenze=None,
                    **_publish_rate(z, n if spec.den else None, ew, spec),
                )
                cells.append(cell)
            _secondary(cells, {a["gebiet_id"]: a["parent_id"] for a in layout.areas})
            rows.extend(cells)
    _mark_uncertain(rows, layout)
    return rows, raw


def _mark_uncertain(rows: list[dict], layout: Layout) -> None:
    """The example's Stadtteil 0201 SGB II values rest on source-suppressed children."""
    if "0201" not in {a["gebiet_id"] for a in layout.areas}:
        return
    for row in rows:
        if (
            row["gebiet_id"] == "0201"
            and row["indikator_id"] == "sgb2_quote"
            and row["wert"] is not None
        ):
            row.update(
                unsicher=True, untergrenze=row["wert"] * 0.995, obergrenze=row["wert"] * 1.002
            )


# --- social index -----------------------------------------------------------------------


def _pstd(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _z(values: dict[str, float]) -> dict[str, float]:
    vals = list(values.values())
    mean, sd = sum(vals) / len(vals), _pstd(vals) or 1.0
    return {k: (v - mean) / sd for k, v in values.items()}


def status_class(index: float) -> str:
    if index < -1:
        return "hoch"
    if index <= 1:
        return "mittel"
    return "niedrig" if index <= 1.5 else "sehr niedrig"


def dynamik_class(index: float) -> str:
    if index <= -1:
        return "positiv"
    return "stabil" if index < 1 else "negativ"


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def build_sozialindex(layout: Layout, raw: dict) -> list[dict]:
    rows = []
    for year in (2023, 2024):
        periode, before = date(year, 12, 31), date(year - 2, 12, 31)
        base: dict[str, dict] = {}
        for gid in layout.base_ew:
            ew = _population(gid, year, layout.base_ew[gid])["ew"]
            row = {"gebiet_id": gid, "periode": periode, "einwohner": ew}
            for sid in STATUS_IDS:
                now, old = (
                    _finite(raw.get((sid, gid, periode))),
                    _finite(raw.get((sid, gid, before))),
                )
                row[sid] = now
                row[f"{sid}_dynamik"] = (now - old) if old is not None else None
            row["ausschluss_grund"] = "unter_300_einwohner" if ew < 300 else None
            base[gid] = row
        included = {g: r for g, r in base.items() if r["ausschluss_grund"] is None}
        if len(included) >= 2 and all(
            r[f"{STATUS_IDS[0]}_dynamik"] is not None for r in included.values()
        ):
            for kind in ("", "_dynamik"):
                sums = {g: 0.0 for g in included}
                for sid in STATUS_IDS:
                    z = _z({g: r[f"{sid}{kind}"] for g, r in included.items()})
                    for g, v in z.items():
                        included[g][f"z_{sid}{kind}"] = v
                        sums[g] += v
                sd = _pstd(list(sums.values())) or 1.0
                name = "status" if kind == "" else "dynamik"
                for g, s in sums.items():
                    included[g][f"{name}summe"] = s
                    included[g][f"{name}_index"] = s / sd
            for r in included.values():
                r["status_klasse"] = status_class(r["status_index"])
                r["dynamik_klasse"] = dynamik_class(r["dynamik_index"])
                r["gesamtindex"] = f"{r['status_klasse']}/{r['dynamik_klasse']}"
                r["gruppe"] = (
                    ["hoch", "mittel", "niedrig", "sehr niedrig"].index(r["status_klasse"]) * 3
                    + ["positiv", "stabil", "negativ"].index(r["dynamik_klasse"])
                    + 1
                )
        rows.extend(base.values())
    columns = [
        "gebiet_id",
        "periode",
        "einwohner",
        *STATUS_IDS,
        *[f"{s}_dynamik" for s in STATUS_IDS],
        *[f"z_{s}" for s in STATUS_IDS],
        *[f"z_{s}_dynamik" for s in STATUS_IDS],
        "statussumme",
        "status_index",
        "dynamiksumme",
        "dynamik_index",
        "status_klasse",
        "dynamik_klasse",
        "gesamtindex",
        "gruppe",
        "ausschluss_grund",
    ]
    return [{c: r.get(c) for c in columns} for r in rows]


# --- controlling, goals, catalogue ------------------------------------------------------

BUDGET = [  # bereich, bezeichnung, plan 2024, ist 2024
    ("sgb2_kdu", "Leistungen für Unterkunft und Heizung (SGB II)", 4_350_000.00, 4_412_880.12),
    ("sgb12_grusi", "Grundsicherung im Alter und bei Erwerbsminderung", 1_150_000.00, 1_098_310.40),
    ("sgb12_hlu", "Hilfe zum Lebensunterhalt", 240_000.00, 251_774.00),
    ("sgb8_hze", "Hilfen zur Erziehung", 7_100_000.00, 7_065_120.90),
    ("sgb8_inobhut", "Inobhutnahmen", 420_000.00, 388_200.00),
]


def build_controlling(layout: Layout, indicators: list[dict]) -> list[dict]:
    city = next(a["gebiet_id"] for a in layout.areas if a["parent_id"] is None)
    rows = []
    for year, factor in ((2023, 0.96), (2024, 1.0)):
        for bereich, name, plan, ist in BUDGET:
            p, i = plan * factor, ist * factor * (1.01 if year == 2023 else 1.0)
            base = dict(
                haushaltsjahr=year,
                schluessel=bereich,
                bezeichnung=name,
                plan=p,
                ist=i,
                symbol=None,
                gebiet_id=None,
                produkt_anzahl=1,
            )
            rows.append(
                {**base, "kennzahl": "budget_ausschoepfung", "wert": i / p * 100, "einheit": "%"}
            )
            rows.append({**base, "kennzahl": "budget_abweichung", "wert": i - p, "einheit": "EUR"})
        common = dict(haushaltsjahr=year, plan=None, symbol=None, produkt_anzahl=None)
        rows.append(
            {
                **common,
                "kennzahl": "kdu_je_bg",
                "schluessel": city,
                "gebiet_id": city,
                "bezeichnung": "Gesamtstadt",
                "ist": 4_412_880.12 * factor,
                "wert": 4_412_880.12 * factor / 510,
                "einheit": "EUR",
            }
        )
        rows.append(
            {
                **common,
                "kennzahl": "hze_kosten_abgleich",
                "schluessel": city,
                "gebiet_id": city,
                "bezeichnung": "Fallkosten minus Haushalt",
                "ist": None,
                "wert": -84_500.0 * factor,
                "einheit": "EUR",
            }
        )
        hze = [
            r
            for r in indicators
            if r["indikator_id"] == "hze_quote" and r["periode"] == date(year, 12, 31)
        ]
        for r in hze:
            rng = _rng("kosten", r["gebiet_id"], year)
            suppressed = r["symbol"] is not None
            rows.append(
                {
                    **common,
                    "kennzahl": "hze_kosten_je_fall",
                    "schluessel": r["gebiet_id"],
                    "gebiet_id": r["gebiet_id"],
                    "bezeichnung": None,
                    "ist": None,
                    "wert": None if suppressed else round(rng.uniform(28_000, 46_000), 2),
                    "einheit": "EUR",
                    "symbol": r["symbol"],
                }
            )
    return rows


# bereich, name of the Bereich, product, product name, case count, cases 2023/2024, plan/ist
# 2023 and 2024, plan 2025 (Ist not yet there)
HAUSHALT = [
    ("sgb2_kdu", "SGB II Kosten der Unterkunft", "31.2.01",
     "Leistungen für Unterkunft und Heizung (SGB II)", "bg", "Bedarfsgemeinschaften",
     (500, 550), (4_100_000.0, 4_000_000.0), (4_350_000.0, 4_620_000.0), 4_700_000.0),
    ("sgb12_grusi", "SGB XII Grundsicherung im Alter und bei Erwerbsminderung", "31.1.02",
     "Grundsicherung im Alter und bei Erwerbsminderung", "grusi_empfaenger",
     "Empfängerinnen und Empfänger", (120, 118), (1_150_000.0, 1_180_000.0),
     (1_150_000.0, 1_098_310.40), 1_200_000.0),
    ("sgb8_hze", "SGB VIII Hilfen zur Erziehung", "36.3.01", "Hilfen zur Erziehung",
     "hze_faelle", "Fälle", (2, 3), (6_700_000.0, 6_600_000.0), (7_100_000.0, 7_065_120.90),
     7_300_000.0),
]  # fmt: skip


def build_haushalt() -> list[dict]:
    rows = []
    for k, (bereich, bname, produkt, pname, _, _, _, y23, y24, plan25) in enumerate(HAUSHALT):
        for year, (plan, ist) in ((2023, y23), (2024, y24), (2025, (plan25, None))):
            common = dict(
                haushaltsjahr=year, plan=plan, ist=ist, bereich=bereich,
                bereich_bezeichnung=bname, planjahr=ist is None, reihenfolge=k + 1,
                abweichung=None if ist is None else ist - plan,
                ausfuehrungsquote=None if ist is None else ist / plan * 100,
                hinweis="Planjahr: Ist liegt noch nicht vor" if ist is None else None,
            )  # fmt: skip
            rows.append(
                {**common, "gliederung": "bereich", "schluessel": bereich, "bezeichnung": bname}
            )
            rows.append(
                {**common, "gliederung": "produkt", "schluessel": produkt, "bezeichnung": pname}
            )
    return rows


def build_zerlegung() -> list[dict]:
    rows = []
    for k, (bereich, bname, _, _, merkmal, fall, (f0, f1), y23, y24, _) in enumerate(HAUSHALT):
        i0, i1 = y23[1], y24[1]
        withheld = min(f0, f1) < 3  # the fixture's HzE counts are small: published as `*`
        k0, k1 = i0 / f0, i1 / f1
        effects = {
            "mengeneffekt": (f1 - f0) * k0,
            "preiseffekt": (k1 - k0) * f0,
            "restglied": (f1 - f0) * (k1 - k0),
        }
        rows.append(
            dict(
                haushaltsjahr=2024,
                bereich=bereich,
                bereich_bezeichnung=bname,
                fall_merkmal=merkmal,
                fall_bezeichnung=fall,
                ist_vorjahr=i0,
                ist=i1,
                veraenderung=i1 - i0,
                faelle_vorjahr=None if withheld else f0,
                faelle=None if withheld else f1,
                kosten_je_fall_vorjahr=None if withheld else k0,
                kosten_je_fall=None if withheld else k1,
                **{c: None if withheld else v for c, v in effects.items()},
                symbol="*" if withheld else None,
                hinweis=None,
                reihenfolge=k + 1,
            )
        )
    return rows


def build_kennzahlen() -> list[dict]:
    rows = []
    for k, (bereich, bname, produkt, pname, merkmal, fall, cases, y23, y24, _) in enumerate(
        HAUSHALT
    ):
        before = None
        for year, f, ist in ((2023, cases[0], y23[1]), (2024, cases[1], y24[1])):
            withheld = f < 3
            cost = ist / f
            row = dict(
                haushaltsjahr=year, produkt=produkt, bezeichnung=pname, bereich=bereich,
                bereich_bezeichnung=bname, fall_merkmal=merkmal, fall_bezeichnung=fall,
                faelle=None if withheld else f, ist=ist,
                kosten_je_fall=None if withheld else cost, einwohner=60_000.0,
                faelle_je_1000_ew=None if withheld else f / 60, faelle_vorjahr=None,
                kosten_je_fall_vorjahr=None, faelle_veraenderung_prozent=None,
                kosten_je_fall_veraenderung_prozent=None,
                symbol="*" if withheld else None, hinweis=None, reihenfolge=k + 1,
            )  # fmt: skip
            if before is not None and not withheld and before[0] >= 3:
                row.update(
                    faelle_vorjahr=before[0], kosten_je_fall_vorjahr=before[1],
                    faelle_veraenderung_prozent=(f / before[0] - 1) * 100,
                    kosten_je_fall_veraenderung_prozent=(cost / before[1] - 1) * 100,
                )  # fmt: skip
            elif before is not None:
                row["symbol"] = "*"
            before = (f, cost)
            rows.append(row)
    return rows


def build_goals(layout: Layout, indicators: list[dict]) -> list[dict]:
    city = next(a["gebiet_id"] for a in layout.areas if a["parent_id"] is None)
    second = sorted(a["gebiet_id"] for a in layout.areas if a["ebene_rang"] == 2)[-1]
    finest_small = min(layout.base_ew, key=layout.base_ew.get)
    wanted = [
        ("sgb2_kinderarmut", None, 2024, 25.0, "hoechstens", "Ratsbeschluss 2022/117"),
        ("hze_quote", second, 2024, 400.0, "hoechstens", "JHA-Beschluss 2023/08"),
        ("anteil_u18", city, 2024, 15.0, "mindestens", "Familienpolitisches Leitbild 2021"),
        ("sgb2_quote", finest_small, 2024, 10.0, "hoechstens", "Quartiersprogramm 2023/4"),
        ("sgb2_quote", None, 2023, 12.0, "hoechstens", "Ratsbeschluss 2022/117"),
    ]
    rows = []
    for ind, gid, year, target, direction, decision in wanted:
        match = next(
            r
            for r in indicators
            if r["indikator_id"] == ind
            and r["gebiet_id"] == (gid or city)
            and r["periode"] == date(year, 12, 31)
        )
        actual = match["wert"]
        met = (
            None
            if actual is None
            else (actual <= target if direction == "hoechstens" else actual >= target)
        )
        rows.append(
            dict(
                indikator_id=ind,
                gebiet_id=gid,
                jahr=year,
                zielwert=target,
                richtung=direction,
                beschluss=decision,
                istwert=actual,
                abstand=None if actual is None else actual - target,
                erreicht=met,
                symbol=match["symbol"],
            )
        )
    return rows


def build_catalogue() -> list[dict]:
    rows = [
        dict(
            indikator_id=s.id,
            reihenfolge=(i + 1) * 10,
            bezeichnung=s.label,
            bereich=s.bereich,
            einheit=s.einheit,
            faktor=s.factor,
            definition=s.definition,
            quelle=s.quelle,
            polaritaet=s.polaritaet,
            zaehler_definition=s.num,
            nenner_definition=s.den,
            reihenbruch="2024-01-01: Neuzuschnitt Lindenhof" if s.bereich == "sgb2" else None,
            interpretation=f"{s.label}: Werte kleiner Gebiete über mehrere Jahre lesen.",
        )
        for i, s in enumerate(SPECS)
    ]
    rows.append(
        dict(
            indikator_id="hze_kosten_je_fall",
            reihenfolge=1000,
            bezeichnung="Kosten je HzE-Fall",
            bereich="controlling",
            einheit="EUR",
            faktor=None,
            definition="Summe der Jahreskosten der HzE-Fälle geteilt durch ihre Zahl.",
            quelle="Fachverfahren SGB VIII",
            polaritaet="neutral",
            zaehler_definition="kosten_jahr",
            nenner_definition="Fälle",
            reihenbruch=None,
            interpretation="Steigt mit dem Anteil stationärer Hilfen.",
        )
    )
    return rows


# --- Bedarfsplanung -------------------------------------------------------------------

# type -> (band, target per je, je, planning level (levels above the finest), share of inhabitants in the band,
# places per finest area key)
FORWARD_TYPES = {
    "kita_u3": (0, 2, 45.0, 100.0, 0, 0.03, {"010101": 5, "010102": 2, "010201": 40,
                                              "020101": 20, "020102": 6}),
    "seniorentreff": (65, 100, 20.0, 1000.0, 1, 0.2, {"010101": 3, "010201": 10, "020101": 8}),
}  # fmt: skip
FORWARD_BASE = 2024
FORWARD_YEARS = range(FORWARD_BASE + 1, FORWARD_BASE + 7)  # horizon 6, back-test up to 5
VARIANT_GROWTH = {"unten": -0.02, "mitte": 0.01, "oben": 0.04}  # per year


def build_bedarfsplanung(layout: Layout) -> list[dict]:
    """Consistent rows: band population of the finest areas (ist: 2023 and 2024, projected
    from 2024 in three variants), coarser levels their sums, the publish rule applied
    (area under 300 inhabitants '.', its sibling secondary '*', with the derived columns)."""
    areas = {a["gebiet_id"]: a for a in layout.areas if a["gueltig_bis"] is None}
    finest = sorted(layout.base_ew)

    def chain(gid: str) -> list[str]:
        out = []
        while gid is not None:
            out.append(gid)
            gid = areas[gid]["parent_id"]
        return out

    small = {g for g in finest if layout.base_ew[g] < 300}
    secondary = {
        min(s for s in finest if s != g and areas[s]["parent_id"] == areas[g]["parent_id"])
        for g in small
        if any(s != g and areas[s]["parent_id"] == areas[g]["parent_id"] for s in finest)
    }
    finest_rank = max(areas[g]["ebene_rang"] for g in finest)
    rows = []
    for art, (lo, hi, target, je, above, share, places) in FORWARD_TYPES.items():
        rank = finest_rank - above
        if not set(places) & set(finest):  # another layout: places around the target
            places = {
                g: round(
                    layout.base_ew[g]
                    * share
                    * target
                    / je
                    * (0.6 + zlib.crc32(g.encode()) % 7 / 10)
                )
                for g in finest
            }
        cases = [("ist", y, None, 1.0) for y in (FORWARD_BASE - 1, FORWARD_BASE)]
        cases += [
            (v, y, date(FORWARD_BASE, 12, 31), (1 + g) ** (y - FORWARD_BASE))
            for v, g in VARIANT_GROWTH.items()
            for y in FORWARD_YEARS
        ]
        for variant, year, basis, factor in cases:
            pop: dict[str, float] = defaultdict(float)
            cap: dict[str, float] = defaultdict(float)
            for g in finest:
                band = layout.base_ew[g] * share * factor
                band = round(band) if variant != "ist" else float(round(band))
                for a in chain(g):
                    if areas[a]["ebene_rang"] <= rank:
                        pop[a] += band
                        cap[a] += places.get(g, 0)
            for a in pop:
                if variant == "ist" and a in small | secondary:
                    symbol = "." if a in small else "*"
                elif variant != "ist" and a in small:
                    symbol = "."
                else:
                    symbol = None
                need = pop[a] * target / je
                rows.append(
                    dict(
                        gebiet_id=a,
                        ebene=areas[a]["ebene"],
                        ist_planungsebene=areas[a]["ebene_rang"] == rank,
                        art=art,
                        jahr=year,
                        stichtag=date(year, 12, 31),
                        variante=variant,
                        basis_stichtag=basis,
                        alter_von=lo,
                        alter_bis=hi,
                        bedarfsbevoelkerung=None if symbol else pop[a],
                        plaetze=float(cap[a]),
                        zielwert=target,
                        je=je,
                        bedarf_plaetze=None if symbol else need,
                        versorgungsquote=None if symbol or not pop[a] else cap[a] / pop[a] * je,
                        platzsaldo=None if symbol else cap[a] - need,
                        symbol=symbol,
                    )
                )
    return rows


# MAPE of the projection in the back-test: per level, per year of horizon (mean over base
# dates; the base dates spread around it by +-0.2 per year)
GUETE_PER_YEAR = {"stadt": 0.3, "stadtbezirk": 0.6, "stadtteil": 1.1, "statistischer_bezirk": 2.4}
GUETE_GROUP_ADD = {"gesamt": 0.0, "0-5": 3.0, "6-9": 2.0}


def build_prognose_guete(layout: Layout) -> list[dict]:
    levels = sorted({a["ebene"] for a in layout.areas})
    rows = []
    for base in range(2015, 2020):
        for h in range(1, 6):
            for level in levels:
                for group, add in GUETE_GROUP_ADD.items():
                    for method, scale in (("prognose", 1.0), ("konstant", 1.4), ("linear", 1.8)):
                        mape = (GUETE_PER_YEAR.get(level, 1.0) * h + add) * scale
                        mape += (base - 2017) * 0.2
                        rows.append(
                            dict(
                                basis_stichtag=date(base, 12, 31),
                                stichtag=date(base + h, 12, 31),
                                horizont_jahre=h,
                                ebene=level,
                                zielgruppe=group,
                                groessenklasse="alle",
                                methode=method,
                                gebiete=5,
                                mape=mape,
                                gewichteter_fehler=mape * 0.8,
                                bias=-0.5,
                            )
                        )
    return rows


# --- writing ----------------------------------------------------------------------------


def _write(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], ddl: str | None, tmp: Path
) -> None:
    """Load rows through a temporary NDJSON file: far faster than executemany and avoids the
    seconds-long pandas/pyarrow import of a DataFrame scan."""
    if ddl:
        con.execute(f"create table {name} ({ddl})")
    if not rows:
        return
    source = tmp / f"{name}.ndjson"
    with source.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, default=str) + "\n")
    scan = f"read_json('{source}', format = 'newline_delimited', sample_size = -1)"
    if ddl:
        con.execute(f"insert into {name} by name select * from {scan}")
    else:
        con.execute(f"create table {name} as select * from {scan}")
    source.unlink()


def build_publish_db(
    path: Path,
    *,
    layout: str = "example",
    tables: tuple[str, ...] = ALL_TABLES + FORWARD_TABLES,
    empty: tuple[str, ...] = (),
) -> Path:
    """Write a publish.duckdb with the given tables (some optionally empty) and return it."""
    lay = example_layout() if layout == "example" else grid_layout()
    indicators, raw = build_indicators(lay)
    content = {
        "indikatoren": indicators,
        "gebiete": lay.areas,
        "indikatorkatalog": build_catalogue(),
        "sozialindex": build_sozialindex(lay, raw),
        "controlling": build_controlling(lay, indicators),
        "controlling_haushalt": build_haushalt(),
        "controlling_zerlegung": build_zerlegung(),
        "controlling_kennzahlen": build_kennzahlen(),
        "zielerreichung": build_goals(lay, indicators),
        "bedarfsplanung": build_bedarfsplanung(lay),
        "prognose_guete": build_prognose_guete(lay),
    }
    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    tmp = Path(tempfile.mkdtemp(prefix="publish_fixture_"))
    try:
        for name in tables:
            if name == "indikatoren_breit":
                continue
            rows = [] if name in empty else content[name]
            if name == "sozialindex" and not rows:
                con.execute(
                    "create table sozialindex (gebiet_id varchar, periode date, "
                    "einwohner double, status_klasse varchar, dynamik_klasse varchar, "
                    "gruppe integer, ausschluss_grund varchar)"
                )
                continue
            _write(con, name, rows, DDL.get(name), tmp)
        if "indikatoren_breit" in tables and (
            "indikatoren" not in tables or "indikatoren" in empty or "indikatoren_breit" in empty
        ):
            con.execute(
                "create table indikatoren_breit (gebiet_id varchar, ebene varchar, periode date)"
            )
        elif "indikatoren_breit" in tables:
            con.execute(
                "create table indikatoren_breit as pivot indikatoren on indikator_id "
                "using first(wert) group by gebiet_id, ebene, periode"
            )
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return path
