"""apply_disclosure: primary, source and secondary suppression of count cells."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.disclosure.analysis import (
    View,
    check_known_equations,
    components_with_equations,
    infer,
    linear_equations,
)
from pipelines.disclosure.config import DisclosureConfig
from pipelines.disclosure.model import (
    Equation,
    Hierarchy,
    Identity,
    Key,
    build_equations,
    key_text,
    load_hierarchy,
)
from pipelines.disclosure.solver import INF, InconsistentSystemError, analyse

CELL_COLUMNS = ("tabelle", "merkmal", "periode", "gebiet_id", "wert", "quell_symbol")
# optional: the bounds of a source `*` where the delivery itself bounds it (below the BA's
# total row a `*` may hide more than quelle_stern_max); null: the config's range
STAR_BOUND_COLUMNS = ("quell_untergrenze", "quell_obergrenze")
SOURCE_SYMBOLS = (None, "*", "-", ".", "x")

# Status of a cell after disclosure control.
PUB, ZERO, UNC, SUP, UNK = "veroeffentlicht", "null", "unsicher", "gesperrt", "unbekannt"

LOG_SCHEMA = {
    "tabelle": pl.String,
    "merkmal": pl.String,
    "periode": None,  # the input's dtype
    "gebiet_id": pl.String,
    "regel": pl.String,
    "ausgeloest_durch": pl.String,
}


@dataclass
class DisclosureResult:
    """Published cells and the suppression log (one row per withheld cell).

    ``solved``/``trees``: where cells are shown on another layout than they were
    solved on (recast periods), the cells as solved (column ``gebietsstand``) and the
    hierarchy of each layout, for the attacker.
    """

    cells: pl.DataFrame
    log: pl.DataFrame
    solved: pl.DataFrame | None = None
    trees: dict[str, pl.DataFrame] | None = None


@dataclass
class _Cell:
    status: str
    lo: int | float = 0
    hi: int | float = INF
    symbol: str | None = None


@dataclass
class _System:
    tabelle: str
    periode: Any
    cells: dict[Key, _Cell]
    eqs: list[Equation]
    log: dict[Key, tuple[str, str | None]] = field(default_factory=dict)

    def view(self, cfg: DisclosureConfig) -> View:
        exact, bounds, targets = {}, {}, set()
        for key, cell in self.cells.items():
            if cell.status in (PUB, ZERO):
                exact[key] = int(cell.lo)
            elif cell.status == UNC:
                bounds[key] = (cell.lo, cell.hi)
            elif cell.status == SUP:
                bounds[key] = star_bounds(key[0], cfg)
                targets.add(key)
            else:
                bounds[key] = (0, INF)
        return View(exact, bounds, targets)


def star_bounds(merkmal: str, cfg: DisclosureConfig) -> tuple:
    """What an outsider knows of a `*`: at least 1 for a count, nothing for a balance."""
    if merkmal in cfg.vorzeichen:
        return (-INF, INF)
    return (cfg.stern_untergrenze, INF)


def apply_disclosure(
    cells: pl.DataFrame,
    hierarchy: pl.DataFrame,
    identities: Iterable[Identity] = (),
    cfg: DisclosureConfig | None = None,
) -> DisclosureResult:
    """Apply disclosure control to count cells; see the package docstring for the model."""
    cfg = cfg or DisclosureConfig()
    tree = load_hierarchy(hierarchy)
    identities = list(identities)
    periode_dtype = cells.schema["periode"] if "periode" in cells.columns else pl.String
    systems = [_suppress(system, cfg, tree) for system in _systems(cells, tree, identities, cfg)]
    return DisclosureResult(
        _cells_frame(systems, tree, periode_dtype), _log_frame(systems, periode_dtype)
    )


# --- input --------------------------------------------------------------------------


def _validate(cells: pl.DataFrame, tree: Hierarchy, cfg: DisclosureConfig) -> list[tuple]:
    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise ValueError(f"Zellen: Spalte fehlt: {', '.join(missing)}")
    rows = cells.select(CELL_COLUMNS).rows()
    seen = set()
    for tab, mm, per, gid, wert, sym in rows:
        where = f"{tab}/{mm}/{per}/{gid}"
        if (tab, mm, per, gid) in seen:
            raise ValueError(f"Zelle doppelt: {where}")
        seen.add((tab, mm, per, gid))
        if gid not in tree.parent:
            raise ValueError(f"Gebiet nicht in der Hierarchie: {where}")
        if sym not in SOURCE_SYMBOLS:
            raise ValueError(f"unbekanntes Quellsymbol {sym!r}: {where}")
        if sym is None and wert is None:
            raise ValueError(f"Wert fehlt ohne Quellsymbol: {where}")
        if wert is not None and wert != int(wert):
            raise ValueError(f"Fallzahl muss ganzzahlig sein: {where}")
        if wert is not None and wert < 0 and mm not in cfg.vorzeichen:
            raise ValueError(f"Fallzahl muss >= 0 sein: {where}")
        if sym == "-" and wert not in (None, 0):
            raise ValueError(f"Symbol '-' mit Wert ungleich 0: {where}")
    return rows


def _systems(
    cells: pl.DataFrame, tree: Hierarchy, identities: list[Identity], cfg: DisclosureConfig
) -> list[_System]:
    rows = _validate(cells, tree, cfg)
    grouped: dict[tuple, dict[Key, tuple]] = defaultdict(dict)
    for tab, mm, per, gid, wert, sym in rows:
        grouped[(tab, per)][(mm, gid)] = (wert, sym)
    stars: dict[tuple, dict[Key, tuple]] = defaultdict(dict)
    if set(STAR_BOUND_COLUMNS) <= set(cells.columns):
        bounded = cells.filter(
            (pl.col("quell_symbol") == "*") & pl.col("quell_obergrenze").is_not_null()
        ).select("tabelle", "merkmal", "periode", "gebiet_id", *STAR_BOUND_COLUMNS)
        for tab, mm, per, gid, lo, hi in bounded.rows():
            stars[(tab, per)][(mm, gid)] = (
                cfg.quelle_stern_min if lo is None else lo,
                hi,
            )
    systems = []
    for tab, per in sorted(grouped, key=lambda k: (k[0], str(k[1]))):
        given = grouped[(tab, per)]
        merkmale = sorted({m for m, _ in given})
        for mm in merkmale:
            for leaf in tree.leaves:
                if (mm, leaf) not in given:
                    raise ValueError(f"Zelle fehlt (unterstes Gebiet): {tab}/{mm}/{per}/{leaf}")
        keys = [(mm, g) for mm in merkmale for g in tree.areas]
        eqs = build_equations(keys, tree, [i for i in identities if i.tabelle == tab])
        systems.append(_initial(tab, per, keys, given, eqs, tree, cfg, stars.get((tab, per))))
    return systems


def _initial(tab, per, keys, given, eqs, tree, cfg, stars=None) -> _System:
    """What the publisher knows (intervals), and the primary/source statuses."""
    bounds = _publisher_bounds(keys, given, eqs, tree, cfg, stars or {})
    if bounds is None:
        raise ValueError(f"Zellen widersprechen Hierarchie/Identitäten: {tab}/{per}")
    system = _System(tab, per, {}, eqs)
    m = cfg.min_fallzahl
    for key in keys:
        low, high = bounds[key]
        sym = given.get(key, (None, None))[1]
        if sym == "*":
            system.cells[key] = _Cell(SUP, low, high, "*")
            system.log[key] = ("quelle", None)
        elif sym in (".", "x"):
            system.cells[key] = _Cell(UNK, low, high, sym)
            system.log[key] = ("quelle", None)
        elif low == high:
            status = ZERO if low == 0 else SUP if abs(low) < m else PUB
            system.cells[key] = _Cell(status, low, high)
            if status == SUP:
                system.log[key] = ("primaer", None)
        elif high == INF:
            system.cells[key] = _Cell(UNK, low, high, ".")
            system.log[key] = ("quelle", _source_cells(key, given, tree))
        elif low < m:
            system.cells[key] = _Cell(SUP, low, high)
            system.log[key] = ("primaer", _source_cells(key, given, tree))
        else:
            system.cells[key] = _Cell(UNC, low, high, "/")
            system.log[key] = ("quelle", _source_cells(key, given, tree))
    return system


def _publisher_bounds(keys, given, eqs, tree, cfg, stars=None) -> dict[Key, tuple] | None:
    """Interval of every cell as the publisher knows it; None if the input contradicts itself.

    A source `*` lies in the config's range, or in its own bounds where `stars` has them.

    Aggregates not given are summed bottom-up (exact where all children are);
    only the cells left inexact go into the exact elimination/propagation.
    """
    bounds: dict[Key, tuple] = {}
    for key in keys:
        if key in given:
            wert, sym = given[key]
            if sym in (None, "-"):
                bounds[key] = (wert or 0, wert or 0)
            elif sym == "*":
                bounds[key] = (stars or {}).get(key, (cfg.quelle_stern_min, cfg.quelle_stern_max))
            else:
                bounds[key] = (0, INF)
    merkmale = sorted({m for m, _ in keys})  # once: keys has merkmale x areas entries
    for gebiet in sorted(tree.parent, key=lambda g: (-tree.depth(g), g)):
        kids = tree.children.get(gebiet, ())
        for merkmal in merkmale:
            if (merkmal, gebiet) not in bounds and kids:
                parts = [bounds[(merkmal, k)] for k in kids]
                bounds[(merkmal, gebiet)] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
    view = View(
        {k: int(b[0]) for k, b in bounds.items() if b[0] == b[1]},
        {k: b for k, b in bounds.items() if b[0] != b[1]},
        set(),
    )
    try:
        check_known_equations(view, eqs)
        for comp, comp_eqs in components_with_equations(view, eqs):
            result = analyse(
                linear_equations(view, comp_eqs, comp),
                [view.bounds[k][0] for k in comp],
                [view.bounds[k][1] for k in comp],
                set(),
            )
            for i, k in enumerate(comp):
                bounds[k] = (result.lo[i], result.hi[i])
    except InconsistentSystemError:
        return None
    return bounds


def _source_cells(key: Key, given: dict, tree: Hierarchy) -> str | None:
    """Source-suppressed cells behind an uncertain aggregate (same measure, below it)."""
    merkmal, gebiet = key
    area_cells = [(merkmal, g) for g in tree.descendants(gebiet)]
    area_cells += sorted(k for k in given if k[1] == gebiet and k != key)
    hits = [key_text(k) for k in area_cells if given.get(k, (None, None))[1] in ("*", ".", "x")]
    return ",".join(sorted(hits)) or None


# --- secondary suppression ------------------------------------------------------------


def _suppress(system: _System, cfg: DisclosureConfig, tree: Hierarchy) -> _System:
    if not cfg.sekundaer:
        return system
    by_key: dict[Key, list[int]] = defaultdict(list)
    for i, eq in enumerate(system.eqs):
        for c in eq.cells:
            by_key[c].append(i)
    cache: dict = {}
    while True:
        _single_equation_pass(system)
        try:
            found, undecided = infer(
                system.view(cfg), system.eqs, max_nodes=cfg.max_knoten, cache=cache
            )
        except InconsistentSystemError as err:  # cannot happen for consistent input
            raise RuntimeError(f"interner Fehler: {system.tabelle}/{system.periode}") from err
        at_risk = sorted({f.key for f in found} | undecided)
        if not at_risk:
            return system
        # One partner per target, but not two for the same equation in one
        # round; a target left without partner is looked at again next round.
        used: set[int] = set()
        for target in at_risk:
            if used & set(by_key[target]):
                continue
            partner, eq_index = _partner(system, target, by_key)
            if partner is None:
                if used:
                    continue
                # every cell near it is hidden or 0: scaling argument says this cannot be
                raise RuntimeError(f"interner Fehler: kein Partner für {key_text(target)}")
            _mark_secondary(system, partner, system.eqs[eq_index], target)
            used.add(eq_index)


def _single_equation_pass(system: _System) -> None:
    """Classic rule to a fixed point: an equation with exactly one withheld cell
    (all others exact) gets a second one, the smallest publishable other cell."""
    changed = True
    while changed:
        changed = False
        for eq in system.eqs:
            hidden = [c for c in eq.cells if system.cells[c].status not in (PUB, ZERO)]
            if len(hidden) != 1 or system.cells[hidden[0]].status != SUP:
                continue
            best = _best_candidate(system, [eq])
            if best is not None:
                _mark_secondary(system, best, eq, hidden[0])
                changed = True


def _candidates(system: _System, eq: Equation) -> list[tuple]:
    out = []
    for cell in eq.cells:
        c = system.cells[cell]
        if (c.status == PUB and c.lo != 0) or c.status == UNC:
            # Prefer parts (the "smallest other child"), then the smallest value; an
            # identity marked prefer_total takes its sum first.
            out.append(((cell == eq.total) != eq.prefer_total, abs(c.lo), cell))
    return out


def _best_candidate(system: _System, eqs: list[Equation]) -> Key | None:
    cands = [c for eq in eqs for c in _candidates(system, eq)]
    return min(cands)[2] if cands else None


def _partner(system: _System, target: Key, by_key: dict[Key, list[int]]) -> tuple[Key | None, int]:
    """Nearest publishable cell to the target along equations through hidden cells."""
    seen_eqs: set[int] = set()
    seen_keys = {target}
    frontier = sorted(by_key[target])
    while frontier:
        cands = [(*cand, i) for i in frontier for cand in _candidates(system, system.eqs[i])]
        if cands:
            best = min(cands)
            return best[2], best[3]
        seen_eqs.update(frontier)
        nxt: set[int] = set()
        for i in frontier:
            for cell in system.eqs[i].cells:
                if cell not in seen_keys and system.cells[cell].status in (SUP, UNK, UNC):
                    seen_keys.add(cell)
                    nxt.update(j for j in by_key[cell] if j not in seen_eqs)
        frontier = sorted(nxt)
    return None, -1


def _mark_secondary(system: _System, cell: Key, eq: Equation, because: Key) -> None:
    c = system.cells[cell]
    c.status, c.symbol = SUP, "*"
    regel = "sekundaer_hierarchie" if eq.art == "hierarchie" else "sekundaer_identitaet"
    system.log[cell] = (regel, key_text(because))


# --- output ---------------------------------------------------------------------------


def _cells_frame(systems: list[_System], tree: Hierarchy, periode_dtype) -> pl.DataFrame:
    rows = []
    for s in systems:
        for (merkmal, gebiet), c in s.cells.items():
            wert = int(c.lo) if c.status in (PUB, ZERO) else None
            symbol = {PUB: None, ZERO: "-", SUP: "*", UNC: "/"}.get(c.status, c.symbol)
            bounds = (int(c.lo), int(c.hi)) if c.status == UNC else (None, None)
            rows.append(
                (
                    s.tabelle,
                    merkmal,
                    s.periode,
                    gebiet,
                    tree.ebene[gebiet],
                    wert,
                    symbol,
                    *bounds,
                    c.status == UNC,
                )
            )
    schema = {
        "tabelle": pl.String,
        "merkmal": pl.String,
        "periode": periode_dtype,
        "gebiet_id": pl.String,
        "ebene": pl.String,
        "wert": pl.Int64,
        "symbol": pl.String,
        "untergrenze": pl.Int64,
        "obergrenze": pl.Int64,
        "unsicher": pl.Boolean,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.sort("tabelle", "merkmal", "periode", "gebiet_id")


def _log_frame(systems: list[_System], periode_dtype) -> pl.DataFrame:
    rows = [
        (s.tabelle, merkmal, s.periode, gebiet, regel, because)
        for s in systems
        for (merkmal, gebiet), (regel, because) in s.log.items()
    ]
    schema = {k: (periode_dtype if v is None else v) for k, v in LOG_SCHEMA.items()}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.sort("tabelle", "merkmal", "periode", "gebiet_id")
