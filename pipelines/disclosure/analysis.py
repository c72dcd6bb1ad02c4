"""What an outsider can infer about the withheld cells of one system.

An *attacker view* of one system (tabelle, periode) says, per cell, what the
published table reveals: an exact value (a number or `-`), or an interval
(`*`: [stern_untergrenze, inf); `/`: the published bounds; `.`/`x`: [0, inf)).
The `*` cells are the targets: a target the equations pin to one value is
disclosed. A target whose feasible values are exactly {1, 2} is not disclosed;
that is what `*` announces anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.disclosure.model import Equation, Key
from pipelines.disclosure.solver import INF, Bound, InconsistentSystemError, LinEq, analyse


@dataclass
class View:
    """Attacker knowledge of one system."""

    exact: dict[Key, int]
    bounds: dict[Key, tuple[Bound, Bound]]
    targets: set[Key]


@dataclass(frozen=True)
class Finding:
    key: Key
    wert: int
    methode: str
    herleitung: str


def _subtraction(view: View, eqs: list[Equation]) -> dict[Key, Finding]:
    """Equations with exactly one unknown cell, and that one a target."""
    found: dict[Key, Finding] = {}
    for eq in eqs:
        unknown = [c for c in eq.cells if c not in view.exact]
        if len(unknown) != 1 or unknown[0] not in view.targets or unknown[0] in found:
            continue
        target = unknown[0]
        parts = sum(view.exact[c] for c in eq.parts if c != target)
        value = parts if target == eq.total else view.exact[eq.total] - parts
        found[target] = Finding(target, value, "subtraktion", eq.label)
    return found


def components_with_equations(
    view: View, eqs: list[Equation]
) -> list[tuple[list[Key], list[Equation]]]:
    """Groups of unknown cells linked by equations, each with the equations touching it."""
    comps = components(view, eqs)
    where = {k: i for i, comp in enumerate(comps) for k in comp}
    touching: list[list[Equation]] = [[] for _ in comps]
    for eq in eqs:
        hit = next((where[c] for c in eq.cells if c in where), None)
        if hit is not None:
            touching[hit].append(eq)
    return list(zip(comps, touching, strict=True))


def components(view: View, eqs: list[Equation]) -> list[list[Key]]:
    """Groups of unknown cells linked by equations (sorted, deterministic)."""
    unknown = sorted(view.bounds)
    root = {k: k for k in unknown}

    def find(k: Key) -> Key:
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    for eq in eqs:
        cells = [c for c in eq.cells if c in root]
        for other in cells[1:]:
            a, b = find(cells[0]), find(other)
            if a != b:
                root[max(a, b)] = min(a, b)
    groups: dict[Key, list[Key]] = {}
    for k in unknown:
        groups.setdefault(find(k), []).append(k)
    return [groups[r] for r in sorted(groups)]


def linear_equations(view: View, eqs: list[Equation], comp: list[Key]) -> list[LinEq]:
    """The equations touching a component, published cells moved to the right side."""
    index = {k: i for i, k in enumerate(comp)}
    out = []
    for eq in eqs:
        coefs: dict[int, int] = {}
        rhs = 0
        for cell, sign in ((eq.total, 1), *((p, -1) for p in eq.parts)):
            if cell in view.exact:
                rhs -= sign * view.exact[cell]
            elif cell in index:
                coefs[index[cell]] = coefs.get(index[cell], 0) + sign
        coefs = {v: c for v, c in coefs.items() if c}
        if coefs:
            out.append(LinEq(tuple(sorted(coefs.items())), rhs))
    return out


def check_known_equations(view: View, eqs: list[Equation]) -> None:
    """Equations without an unknown cell must hold, or the view is inconsistent."""
    for eq in eqs:
        known = all(c in view.exact for c in eq.cells)
        if known and view.exact[eq.total] != sum(view.exact[p] for p in eq.parts):
            raise InconsistentSystemError(f"Summe stimmt nicht: {eq.label}")


def infer(
    view: View, eqs: list[Equation], *, max_nodes: int = 5_000, cache: dict | None = None
) -> tuple[list[Finding], set[Key]]:
    """Disclosed targets (with how) and targets the search could not decide.

    ``cache``: reuse component results across calls (the suppression loop
    changes few components per round); keyed by everything the result depends on.
    """
    check_known_equations(view, eqs)
    found = _subtraction(view, eqs)
    undecided: set[Key] = set()
    for comp, comp_eqs in components_with_equations(view, eqs):
        targets = {i for i, k in enumerate(comp) if k in view.targets}
        if not targets:
            continue
        lo = [view.bounds[k][0] for k in comp]
        hi = [view.bounds[k][1] for k in comp]
        lin = linear_equations(view, comp_eqs, comp)
        memo = (tuple(comp), tuple(lin), tuple(lo), tuple(hi), frozenset(targets), max_nodes)
        if cache is not None and memo in cache:
            result = cache[memo]
        else:
            result = analyse(lin, lo, hi, targets, max_nodes=max_nodes)
            if cache is not None:
                cache[memo] = result
        for i in sorted(targets):
            key = comp[i]
            if i in result.fixed_by:
                if key not in found:
                    how = result.fixed_by[i]
                    found[key] = Finding(key, int(result.lo[i]), how, _how_text(how))
            elif not result.complete and i not in result.multi:
                undecided.add(key)
    return [found[k] for k in sorted(found)], undecided


def _how_text(methode: str) -> str:
    return {
        "gleichungssystem": "aus mehreren Summengleichungen zusammen eindeutig lösbar",
        "schranken": "Wertebereich über die Summengleichungen auf einen Wert eingeengt",
        "aufzaehlung": "alle ganzzahligen Lösungen haben hier denselben Wert",
    }[methode]


def open_bounds(low: int) -> tuple[Bound, Bound]:
    return (low, INF)
