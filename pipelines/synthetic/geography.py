"""The fictional city's map: area hierarchy, polygons, the boundary change, street directory.

The map is a jittered grid of shared vertices (every edge also carries a jittered midpoint,
so borders bend), cut to an irregular city outline. Cells are ordered along a Hilbert
curve and cut into consecutive runs, which keeps Stadtbezirke and Stadtteile contiguous.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .names import (
    AREA_PARTS,
    BEZIRK_NAMES,
    PLACE_PREFIXES,
    PLACE_SUFFIXES,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    TINY_AREA_NAMES,
    unique_combinations,
)
from .rng import rng_for
from .scales import Scale

# Fictional centre somewhere in the middle of Germany
LON0, LAT0 = 10.117, 51.383
ORIGIN = dt.date(2000, 1, 1)  # gueltig_ab of every area and address that never changed


@dataclass
class Geography:
    """Everything spatial. `atoms` are today's finest areas (the unit every model runs on)."""

    city_name: str
    gebiete: pl.DataFrame  # typed rows of gebiete.csv
    atom_id: np.ndarray  # today's gebiet_id per atom (str)
    atom_old_id: np.ndarray  # gebiet_id per atom before the split date (str)
    atom_name: np.ndarray  # today's name per atom
    atom_xy: np.ndarray  # (n, 2) grid coordinates of the atom centre
    atom_rim: np.ndarray  # 0 centre .. 1 outline: distance from the city centre
    atom_tiny: np.ndarray  # bool: area with < 300 inhabitants
    split_old: str
    split_new: tuple[str, str]
    split_date: dt.date
    split_atoms: tuple[int, int]
    names: dict[str, str]  # gebiet_id -> name for every finest area, old and new
    polygons: dict[str, list[list[float]]] = field(default_factory=dict)
    # street directory, one row per address point (today's atom); see `adressen_frame`
    addr_atom: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    addr_street: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    addr_number: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    addr_zusatz: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    addr_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    addr_count: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_atoms(self) -> int:
        return len(self.atom_id)

    def keys_on(self, day: dt.date) -> np.ndarray:
        """gebiet_id per atom valid on `day`: deliveries before the split use the old key."""
        return self.atom_old_id if day < self.split_date else self.atom_id


def hilbert_index(x: int, y: int, order: int) -> int:
    """Position of cell (x, y) along a Hilbert curve over a 2**order grid."""
    d = 0
    s = 1 << (order - 1)
    while s > 0:
        rx = 1 if (x & s) > 0 else 0
        ry = 1 if (y & s) > 0 else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s >>= 1
    return d


