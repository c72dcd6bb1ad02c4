"""Reference data for the real cities, derived from the public files, and a landing folder.

Berlin (old LOR, 447/448 Planungsräume): the hierarchy comes from the 8-digit keys of the
EWR files (BEZ+PGR+BZR+PLR); names from the LOR polygons (Planungsräume), the MSS tables
2-2/2-3 (Bezirksregionen, Bezirke) and, for Prognoseräume, LOR 2021 where the old key maps
one-to-one to a new one. Hamburg: the Stadtteilprofile carry names only; Bezirk membership
is derived from the counts (a block of consecutive Stadtteile sums to its Bezirk).

The generated files are committed under profiles/reference/ (regenerate with
`uv run python -m pipelines.profiles.reference`); a test checks they still match.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
from pathlib import Path

from pipelines.profiles.schema import PROFILES_DIR, REPO

REALDATA = REPO / "data" / "realdata"
REFERENCE_DIR = PROFILES_DIR / "reference"
GEBIETE_HEADER = [
    "gebiet_id",
    "name",
    "ebene",
    "ebene_rang",
    "parent_id",
    "gueltig_ab",
    "gueltig_bis",
]
MSS = "berlin-mss/open-lifeworlds/berlin-lor-monitoring-social-urban-development-{y}-00/berlin-lor-monitoring-social-urban-development-{y}-00-{t}.csv"
HAMBURG_XLSX = "hamburg-stadtteilprofile-2014/Daten_fuer_die_Stadtteilprofile_2014.xlsx"
CITIES = {
    "berlin": {"files": ["berlin-ewr/EWR*12E_Matrix.csv"], "config": "stadt_berlin.yaml"},
    "hamburg": {"files": [HAMBURG_XLSX], "config": "stadt_hamburg.yaml"},
}


def _csv_text(rows: list[list[str]], header: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _read_dicts(path: Path, sep: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=sep))


# --- Berlin ------------------------------------------------------------------------------------
def berlin_first_years(realdata: Path = REALDATA) -> dict[str, int]:
    """Planungsraum key -> first year-end it appears in the EWR files."""
    first: dict[str, int] = {}
    for path in sorted((realdata / "berlin-ewr").glob("EWR*12E_Matrix.csv")):
        year = int(path.name[3:7])
        lines = path.read_bytes().decode("latin-1").splitlines()[1:]
        for line in lines:
            key = line.split(";")[1].strip().strip('"')
            if key:
                first.setdefault(key.zfill(8), year)
    return first


def berlin_gebiete(realdata: Path = REALDATA) -> str:
    first = berlin_first_years(realdata)
    geo = json.loads(
        (
            realdata / "berlin-lor/open-lifeworlds/berlin-lor-planning-areas-until-2020.geojson"
        ).read_text(encoding="utf-8")
    )
    plr_names = {f["properties"]["id"]: f["properties"]["name"] for f in geo["features"]}
    bzr_names, bez_names = {}, {}
    for year in (2013, 2015, 2017, 2019):  # later editions win
        for r in _read_dicts(realdata / MSS.format(y=year, t="2-1")):
            plr_names.setdefault(r["id"], r["name"])  # PLR missing from the polygons
        for r in _read_dicts(realdata / MSS.format(y=year, t="2-2")):
            bzr_names[r["id"]] = r["name"]
        for r in _read_dicts(realdata / MSS.format(y=year, t="2-3")):
            bez_names[r["id"]] = r["name"]
    new_pgr = {
        r["Prognoseraum (Nummer)"]: r["Prognoseraum (Name)"]
        for r in _read_dicts(realdata / "berlin-lor/jascha-je/LOR_2021.csv")
    }
    matches = json.loads(
        (realdata / "berlin-lor/open-lifeworlds/berlin-lor-matches.json").read_text("utf-8")
    )
    rows: list[list[str]] = [["00", "Berlin", "stadt", "0", "", "2001-01-01", ""]]
    seen: set[str] = set()
    for plr in sorted(first):
        levels = [
            (plr[:2], bez_names.get(plr[:2]), "bezirk", "1", "00"),
            (plr[:4], None, "prognoseraum", "2", plr[:2]),
            (plr[:6], bzr_names.get(plr[:6]), "bezirksregion", "3", plr[:4]),
            (plr, plr_names.get(plr), "planungsraum", "4", plr[:6]),
        ]
        for key, name, level, rank, parent in levels:
            if key in seen:
                continue
            seen.add(key)
            if level == "prognoseraum":
                new = matches.get(key, [])
                name = new_pgr.get(new[0]) if len(new) == 1 else None
            start = (
                f"{first[plr]}-01-01"
                if first[plr] > 2001 and level == "planungsraum"
                else "2001-01-01"
            )
            rows.append(
                [key, name or f"{level.capitalize()} {key}", level, rank, parent, start, ""]
            )
    return _csv_text(rows, GEBIETE_HEADER)


# --- Hamburg -----------------------------------------------------------------------------------
def hamburg_rows(realdata: Path = REALDATA) -> list[list[str]]:
    import fastexcel

    sheet = fastexcel.read_excel(realdata / HAMBURG_XLSX).load_sheet(
        0, header_row=None, dtypes="string"
    )
    rows = [["" if v is None else str(v) for v in r] for r in sheet.to_polars().iter_rows()]
    return rows[4:]


def hamburg_reference(realdata: Path = REALDATA) -> tuple[str, str]:
    """(gebiete.csv, schluessel.csv) for the Stadtteilprofile: 99 Stadtteile, 7 Bezirke."""
    rows = hamburg_rows(realdata)
    city, districts = rows[-1], rows[-8:-1]
    quarters = rows[:-8]
    pop = [int(r[1]) for r in quarters]
    # walk back from the last Bezirk: its block is the shortest tail summing to it exactly;
    # what is left at the front belongs to the first Bezirk (which may hold a rest)
    bounds, end = [], len(quarters)
    for d in reversed(districts[1:]):
        total = int(d[1])
        sums = list(itertools.accumulate(reversed(pop[:end])))
        if total not in sums:
            raise ValueError(f"Bezirk {d[0]}: kein Block von Stadtteilen ergibt {total}")
        start = end - (sums.index(total) + 1)
        bounds.append((start, end))
        end = start
    bounds.append((0, end))
    bounds.reverse()
    gebiete = [["00", city[0], "stadt", "0", "", "2013-01-01", ""]]
    for b, (d, (s, e)) in enumerate(zip(districts, bounds, strict=True), start=1):
        gebiete.append([str(b), d[0], "bezirk", "1", "00", "2013-01-01", ""])
        for i, q in enumerate(quarters[s:e], start=1):
            gebiete.append([f"{b}-{i:02d}", q[0], "stadtteil", "2", str(b), "2013-01-01", ""])
        if sum(pop[s:e]) != int(d[1]):  # persons without a Stadtteil (e.g. Neuwerk)
            gebiete.append([f"{b}-99", f"{d[0]}: ohne Stadtteilzuordnung", "stadtteil", "2",
                            str(b), "2013-01-01", ""])  # fmt: skip
    keys = []
    order = [r[0] for r in quarters] + [d[0] for d in districts] + [city[0]]
    count: dict[str, int] = {}
    ids = [g[0] for g in gebiete if not g[0].endswith("-99")]
    id_of_row = [i for i in ids if "-" in i] + [str(b) for b in range(1, 8)] + ["00"]
    for name, gid in zip(order, id_of_row, strict=True):
        count[name] = count.get(name, 0) + 1
        keys.append([name, str(count[name]), gid])
    return _csv_text(gebiete, GEBIETE_HEADER), _csv_text(keys, ["name", "vorkommen", "gebiet_id"])


def write_reference(realdata: Path = REALDATA, target: Path = REFERENCE_DIR) -> list[Path]:
    gebiete, keys = hamburg_reference(realdata)
    out = {
        target / "berlin" / "gebiete.csv": berlin_gebiete(realdata),
        target / "hamburg" / "gebiete.csv": gebiete,
        target / "hamburg" / "schluessel.csv": keys,
    }
    for path, text in out.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(out)


def real_landing(city: str, out: Path, realdata: Path = REALDATA) -> Path:
    """A landing folder for `city` (berlin|hamburg): reference/gebiete.csv plus plain copies
    of the real files where the city's profile looks for them. Returns the folder; the city
    config to run it with is `city_config(city)`."""
    if city not in CITIES:
        raise ValueError(f"Stadt {city!r} unbekannt (bekannt: {', '.join(CITIES)})")
    out = Path(out)
    (out / "reference").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REFERENCE_DIR / city / "gebiete.csv", out / "reference" / "gebiete.csv")
    for pattern in CITIES[city]["files"]:
        found = sorted(realdata.glob(pattern))
        if not found:
            raise FileNotFoundError(f"keine Dateien zu {pattern} unter {realdata}")
        for src in found:
            dst = out / src.relative_to(realdata)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)  # a real copy: the landing refuses symbolic links
            dst.chmod(0o644)
    if city == "berlin":
        _berlin_geojson(realdata, out / "reference" / "gebiete.geojson")
    return out


def _berlin_geojson(realdata: Path, target: Path) -> None:
    """Old-LOR Planungsraum polygons (property `id`) as the delivered map (`gebiet_id`)."""
    import json

    src = (
        realdata / "berlin-lor" / "open-lifeworlds" / "berlin-lor-planning-areas-until-2020.geojson"
    )
    if not src.exists():
        return
    doc = json.loads(src.read_text(encoding="utf-8"))
    features = [
        {
            "type": "Feature",
            "properties": {"gebiet_id": str(f["properties"]["id"]).zfill(8)},
            "geometry": f["geometry"],
        }
        for f in doc["features"]
        if f.get("properties", {}).get("id")
    ]
    target.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        encoding="utf-8",
    )


def city_config(city: str) -> Path:
    return PROFILES_DIR / CITIES[city]["config"]


if __name__ == "__main__":
    for p in write_reference():
        print(p)
