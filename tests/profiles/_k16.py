"""Readers and the matching rule for the MSS 2021 K16 check (test_mss_k16.py).

Old LOR (until 2020, 447/448 Planungsräume) and LOR 2021 (542) have different 8-digit keys,
so "the same Planungsraum" has to be established from the data: see `is_unchanged`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines.profiles.reference import REFERENCE_DIR
from pipelines.sozialindex.rounding import round_half_away

REALDATA = Path(__file__).resolve().parents[2] / "data" / "realdata"
T1_2020 = (
    "berlin-lor-population/berlin-lor-population-2020-02/"
    "berlin-lor-population-2020-02-t1-planning-areas.csv"
)
EWR_2020 = "berlin-ewr/EWR202012E_Matrix.csv"
MSS_K = "berlin-mss/jascha-je/mss_2021_kontext-indikatoren_anteile_plr.csv"
MSS_OL = (
    "berlin-mss/open-lifeworlds/berlin-lor-monitoring-social-urban-development-2021-00/"
    "berlin-lor-monitoring-social-urban-development-2021-00-{table}.csv"
)
LOR_2021 = "berlin-lor/jascha-je/LOR_2021.csv"
OLD_POLYGONS = "berlin-lor/open-lifeworlds/berlin-lor-planning-areas-until-2020.geojson"
OLD_NAMES = REFERENCE_DIR / "berlin" / "gebiete.csv"

# LOR 2021 re-digitised the boundaries: Planungsräume with the same name and the same
# inhabitants differ in area by up to ~10 %, coincidental equal counts by 45 % and more.
AREA_TOLERANCE = 0.10


@dataclass(frozen=True)
class NewPlr:
    """A LOR-2021 Planungsraum as published in MSS 2021 Tabelle 4.1 (plus LOR 2021 area)."""

    key: str
    names: frozenset[str]  # normalised MSS name and LOR-2021 name (they differ twice)
    inhabitants: int  # 'EW 31.12.2020'
    area: float
    k16: float | None  # None: cell empty (PLR not indexed)


@dataclass(frozen=True)
class OldPlr:
    """An old-LOR Planungsraum from SB A I 16 T1 (2020-02)."""

    key: str
    name: str  # normalised
    inhabitants: int
    foreigners: int
    area: float | None  # None: no polygon, or its id is not unique in the polygon file


def read_dicts(path: Path, sep: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=sep))


def norm_name(text: str) -> str:
    return " ".join(text.split()).casefold()


def new_plr(realdata: Path = REALDATA) -> dict[str, NewPlr]:
    lor = {r["Planungsraum (Nummer)"]: r for r in read_dicts(realdata / LOR_2021)}
    result = {}
    for r in read_dicts(realdata / MSS_K, sep=";"):
        key = r["PLR-ID"]
        result[key] = NewPlr(
            key=key,
            names=frozenset({norm_name(r["PLR-Name"]), norm_name(lor[key]["Planungsraum (Name)"])}),
            inhabitants=int(r["EW 31.12.2020"]),
            area=float(lor[key]["Fläche in qm"]),
            k16=float(r["K16"]) if r["K16"].strip() else None,
        )
    return result


def polygon_areas(realdata: Path = REALDATA) -> dict[str, float]:
    """Area per old PLR id; ids occurring twice are dropped (the file labels the polygon of
    04030417 Schloßstraße in Charlottenburg as 06010102, the Schloßstraße in Steglitz)."""
    features = json.loads((realdata / OLD_POLYGONS).read_text(encoding="utf-8"))["features"]
    counts = Counter(f["properties"]["id"] for f in features)
    return {
        f["properties"]["id"]: float(f["properties"]["area"])
        for f in features
        if counts[f["properties"]["id"]] == 1
    }


def old_plr(realdata: Path = REALDATA) -> dict[str, OldPlr]:
    # names: LOR polygons, MSS 2013–2019 for PLR without polygon (profiles/reference)
    names = {
        r["gebiet_id"]: r["name"]
        for r in read_dicts(OLD_NAMES, sep=";")
        if r["ebene"] == "planungsraum"
    }
    areas = polygon_areas(realdata)
    return {
        r["id"]: OldPlr(
            key=r["id"],
            name=norm_name(names[r["id"]]),
            inhabitants=int(r["inhabitants"]),
            foreigners=int(r["inhabitants_foreigners"]),
            area=areas.get(r["id"]),
        )
        for r in read_dicts(realdata / T1_2020)
    }


def ewr_inhabitants(realdata: Path = REALDATA) -> dict[str, int]:
    """E_E per RAUMID from the register file 31.12.2020 (independent of T1)."""
    lines = (realdata / EWR_2020).read_bytes().decode("latin-1").replace('"', "").splitlines()
    header = lines[0].split(";")
    raum, total = header.index("RAUMID"), header.index("E_E")
    rows = [line.split(";") for line in lines[1:] if line.strip()]
    return {r[raum].zfill(8): int(r[total].replace(",00", "")) for r in rows}


def area_agrees(new: NewPlr, old: OldPlr, tolerance: float = AREA_TOLERANCE) -> bool:
    return old.area is not None and abs(new.area / old.area - 1) <= tolerance


def is_unchanged(new: NewPlr, old: OldPlr, tolerance: float = AREA_TOLERANCE) -> bool:
    """Candidate pair: same Bezirk, same inhabitants on 31.12.2020 (> 0), and same name OR
    area within the tolerance. Keys are not compared (LOR 2021 renumbered everything)."""
    return (
        new.key[:2] == old.key[:2]
        and new.inhabitants == old.inhabitants > 0
        and (old.name in new.names or area_agrees(new, old, tolerance))
    )


def unchanged_pairs(
    new: dict[str, NewPlr], old: dict[str, OldPlr], tolerance: float = AREA_TOLERANCE
) -> tuple[list[tuple[NewPlr, OldPlr]], list[tuple[NewPlr, OldPlr]]]:
    """(unchanged, ambiguous): a candidate pair counts only if neither side has another one."""
    cands = [(n, o) for n in new.values() for o in old.values() if is_unchanged(n, o, tolerance)]
    per_new = Counter(n.key for n, _ in cands)
    per_old = Counter(o.key for _, o in cands)
    unique = [(n, o) for n, o in cands if per_new[n.key] == 1 and per_old[o.key] == 1]
    return unique, [c for c in cands if c not in unique]


def foreigner_share(old: OldPlr) -> float:
    """K16 unrounded: foreigners per 100 inhabitants."""
    return old.foreigners / old.inhabitants * 100


def k16_published_way(old: OldPlr) -> float:
    """How the 2-decimal table was evidently produced: from the 5-decimal value of the
    xlsx (open-lifeworlds 4-1), i.e. rounded twice."""
    return round_half_away(round_half_away(foreigner_share(old), 5), 2)
