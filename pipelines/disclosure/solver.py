"""Exact integer reasoning over small linear systems (no LP solver needed).

The disclosure attacker and the secondary suppression share this module. A
*component* is a set of unknown integer cells linked by linear equations
``sum(coef * x) == rhs`` (coefficients and right-hand sides are integers; the
sums come from the area hierarchy and the declared identities, with every
published cell already moved to the right-hand side). Each unknown has bounds
``lo <= x <= hi`` (``hi`` may be ``math.inf``).

Three exact steps, cheapest first:

1. Gauss-Jordan elimination over fractions: a cell whose reduced row has no
   free variable is fixed by the equations alone.
2. Bound propagation over the original and the reduced rows to a fixed point
   (sound: it never cuts off an integer solution).
3. Search (branching with propagation at every node): one solution, then per
   open target a solution below and one above its value. A target whose two
   searches are proven empty is fixed; a search that runs out of its node
   budget leaves the target undecided (``complete=False``); "takes two
   values" verdicts are always certain (they come from solutions found).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

INF = math.inf

Bound = int | float  # float only for math.inf


class InconsistentSystemError(ValueError):
    """The equations have no integer solution within the bounds."""


@dataclass(frozen=True)
class LinEq:
    """``sum(coef * x[var] for var, coef in coefs) == rhs`` with integer data."""

    coefs: tuple[tuple[int, int], ...]
    rhs: int


@dataclass
class ReducedRow:
    """A reduced row ``scale * x[pivot] + sum(c * x[f]) == rhs`` (all integers)."""

    pivot: int
    scale: int
    terms: tuple[tuple[int, int], ...]
    rhs: int


@dataclass
class Analysis:
    """Outcome for one component.

    ``lo``/``hi``: bounds found per variable (sound, not always tightest).
    ``fixed_by``: variables proven to take exactly one value, with the step
    that proved it (``gleichungssystem``, ``schranken``, ``aufzaehlung``).
    ``multi``: targets seen with two different values. ``complete``: every
    target is in ``fixed_by`` or ``multi``.
    """

    lo: list[Bound]
    hi: list[Bound]
    fixed_by: dict[int, str] = field(default_factory=dict)
    multi: set[int] = field(default_factory=set)
    complete: bool = True


Rows = list[tuple[tuple[tuple[int, int], ...], int]]


def touching_rows(eqs: Rows, n: int) -> list[list[int]]:
    """For each variable, the rows it appears in."""
    out: list[list[int]] = [[] for _ in range(n)]
    for r, (coefs, _) in enumerate(eqs):
        for var, _c in coefs:
            out[var].append(r)
    return out


def propagate(
    eqs: Rows,
    lo: list[Bound],
    hi: list[Bound],
    max_rounds: int = 200,
    *,
    touching: list[list[int]] | None = None,
    start: Iterable[int] | None = None,
) -> None:
    """Tighten ``lo``/``hi`` in place from ``sum(c*x) == rhs`` rows (integer data).

    Work-list driven: only rows whose variables changed are looked at again
    (``start``: the rows to begin with; all by default). Stops after about
    ``max_rounds`` passes' worth of work, which stays sound (bounds are only
    ever tightened by valid deductions). Raises InconsistentSystemError when a
    domain becomes empty.
    """
    if touching is None:
        touching = touching_rows(eqs, len(lo))
    queue = deque(range(len(eqs)) if start is None else sorted(set(start)))
    queued = [False] * len(eqs)
    for r in queue:
        queued[r] = True
    work = max_rounds * max(len(eqs), 1)
    while queue:
        work -= 1
        if work < 0:
            return
        r = queue.popleft()
        queued[r] = False
        for var in _tighten(eqs[r], lo, hi):
            for other in touching[var]:
                if not queued[other]:
                    queued[other] = True
                    queue.append(other)


def _tighten(row, lo: list[Bound], hi: list[Bound]) -> list[int]:
    """Bounds of each variable of one row from the others; returns the changed ones."""
    coefs, rhs = row
    # Term ranges; infinities are counted apart so that removing one term from
    # the sum never computes inf - inf.
    tmins, tmaxs = [], []
    fin_min = fin_max = 0
    ninf_min = ninf_max = 0
    for var, c in coefs:
        a, b = c * lo[var], c * hi[var]
        tmin, tmax = (a, b) if c > 0 else (b, a)
        tmins.append(tmin)
        tmaxs.append(tmax)
        if tmin == -INF:
            ninf_min += 1
        else:
            fin_min += tmin
        if tmax == INF:
            ninf_max += 1
        else:
            fin_max += tmax
    changed = []
    for k, (var, c) in enumerate(coefs):
        # rest = sum of the other terms
        if tmins[k] == -INF:
            rest_min = -INF if ninf_min > 1 else fin_min
        else:
            rest_min = -INF if ninf_min else fin_min - tmins[k]
        if tmaxs[k] == INF:
            rest_max = INF if ninf_max > 1 else fin_max
        else:
            rest_max = INF if ninf_max else fin_max - tmaxs[k]
        # c * x = rhs - rest; integer division: ceil(a/c) == -(-a // c), floor == a // c
        low_cx = rhs - rest_max
        high_cx = rhs - rest_min
        if c > 0:
            new_lo = -(-low_cx // c) if low_cx != -INF else -INF
            new_hi = high_cx // c if high_cx != INF else INF
        else:
            new_lo = -(-high_cx // c) if high_cx != INF else -INF
            new_hi = low_cx // c if low_cx != -INF else INF
        moved = False
        if new_lo > lo[var]:
            lo[var] = new_lo
            moved = True
        if new_hi < hi[var]:
            hi[var] = new_hi
            moved = True
        if lo[var] > hi[var]:
            raise InconsistentSystemError(f"leerer Wertebereich für Variable {var}")
        if moved:
            changed.append(var)
    return changed


def reduce_system(eqs: list[LinEq], n: int) -> tuple[list[ReducedRow], list[int]]:
    """Gauss-Jordan over fractions; returns integer-scaled reduced rows and free vars.

    Raises InconsistentSystemError for a row ``0 == rhs`` with ``rhs != 0``.
    """
    rows: list[tuple[dict[int, Fraction], Fraction]] = []
    for eq in eqs:
        row = {v: Fraction(c) for v, c in eq.coefs if c}
        rows.append((row, Fraction(eq.rhs)))
    pivots: list[tuple[int, dict[int, Fraction], Fraction]] = []
    remaining = rows
    for col in range(n):
        pick = next((i for i, (r, _) in enumerate(remaining) if r.get(col)), None)
        if pick is None:
            continue
        prow, prhs = remaining.pop(pick)
        factor = prow[col]
        prow = {v: c / factor for v, c in prow.items()}
        prhs = prhs / factor
        remaining = [_eliminate(r, b, col, prow, prhs) for r, b in remaining]
        pivots = [(p, *_eliminate(r, b, col, prow, prhs)) for p, r, b in pivots]
        pivots.append((col, prow, prhs))
    for r, b in remaining:
        if not r and b != 0:
            raise InconsistentSystemError("Gleichungen widersprechen sich")
    pivot_vars = {p for p, _, _ in pivots}
    free = [v for v in range(n) if v not in pivot_vars]
    reduced = []
    for p, r, b in sorted(pivots, key=lambda t: t[0]):
        denom = math.lcm(b.denominator, *(c.denominator for c in r.values()))
        terms = tuple(sorted((v, int(c * denom)) for v, c in r.items() if v != p))
        reduced.append(ReducedRow(p, denom, terms, int(b * denom)))
    return reduced, free


def _eliminate(row, rhs, col, prow, prhs):
    c = row.get(col)
    if not c:
        return row, rhs
    new = dict(row)
    for v, pc in prow.items():
        val = new.get(v, 0) - c * pc
        if val:
            new[v] = val
        else:
            new.pop(v, None)
    return new, rhs - c * prhs


def analyse(
    eqs: list[LinEq],
    lo: list[Bound],
    hi: list[Bound],
    targets: set[int],
    *,
    max_nodes: int = 5_000,
) -> Analysis:
    """Decide for each target whether the system pins it to one value.

    After elimination and propagation, one solution is searched; then, per
    target still open, a solution with a smaller and one with a larger value.
    Every solution found marks all targets that differ from the first as
    taking two values. A target for which both searches are proven empty is
    fixed (``aufzaehlung``); a search that exceeds ``max_nodes`` leaves its
    target undecided (``complete`` becomes false).
    Raises InconsistentSystemError when there is no solution.
    """
    n = len(lo)
    lo, hi = list(lo), list(hi)
    result = Analysis(lo, hi)
    reduced, _free = reduce_system(eqs, n)
    for row in reduced:
        if not row.terms:
            if row.rhs % row.scale:
                raise InconsistentSystemError("keine ganzzahlige Lösung")
            value = row.rhs // row.scale
            if not lo[row.pivot] <= value <= hi[row.pivot]:
                raise InconsistentSystemError("Lösung verletzt Schranken")
            lo[row.pivot] = hi[row.pivot] = value
            result.fixed_by[row.pivot] = "gleichungssystem"
    rows = [(e.coefs, e.rhs) for e in eqs]
    rows += [(((r.pivot, r.scale), *r.terms), r.rhs) for r in reduced if r.terms]
    propagate(rows, lo, hi)
    for v in range(n):
        if lo[v] == hi[v] and v not in result.fixed_by:
            result.fixed_by[v] = "schranken"
    open_targets = sorted(t for t in targets if lo[t] != hi[t])
    if not open_targets:
        return result
    if any(lo[v] == -INF for v in range(n)):
        # Balances (unbounded both ways) cannot be enumerated. Where every cell is such a
        # balance the equations are sums along the hierarchy, a network matrix: its null
        # space has integer vectors, so a cell elimination leaves free takes other integer
        # values too. Anything mixed is left undecided (the suppression hides more).
        if all(lo[v] == -INF and hi[v] == INF for v in range(n)):
            result.multi |= set(open_targets)
        else:
            result.complete = False
        return result
    touching = touching_rows(rows, n)
    base = _solve(rows, touching, lo, hi, max_nodes)
    if base is None:
        raise InconsistentSystemError("keine ganzzahlige Lösung")
    if base is _BUDGET:
        result.complete = False
        return result
    # A solution built from the other end of every domain usually differs from
    # the first one in most cells: one search settles many targets at once.
    mirror = _solve(rows, touching, lo, hi, max_nodes, descending=True)
    if isinstance(mirror, list):
        result.multi |= {u for u in open_targets if mirror[u] != base[u]}
    for t in open_targets:
        if t in result.multi:
            continue
        proven = True
        for below in (True, False):
            lo2, hi2 = list(lo), list(hi)
            if below:
                hi2[t] = base[t] - 1
            else:
                lo2[t] = base[t] + 1
            if lo2[t] > hi2[t]:
                continue
            sol = _solve(rows, touching, lo2, hi2, max_nodes, changed=t)
            if sol is _BUDGET:
                proven = False
            elif sol is not None:
                result.multi |= {u for u in open_targets if sol[u] != base[u]}
                break
        if t in result.multi:
            continue
        if proven:
            lo[t] = hi[t] = base[t]
            result.fixed_by[t] = "aufzaehlung"
        else:
            result.complete = False
    return result


_BUDGET = object()  # search stopped: node budget used up


def _solve(rows, touching, lo, hi, max_nodes: int, *, descending=False, changed=None):
    """One integer solution within the bounds, None if provably none, or _BUDGET.

    ``lo``/``hi`` must be at a propagation fixed point except for variable
    ``changed``. ``descending``: try the largest value of bounded domains first.
    """
    budget = [max_nodes]
    start = None if changed is None else touching[changed]
    return _search(rows, touching, list(lo), list(hi), budget, start, descending)


def _search(rows, touching, lo, hi, budget, start, descending):
    budget[0] -= 1
    if budget[0] < 0:
        return _BUDGET
    try:
        propagate(rows, lo, hi, touching=touching, start=start)
    except InconsistentSystemError:
        return None
    open_vars = [v for v in range(len(lo)) if lo[v] != hi[v]]
    if not open_vars:
        # the work cap of propagate may have left rows unchecked: verify them
        if all(sum(c * lo[v] for v, c in coefs) == rhs for coefs, rhs in rows):
            return [int(x) for x in lo]
        return None
    # Smallest domain first, unbounded ones last. Branch: v == k, else the rest.
    var = min(open_vars, key=lambda v: (hi[v] - lo[v], v))
    down = descending and hi[var] != INF
    low, high = list(lo), list(hi)
    while True:
        pick_lo, pick_hi = list(low), list(high)
        if down:
            pick_lo[var] = high[var]
        else:
            pick_hi[var] = low[var]
        found = _search(rows, touching, pick_lo, pick_hi, budget, touching[var], descending)
        if found is not None:
            return found
        if down:
            high[var] -= 1
        else:
            low[var] += 1
        if low[var] > high[var]:
            return None
        budget[0] -= 1
        if budget[0] < 0:
            return _BUDGET
        try:
            propagate(rows, low, high, touching=touching, start=touching[var])
        except InconsistentSystemError:
            return None