def pick_outline_cells(rng: np.random.Generator, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid cells of an irregular, star-shaped city outline; returns (cells, rim 0..1)."""
    side = math.ceil(math.sqrt(n_cells * 2.2)) + 2
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    cx = cy = side / 2
    dx, dy = ii.ravel() + 0.5 - cx, (jj.ravel() + 0.5 - cy) * 1.15
    theta = np.arctan2(dy, dx)
    ph = rng.uniform(0, 2 * np.pi, 3)
    wobble = 1 + 0.16 * np.sin(2 * theta + ph[0]) + 0.1 * np.cos(3 * theta + ph[1])
    wobble += 0.05 * np.sin(5 * theta + ph[2])
    r = np.hypot(dx, dy) / wobble + rng.uniform(0, 0.25, dx.size)
    order = np.argsort(r, kind="stable")[:n_cells]
    cells = np.stack([ii.ravel()[order], jj.ravel()[order]], axis=1)
    rim = r[order] / r[order].max()
    return cells, rim


def _jittered_vertices(rng: np.random.Generator, nx: int, ny: int):
    corners = np.stack(np.meshgrid(np.arange(nx + 1), np.arange(ny + 1), indexing="ij"), -1)
    corners = corners + rng.uniform(-0.2, 0.2, corners.shape)
    # midpoints of horizontal edges (i,j)-(i+1,j) and vertical edges (i,j)-(i,j+1)
    hmid = (corners[:-1, :, :] + corners[1:, :, :]) / 2
    hmid = hmid + np.stack(
        [rng.uniform(-0.08, 0.08, hmid.shape[:2]), rng.uniform(-0.13, 0.13, hmid.shape[:2])], -1
    )
    vmid = (corners[:, :-1, :] + corners[:, 1:, :]) / 2
    vmid = vmid + np.stack(
        [rng.uniform(-0.13, 0.13, vmid.shape[:2]), rng.uniform(-0.08, 0.08, vmid.shape[:2])], -1
    )
    return corners, hmid, vmid


def cell_ring(corners, hmid, vmid, i: int, j: int) -> list[np.ndarray]:
    """Counter-clockwise outline of cell (i, j) from the shared vertices."""
    return [
        corners[i, j],
        hmid[i, j],
        corners[i + 1, j],
        vmid[i + 1, j],
        corners[i + 1, j + 1],
        hmid[i, j + 1],
        corners[i, j + 1],
        vmid[i, j],
    ]


def split_rings(corners, hmid, vmid, i: int, j: int, centre) -> tuple[list, list]:
    """West and east halves of cell (i, j), cut through both edge midpoints and `centre`."""
    west = [corners[i, j], hmid[i, j], centre, hmid[i, j + 1], corners[i, j + 1], vmid[i, j]]
    east = [
        hmid[i, j],
        corners[i + 1, j],
        vmid[i + 1, j],
        corners[i + 1, j + 1],
        hmid[i, j + 1],
        centre,
    ]
    return west, east


def _to_lonlat(ring: list[np.ndarray], origin: tuple[float, float], cell_km: float) -> list:
    ox, oy = origin
    out = []
    for x, y in [*ring, ring[0]]:
        lon = LON0 + (x - ox) * cell_km / (111.32 * math.cos(math.radians(LAT0)))
        lat = LAT0 + (y - oy) * cell_km / 110.57
        out.append([round(float(lon), 6), round(float(lat), 6)])
    return out


def build_geography(scale: Scale, seed: int) -> Geography:
    rng = rng_for(seed, "geography")
    n_cells = scale.n_areas - 1  # one cell is split in two: n_areas today
    cells, rim = pick_outline_cells(rng, n_cells)
    order = max(1, math.ceil(math.log2(cells.max() + 1)))
    hidx = np.array([hilbert_index(int(x), int(y), order) for x, y in cells])
    by_curve = np.argsort(hidx, kind="stable")
    cells, rim = cells[by_curve], rim[by_curve]

    # Hierarchy: consecutive runs along the curve
    st_of = np.zeros(n_cells, np.int64)  # global stadtteil index
    for s, run in enumerate(np.array_split(np.arange(n_cells), scale.n_stadtteile)):
        st_of[run] = s
    # Stadtbezirk and running number of each Stadtteil inside it
    st_bez: dict[int, tuple[int, int]] = {}
    for b, run in enumerate(np.array_split(np.arange(scale.n_stadtteile), scale.n_bezirke)):
        for s_in, st in enumerate(run):
            st_bez[int(st)] = (b, s_in)

    # The split cell: a middle Stadtteil, its most central ordinary cell
    split_st = scale.n_stadtteile // 2
    candidates = np.flatnonzero(st_of == split_st)
    split_cell = int(candidates[np.argmin(rim[candidates])])
    # Tiny areas: outermost cells (industrial estates, allotments), never the split cell
    rim_order = [c for c in np.argsort(-rim, kind="stable") if c != split_cell]
    tiny_cells = set(int(c) for c in rim_order[: scale.n_tiny])

    # Names
    place_words = unique_combinations(rng, PLACE_PREFIXES, PLACE_SUFFIXES, scale.n_stadtteile)
    bez_names = list(BEZIRK_NAMES[: scale.n_bezirke])
    names: dict[str, str] = {}
    rows: list[dict] = [
        dict(
            gebiet_id="00",
            name=scale.city_name,
            ebene="stadt",
            ebene_rang=0,
            parent_id=None,
            gueltig_ab=ORIGIN,
            gueltig_bis=None,
        )
    ]
    for b in range(scale.n_bezirke):
        rows.append(
            dict(
                gebiet_id=f"{b + 1:02d}",
                name=bez_names[b],
                ebene="stadtbezirk",
                ebene_rang=1,
                parent_id="00",
                gueltig_ab=ORIGIN,
                gueltig_bis=None,
            )
        )
    st_key = {}
    for st in range(scale.n_stadtteile):
        b, s = st_bez[st]
        st_key[st] = f"{b + 1:02d}{s + 1:02d}"
        rows.append(
            dict(
                gebiet_id=st_key[st],
                name=place_words[st],
                ebene="stadtteil",
                ebene_rang=2,
                parent_id=f"{b + 1:02d}",
                gueltig_ab=ORIGIN,
                gueltig_bis=None,
            )
        )

    split_date = dt.date(scale.split_year, 1, 1)
    cell_key = {}
    tiny_names = iter(TINY_AREA_NAMES * 3)
    split_old = split_new = None
    for st in range(scale.n_stadtteile):
        members = np.flatnonzero(st_of == st)
        parts = list(rng.permutation(AREA_PARTS))
        for k, c in enumerate(members):
            key = f"{st_key[st]}{k + 1:02d}"
            cell_key[int(c)] = key
            if int(c) in tiny_cells:
                nm = next(tiny_names)
            else:
                nm = f"{place_words[st]}-{parts[k % len(parts)]}"
            names[key] = nm
            if int(c) == split_cell:
                n_in = len(members)
                split_old = key
                split_new = (f"{st_key[st]}{n_in + 1:02d}", f"{st_key[st]}{n_in + 2:02d}")
                names[split_new[0]] = f"{nm} West"
                names[split_new[1]] = f"{nm} Ost"
            rows.append(
                dict(
                    gebiet_id=key,
                    name=names[key],
                    ebene="statistischer_bezirk",
                    ebene_rang=3,
                    parent_id=st_key[st],
                    gueltig_ab=ORIGIN,
                    gueltig_bis=split_date - dt.timedelta(days=1) if int(c) == split_cell else None,
                )
            )
            if int(c) == split_cell:
                for nk in split_new:
                    rows.append(
                        dict(
                            gebiet_id=nk,
                            name=names[nk],
                            ebene="statistischer_bezirk",
                            ebene_rang=3,
                            parent_id=st_key[st],
                            gueltig_ab=split_date,
                            gueltig_bis=None,
                        )
                    )
    gebiete = pl.DataFrame(
        rows,
        schema={
            "gebiet_id": pl.String,
            "name": pl.String,
            "ebene": pl.String,
            "ebene_rang": pl.Int64,
            "parent_id": pl.String,
            "gueltig_ab": pl.Date,
            "gueltig_bis": pl.Date,
        },
    )

    # Polygons (grid -> WGS84)
    nx, ny = int(cells[:, 0].max()) + 1, int(cells[:, 1].max()) + 1
    corners, hmid, vmid = _jittered_vertices(rng, nx, ny)
    cell_km = math.sqrt(scale.population / scale.density / n_cells)
    origin = (nx / 2, ny / 2)
    polygons: dict[str, list] = {}
    atoms: list[tuple[str, str, str, float, float, float, bool]] = []
    for c in range(n_cells):
        i, j = int(cells[c, 0]), int(cells[c, 1])
        key = cell_key[c]
        polygons[key] = _to_lonlat(cell_ring(corners, hmid, vmid, i, j), origin, cell_km)
        if c == split_cell:
            centre = corners[i : i + 2, j : j + 2].reshape(-1, 2).mean(0)
            centre = centre + rng.uniform(-0.08, 0.08, 2)
            west, east = split_rings(corners, hmid, vmid, i, j, centre)
            for nk, ring, dxh in ((split_new[0], west, -0.25), (split_new[1], east, 0.25)):
                polygons[nk] = _to_lonlat(ring, origin, cell_km)
                atoms.append((nk, key, names[nk], i + 0.5 + dxh, j + 0.5, float(rim[c]), False))
        else:
            atoms.append((key, key, names[key], i + 0.5, j + 0.5, float(rim[c]), c in tiny_cells))
    atoms.sort(key=lambda a: a[0])
    geo = Geography(
        city_name=scale.city_name,
        gebiete=gebiete,
        atom_id=np.array([a[0] for a in atoms], dtype=object),
        atom_old_id=np.array([a[1] for a in atoms], dtype=object),
        atom_name=np.array([a[2] for a in atoms], dtype=object),
        atom_xy=np.array([[a[3], a[4]] for a in atoms]),
        atom_rim=np.array([a[5] for a in atoms]),
        atom_tiny=np.array([a[6] for a in atoms]),
        split_old=split_old,
        split_new=split_new,
        split_date=split_date,
        split_atoms=(
            int(np.flatnonzero(np.array([a[0] for a in atoms]) == split_new[0])[0]),
            int(np.flatnonzero(np.array([a[0] for a in atoms]) == split_new[1])[0]),
        ),
        names=names,
        polygons=polygons,
    )
    _build_addresses(geo, rng)
    return geo


def _build_addresses(geo: Geography, rng: np.random.Generator) -> None:
    """Streets per atom, house numbers 1..n, some with a letter suffix (`2a`)."""
    n_streets = np.where(
        geo.atom_tiny, rng.integers(1, 3, geo.n_atoms), rng.integers(3, 8, geo.n_atoms)
    )
    streets = unique_combinations(rng, STREET_PREFIXES, STREET_SUFFIXES, int(n_streets.sum()))
    atom_l, street_l, num_l, zus_l = [], [], [], []
    pos = 0
    for a in range(geo.n_atoms):
        for _ in range(int(n_streets[a])):
            name = streets[pos]
            pos += 1
            top = int(rng.integers(6, 18)) if geo.atom_tiny[a] else int(rng.integers(8, 61))
            nums = np.arange(1, top + 1)
            suffixed = nums[rng.random(top) < 0.07]
            double = suffixed[rng.random(len(suffixed)) < 0.3]
            allnums = np.concatenate([nums, suffixed, double])
            zus = np.array([""] * top + ["a"] * len(suffixed) + ["b"] * len(double), dtype=object)
            o = np.lexsort((zus, allnums))
            atom_l.append(np.full(len(allnums), a))
            street_l.append(np.full(len(allnums), name, dtype=object))
            num_l.append(allnums[o])
            zus_l.append(zus[o])
    geo.addr_atom = np.concatenate(atom_l)
    geo.addr_street = np.concatenate(street_l)
    geo.addr_number = np.concatenate(num_l)
    geo.addr_zusatz = np.concatenate(zus_l)
    geo.addr_count = np.bincount(geo.addr_atom, minlength=geo.n_atoms)
    geo.addr_start = np.concatenate([[0], np.cumsum(geo.addr_count)[:-1]])

    # In the split area one street runs across the new border: its low numbers go west.
    # Re-assign its high numbers to the east half so an address list really changes areas.
    w, e = geo.split_atoms
    west_rows = np.flatnonzero(geo.addr_atom == w)
    first_street = geo.addr_street[west_rows[0]]
    cross = west_rows[
        (geo.addr_street[west_rows] == first_street) & (geo.addr_number[west_rows] > 4)
    ]
    geo.addr_atom[cross] = e
    o = np.argsort(geo.addr_atom, kind="stable")
    for name in ("addr_atom", "addr_street", "addr_number", "addr_zusatz"):
        setattr(geo, name, getattr(geo, name)[o])
    geo.addr_count = np.bincount(geo.addr_atom, minlength=geo.n_atoms)
    geo.addr_start = np.concatenate([[0], np.cumsum(geo.addr_count)[:-1]])


def adressen_frame(geo: Geography) -> pl.DataFrame:
    """Street directory: addresses of the split area appear twice, old key then new key."""
    atom = geo.addr_atom
    in_split = np.isin(atom, geo.split_atoms)
    base = pl.DataFrame(
        {
            "strasse": geo.addr_street.astype(str),
            "hausnummer": geo.addr_number.astype(str),
            "zusatz": geo.addr_zusatz.astype(str),
            "gebiet_id": geo.atom_id[atom].astype(str),
            "gueltig_ab": pl.Series([ORIGIN] * len(atom), dtype=pl.Date),
            "gueltig_bis": pl.Series([None] * len(atom), dtype=pl.Date),
            "_order": np.arange(len(atom)) * 2,
        }
    )
    mask = pl.Series(in_split)
    old = base.filter(mask).with_columns(
        pl.lit(geo.split_old).alias("gebiet_id"),
        pl.lit(geo.split_date - dt.timedelta(days=1)).alias("gueltig_bis"),
    )
    new = base.filter(mask).with_columns(
        pl.lit(geo.split_date).alias("gueltig_ab"), (pl.col("_order") + 1).alias("_order")
    )
    return pl.concat([base.filter(~mask), old, new]).sort("_order").drop("_order")


def geojson_text(geo: Geography) -> str:
    """FeatureCollection of every finest area of both layouts, one feature per line."""
    feats = []
    for key in sorted(geo.polygons):
        feats.append(
            json.dumps(
                {
                    "type": "Feature",
                    "properties": {"gebiet_id": key, "name": geo.names[key]},
                    "geometry": {"type": "Polygon", "coordinates": [geo.polygons[key]]},
                },
                ensure_ascii=False,
            )
        )
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(feats) + "\n]}\n"
