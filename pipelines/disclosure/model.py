"""Input model: area hierarchy, sum identities and the equations they imply."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

# A cell inside one system (tabelle, periode): (merkmal, gebiet_id).
Key = tuple[str, str]

HIERARCHY_COLUMNS = ("gebiet_id", "parent_id", "ebene", "ebene_rang")


@dataclass(frozen=True)
class Identity:
    """A declared sum identity of one table: ``summe = teile[0] + teile[1] + ...``.

    It holds in every area and period where all its cells exist. ``prefer_total``: when
    one more cell of it must be withheld, take the sum before a part (for nested age
    ranges: the wider range is a part of fewer other identities, so withholding it
    cascades less, and the narrower ones are the denominators of the headline rates).
    """

    tabelle: str
    summe: str
    teile: tuple[str, ...]
    prefer_total: bool = False

    def __post_init__(self) -> None:
        if not self.teile:
            raise ValueError(f"Identität ohne Summanden: {self.tabelle}.{self.summe}")
        if self.summe in self.teile or len(set(self.teile)) != len(self.teile):
            raise ValueError(f"Identität mit doppeltem Merkmal: {self}")

    @classmethod
    def parse(cls, tabelle: str, text: str) -> Identity:
        """``Identity.parse("sgb2", "rlb = elb + nef")``."""
        match = re.fullmatch(r"\s*(\w+)\s*=\s*(\w+(?:\s*\+\s*\w+)*)\s*", text)
        if not match:
            raise ValueError(f"Identität nicht lesbar: {text!r} (Form: summe = a + b)")
        parts = tuple(p.strip() for p in match.group(2).split("+"))
        return cls(tabelle, match.group(1), parts)


@dataclass(frozen=True)
class Hierarchy:
    """A validated area tree (a forest: several roots are allowed)."""

    parent: dict[str, str | None]
    children: dict[str, tuple[str, ...]]
    ebene: dict[str, str]
    rang: dict[str, int]

    @property
    def areas(self) -> list[str]:
        return sorted(self.parent)

    @property
    def leaves(self) -> list[str]:
        return sorted(g for g in self.parent if not self.children.get(g))

    def depth(self, gebiet_id: str) -> int:
        steps, g = 0, self.parent[gebiet_id]
        while g is not None:
            steps, g = steps + 1, self.parent[g]
        return steps

    def descendants(self, gebiet_id: str) -> list[str]:
        out, stack = [], list(self.children.get(gebiet_id, ()))
        while stack:
            g = stack.pop()
            out.append(g)
            stack.extend(self.children.get(g, ()))
        return sorted(out)


def load_hierarchy(frame: pl.DataFrame) -> Hierarchy:
    """Validate the hierarchy frame (gebiet_id, parent_id, ebene, ebene_rang)."""
    missing = [c for c in HIERARCHY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"Gebietshierarchie: Spalte fehlt: {', '.join(missing)}")
    rows = frame.select(HIERARCHY_COLUMNS).rows()
    parent: dict[str, str | None] = {}
    ebene: dict[str, str] = {}
    rang: dict[str, int] = {}
    for gid, pid, eb, rk in rows:
        if gid is None:
            raise ValueError("Gebietshierarchie: gebiet_id leer")
        gid = str(gid)
        if gid in parent:
            raise ValueError(f"Gebietshierarchie: gebiet_id doppelt: {gid}")
        parent[gid] = None if pid is None or str(pid) == "" else str(pid)
        ebene[gid] = "" if eb is None else str(eb)
        rang[gid] = 0 if rk is None else int(rk)
    children: dict[str, list[str]] = {}
    for gid, pid in parent.items():
        if pid is None:
            continue
        if pid not in parent:
            raise ValueError(f"Gebietshierarchie: Elterngebiet {pid} von {gid} fehlt")
        children.setdefault(pid, []).append(gid)
    for start in parent:
        seen, g = set(), start
        while g is not None:
            if g in seen:
                raise ValueError(f"Gebietshierarchie: Zyklus bei {start}")
            seen.add(g)
            g = parent[g]
    return Hierarchy(parent, {p: tuple(sorted(c)) for p, c in children.items()}, ebene, rang)


@dataclass(frozen=True)
class Equation:
    """``total == sum(parts)`` within one system; art is hierarchie or identitaet."""

    total: Key
    parts: tuple[Key, ...]
    art: str
    label: str
    prefer_total: bool = False

    @property
    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def build_equations(
    keys: Iterable[Key], hierarchy: Hierarchy, identities: Iterable[Identity]
) -> list[Equation]:
    """All equations of one system whose cells all exist, in a fixed order."""
    present = set(keys)
    merkmale = sorted({m for m, _ in present})
    eqs: list[Equation] = []
    for merkmal in merkmale:
        for parent in sorted(hierarchy.children):
            kids = hierarchy.children[parent]
            cells = [(merkmal, parent), *((merkmal, k) for k in kids)]
            if all(c in present for c in cells):
                label = f"{merkmal}: {parent} = {' + '.join(kids)}"
                eqs.append(Equation(cells[0], tuple(cells[1:]), "hierarchie", label))
    areas = sorted({g for _, g in present})
    for ident in sorted(identities, key=lambda i: (i.summe, i.teile)):
        for gebiet in areas:
            cells = [(ident.summe, gebiet), *((t, gebiet) for t in ident.teile)]
            if all(c in present for c in cells):
                label = f"{gebiet}: {ident.summe} = {' + '.join(ident.teile)}"
                eqs.append(
                    Equation(cells[0], tuple(cells[1:]), "identitaet", label, ident.prefer_total)
                )
    return eqs


def key_text(key: Key) -> str:
    """How a cell is named in the log and in attack results: ``merkmal:gebiet_id``."""
    return f"{key[0]}:{key[1]}"
