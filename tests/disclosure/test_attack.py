"""The attacker on hand-made published tables, and its solver against brute force."""

from __future__ import annotations

import itertools
import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.disclosure import DisclosureConfig, Identity, apply_disclosure, attack
from pipelines.disclosure.solver import INF, LinEq, analyse
from tests.disclosure._helpers import PERIODE, cells, hierarchy

SCHEMA = {
    "tabelle": pl.String,
    "merkmal": pl.String,
    "periode": pl.String,
    "gebiet_id": pl.String,
    "wert": pl.Int64,
    "symbol": pl.String,
    "untergrenze": pl.Int64,
    "obergrenze": pl.Int64,
}


def published(values: dict[tuple[str, str], int | str | tuple[int, int]]) -> pl.DataFrame:
    """A published frame by hand: int, '*', '-', '.', or (lo, hi) for '/'."""
    rows = []
    for (merkmal, gebiet), v in values.items():
        base = ("t", merkmal, PERIODE, gebiet)
        if isinstance(v, tuple):
            rows.append((*base, None, "/", *v))
        elif isinstance(v, str):
            rows.append((*base, 0 if v == "-" else None, v, None, None))
        else:
            rows.append((*base, v, None, None, None))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


TREE = hierarchy({"R": None, "a": "R", "b": "R", "c": "R"})


def _found(frame: pl.DataFrame) -> list[tuple]:
    return frame.select("merkmal", "gebiet_id", "wert", "methode").rows()


def test_subtraction_along_hierarchy_and_identity():
    tree = hierarchy({"R": None, "a": "R", "b": "R"})
    ident = [Identity.parse("t", "s = p + q")]
    frame = published(
        {
            ("p", "R"): 9,
            ("p", "a"): "*",
            ("p", "b"): 7,
            ("q", "R"): 8,
            ("q", "a"): 4,
            ("q", "b"): 4,
            ("s", "R"): 17,
            ("s", "a"): 6,
            ("s", "b"): 11,
        }
    )
    found = attack(frame, tree, ident)
    assert _found(found) == [("p", "a", 2, "subtraktion")]
    assert found["herleitung"][0] in {"p: R = a + b", "a: s = p + q"}


def test_interval_one_to_two_is_not_a_disclosure():
    frame = published({("m", "R"): 13, ("m", "a"): "*", ("m", "b"): "*", ("m", "c"): 10})
    assert attack(frame, TREE).is_empty()  # a + b = 3: a is 1 or 2, as `*` says anyway


def test_bounds_pin_two_hidden_cells():
    frame = published({("m", "R"): 12, ("m", "a"): "*", ("m", "b"): "*", ("m", "c"): 10})
    assert _found(attack(frame, TREE)) == [("m", "a", 1, "schranken"), ("m", "b", 1, "schranken")]


def test_uncertain_bounds_are_used():
    tree = hierarchy({"R": None, "a": "R", "b": "R"})
    safe = published({("m", "R"): (59, 60), ("m", "a"): "*", ("m", "b"): 58})
    assert attack(safe, tree).is_empty()
    narrow = published({("m", "R"): (60, 61), ("m", "a"): "*", ("m", "b"): 50})
    # a lies in 10..11: not pinned, yet far from 1..2; only pinning counts
    assert attack(narrow, tree).is_empty()
    tight = published({("m", "R"): (60, 60), ("m", "a"): "*", ("m", "b"): 58})
    assert _found(attack(tight, tree)) == [("m", "a", 2, "schranken")]


def test_chained_equations_across_levels_and_identity():
    tree = hierarchy({"R": None, "A": "R", "B": "R", "a1": "A", "a2": "A", "b1": "B", "b2": "B"})
    values = {("p", g): v for g, v in zip(("a1", "a2", "b1", "b2"), (5, 2, 4, 6), strict=True)}
    values |= {("q", g): v for g, v in zip(("a1", "a2", "b1", "b2"), (3, 3, 8, 1), strict=True)}
    full = apply_disclosure(cells(values), tree, cfg=DisclosureConfig(min_fallzahl=1)).cells
    # hide p:a2 (=2), q:a2, and the sums that single-step subtraction would need
    hidden = {("p", "a2"), ("p", "A"), ("q", "a2"), ("q", "A")}
    mask = pl.struct("merkmal", "gebiet_id").map_elements(
        lambda r: (r["merkmal"], r["gebiet_id"]) in hidden, return_dtype=pl.Boolean
    )
    frame = full.with_columns(
        pl.when(mask).then(None).otherwise(pl.col("wert")).alias("wert"),
        pl.when(mask).then(pl.lit("*")).otherwise(pl.col("symbol")).alias("symbol"),
    )
    # every equation through p:a2 has two hidden cells, yet R - B = A and A - a1 = a2
    found = {(m, g): (w, how) for m, g, w, how in _found(attack(frame, tree))}
    assert found[("p", "a2")] == (2, "gleichungssystem")
    assert found[("p", "A")] == (7, "subtraktion")


