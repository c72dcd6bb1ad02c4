"""Recast periods: counts of an older area layout shown on today's areas.

A period delivered on an older layout is recast onto today's finest areas with the
crosswalk shares (an old area split in two gives each part its share of the old count).
The true counts are the old ones, so disclosure control solves the period on the old
layout; a recast cell of today's layout is then a fixed linear combination of old cells.
It is published exactly when that combination is built from old cells that are
published themselves, so a reader learns nothing beyond those old cells:

- ``weights``: per today's area, the weight of every old finest area in its value
  (sum of the crosswalk shares over today's finest areas below it);
- ``dependencies``: the old cells a today's area is made of: old finest areas with a
  fractional weight each, the whole-weight rest covered by the coarsest old areas that
  fit into it (a today's Stadtteil equal to an old one depends on that one cell only);
- ``in_span``: the check of the attacker: a published recast value is a combination of
  published old cells (exact linear algebra over fractions, independent of the cover).
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from pipelines.disclosure.model import Hierarchy

# crosswalk shares are decimal fractions of a few digits; sums of them are compared with this
EPS = 1e-9


def weights(
    today: Hierarchy, crosswalk: list[tuple[str, str, float]]
) -> dict[str, dict[str, float]]:
    """{today's area: {old finest area: weight}} from (old leaf, today's leaf, share)."""
    leaf_w: dict[str, dict[str, float]] = defaultdict(dict)
    for old, new, share in crosswalk:
        if share > 0:
            leaf_w[new][old] = leaf_w[new].get(old, 0.0) + share
    out: dict[str, dict[str, float]] = {}
    for area in today.areas:
        below = today.descendants(area) if today.children.get(area) else [area]
        total: dict[str, float] = defaultdict(float)
        for leaf in below:
            if today.children.get(leaf):
                continue
            for old, w in leaf_w.get(leaf, {}).items():
                total[old] += w
        out[area] = {o: w for o, w in total.items() if w > EPS}
    return out


def dependencies(w: dict[str, float], old: Hierarchy) -> list[str]:
    """Old cells (area keys of the old layout) whose values make up weight vector ``w``."""
    fractional = sorted(o for o, x in w.items() if abs(x - 1) > EPS)
    whole = {o for o, x in w.items() if abs(x - 1) <= EPS}
    chosen: list[str] = []
    for area in sorted(old.areas, key=lambda g: (old.depth(g), g)):
        if not whole:
            break
        leaves = set(_leaves(old, area))
        if leaves <= whole:
            chosen.append(area)
            whole -= leaves
    return sorted(chosen) + fractional


def _leaves(tree: Hierarchy, area: str) -> list[str]:
    if not tree.children.get(area):
        return [area]
    return [g for g in tree.descendants(area) if not tree.children.get(g)]


class Span:
    """The linear span of the leaf indicators of some old areas (reduced once, tested often)."""

    def __init__(self, public: list[str], old: Hierarchy) -> None:
        self._old = old
        self._basis: dict[str, dict[str, Fraction]] = {}  # pivot leaf -> reduced row
        for area in public:
            row = self._reduce({leaf: Fraction(1) for leaf in _leaves(old, area)})
            if row:
                pivot = min(row)
                scale = row[pivot]
                row = {k: v / scale for k, v in row.items()}
                for other in self._basis.values():
                    if pivot in other:
                        f = other[pivot]
                        for k, v in row.items():
                            other[k] = other.get(k, 0) - f * v
                            if other[k] == 0:
                                del other[k]
                self._basis[pivot] = row

    def _reduce(self, row: dict[str, Fraction]) -> dict[str, Fraction]:
        row = dict(row)
        for pivot, basis_row in self._basis.items():
            f = row.get(pivot)
            if f:
                for k, v in basis_row.items():
                    row[k] = row.get(k, 0) - f * v
                    if row[k] == 0:
                        del row[k]
        return row

    def contains(self, w: dict[str, float]) -> bool:
        """Is weight vector ``w`` (over old finest areas) in the span?"""
        target = {k: Fraction(x).limit_denominator(10**9) for k, x in w.items() if x}
        return not self._reduce(target)