def test_attacker_is_sound_on_random_hidings():
    """Whatever it reports equals the true value; all of its methods get used."""
    tree = hierarchy(
        {"R": None, "A": "R", "B": "R", "a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"}
    )
    ident = [Identity.parse("t", "s = p + q")]
    rnd = random.Random(3)
    methods = set()
    for _ in range(60):
        values = {}
        for g in ("a1", "a2", "b1", "b2", "b3"):
            p, q = rnd.randint(1, 6), rnd.randint(1, 6)
            values |= {("p", g): p, ("q", g): q, ("s", g): p + q}
        full = apply_disclosure(cells(values), tree, ident, DisclosureConfig(min_fallzahl=1)).cells
        truth = {(m, g): w for m, g, w in full.select("merkmal", "gebiet_id", "wert").rows()}
        hidden = set(rnd.sample(sorted(truth), rnd.randint(2, 10)))
        frame = published({k: ("*" if k in hidden else v) for k, v in truth.items()})
        for m, g, w, how in _found(attack(frame, tree, ident)):
            assert (m, g) in hidden and truth[(m, g)] == w
            methods.add(how)
    assert {"subtraktion", "gleichungssystem"} <= methods  # schranken: hand-made tests


def test_solver_needs_enumeration_where_intervals_are_too_weak():
    # x0 + x1 - x2 - x3 = -2, x1 + x2 + x3 = 5, all >= 1: x0 + 2*x1 = 3 forces x0 = x1 = 1,
    # which interval propagation on the rows alone does not see
    eqs = [LinEq(((0, 1), (1, 1), (2, -1), (3, -1)), -2), LinEq(((1, 1), (2, 1), (3, 1)), 5)]
    result = analyse(eqs, [1] * 4, [INF] * 4, {0, 1, 2, 3})
    assert result.fixed_by == {0: "aufzaehlung", 1: "aufzaehlung"}
    assert (result.lo[0], result.lo[1]) == (1, 1)
    assert {2, 3} <= result.multi


@st.composite
def small_system(draw):
    n = draw(st.integers(1, 4))
    truth = [draw(st.integers(0, 3)) for _ in range(n)]
    lo = [draw(st.integers(0, t)) for t in truth]
    hi = [draw(st.sampled_from([t, t + 1, t + 2, INF])) for t in truth]
    eqs = []
    for _ in range(draw(st.integers(0, 3))):
        coefs = {
            v: draw(st.sampled_from([-1, 1, 2]))
            for v in draw(st.sets(st.integers(0, n - 1), min_size=1))
        }
        rhs = sum(c * truth[v] for v, c in coefs.items())
        eqs.append(LinEq(tuple(sorted(coefs.items())), rhs))
    return eqs, lo, hi


def _brute_force(eqs, lo, hi, cap=9):
    domains = [range(int(lo[v]), int(min(hi[v], cap)) + 1) for v in range(len(lo))]
    sols = [
        x
        for x in itertools.product(*domains)
        if all(sum(c * x[v] for v, c in e.coefs) == e.rhs for e in eqs)
    ]
    return [{s[v] for s in sols} for v in range(len(lo))]


@settings(max_examples=300, deadline=None)
@given(small_system())
def test_solver_matches_brute_force(system):
    eqs, lo, hi = system
    n = len(lo)
    result = analyse(eqs, lo, hi, set(range(n)))
    assert result.complete
    values = _brute_force(eqs, lo, hi)
    for v in range(n):
        if v in result.fixed_by:
            assert values[v] == {result.lo[v]}
        else:
            assert v in result.multi and len(values[v]) >= 2
        # never claims fewer values than exist: every reported value is real
        assert result.lo[v] <= min(values[v])
        if hi[v] != INF:
            assert result.hi[v] >= max(values[v])
