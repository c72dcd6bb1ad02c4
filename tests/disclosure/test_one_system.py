"""Balances, recast layouts and the naive baseline, on hand-made systems."""

from __future__ import annotations

import dataclasses

import polars as pl

from pipelines.disclosure import DisclosureConfig, apply_disclosure, attack
from pipelines.disclosure.model import Equation, build_equations, load_hierarchy
from pipelines.disclosure.recast import Span, dependencies, weights
from tests.disclosure._helpers import cell, cells, hierarchy, regel

FLAT = hierarchy({"R": None, "a": "R", "b": "R", "c": "R"})
SIGNED = DisclosureConfig(vorzeichen=("saldo",))


def test_small_balance_is_a_cell_with_secondary_suppression():
    data = cells({("saldo", "a"): -2, ("saldo", "b"): 7, ("saldo", "c"): -9})
    res = apply_disclosure(data, FLAT, cfg=SIGNED)
    assert cell(res.cells, "saldo", "a")["symbol"] == "*"
    assert regel(res.log, "saldo", "a") == "primaer"
    # a second cell of R = a + b + c is withheld: R - b - c no longer gives a
    assert regel(res.log, "saldo", "b") == "sekundaer_hierarchie"
    assert cell(res.cells, "saldo", "R")["wert"] == -4
    assert attack(res.cells, FLAT, cfg=SIGNED).is_empty()
    # without it the attacker subtracts the balance of -2 (a negative value, too)
    naive = apply_disclosure(
        data, FLAT, cfg=DisclosureConfig(vorzeichen=("saldo",), sekundaer=False)
    )
    found = attack(naive.cells, FLAT, cfg=SIGNED)
    assert found.select("gebiet_id", "wert").rows() == [("a", -2)]


def test_a_withheld_balance_can_be_anything_but_a_count_is_at_least_one():
    # R = a + b with a, b withheld: for counts 1 + 1 = 2 pins both; balances are not pinned
    counts = cells({("n", "a"): 1, ("n", "b"): 1})
    tree = hierarchy({"R": None, "a": "R", "b": "R"})
    res = apply_disclosure(counts, tree)
    assert cell(res.cells, "n", "R")["symbol"] == "*"  # so the parent goes too
    # balances a = 4, b = -1: R = 3 is published, a + b = 3 has many integer solutions
    balances = cells({("saldo", "a"): 4, ("saldo", "b"): -1})
    res = apply_disclosure(balances, tree, cfg=SIGNED)
    assert cell(res.cells, "saldo", "R")["wert"] == 3
    assert cell(res.cells, "saldo", "a")["symbol"] == "*"
    assert attack(res.cells, tree, cfg=SIGNED).is_empty()


OLD = hierarchy({"R": None, "A": "R", "a1": "A", "a2": "A", "B": "R", "b1": "B", "b2": "B"})
NEW = hierarchy(
    {"R": None, "A": "R", "a1": "A", "x": "A", "y": "A", "B": "R", "b1": "B", "b2": "B"}
)
CROSSWALK = [
    ("a1", "a1", 1.0),
    ("a2", "x", 0.5552),
    ("a2", "y", 0.4448),
    ("b1", "b1", 1.0),
    ("b2", "b2", 1.0),
]


def test_recast_cells_depend_on_the_old_cells_they_are_made_of():
    old, new = load_hierarchy(OLD), load_hierarchy(NEW)
    w = weights(new, CROSSWALK)
    assert w["x"] == {"a2": 0.5552}
    assert dependencies(w["x"], old) == ["a2"]
    assert dependencies(w["A"], old) == ["A"]  # the same Stadtteil: one old cell
    assert dependencies(w["R"], old) == ["R"]


def test_recast_value_is_published_only_from_published_old_cells():
    """The finding: old a2 = 1 split 0.5552 / 0.4448; publishing 0.4448 gives a2 = 1."""
    old_tree, new = load_hierarchy(OLD), load_hierarchy(NEW)
    res = apply_disclosure(
        cells({("m", "a1"): 9, ("m", "a2"): 1, ("m", "b1"): 5, ("m", "b2"): 7}), OLD
    )
    published = res.cells.filter(pl.col("wert").is_not_null())["gebiet_id"].to_list()
    span = Span(published, old_tree)
    w = weights(new, CROSSWALK)
    # x and y (parts of the withheld a2) are not in the span of the published cells
    assert not span.contains(w["x"]) and not span.contains(w["y"])
    for area in new.areas:
        deps = dependencies(w[area], old_tree)
        publishable = all(d in published for d in deps)
        if publishable:
            assert span.contains(w[area]), area  # the rule never publishes beyond the span


def naive_baseline(data: pl.DataFrame, tree: pl.DataFrame, identities=(), cfg=None) -> set[tuple]:
    """Primary suppression plus, in every equation with a withheld cell, one more cell of
    that equation (the smallest sibling), level by level, until each such equation has
    two; the textbook rule the one system is compared with."""
    from pipelines.publish.systems import solve_system

    base = cfg or DisclosureConfig()
    res = solve_system(data, tree, list(identities), dataclasses.replace(base, sekundaer=False))
    values = {(m, g): w for m, g, w in res.cells.select("merkmal", "gebiet_id", "wert").rows()}
    hidden = {k for k, w in values.items() if w is None}
    eqs: list[Equation] = build_equations(list(values), load_hierarchy(tree), identities)
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            inside = [c for c in eq.cells if c in hidden]
            if len(inside) == 1:
                open_ = sorted(
                    (values[c], c) for c in eq.parts if c not in hidden and values[c]
                ) or sorted((values[c], c) for c in (eq.total,) if c not in hidden and values[c])
                if open_:
                    hidden.add(open_[0][1])
                    changed = True
    return hidden


def sibling_per_level(data: pl.DataFrame, tree: pl.DataFrame, identities=(), cfg=None) -> set:
    """Primary suppression plus, for every primary cell, the smallest publishable sibling
    on each level from the cell up to the top (the naive rule of thumb)."""
    from pipelines.publish.systems import solve_system

    base = cfg or DisclosureConfig()
    res = solve_system(data, tree, list(identities), dataclasses.replace(base, sekundaer=False))
    h = load_hierarchy(tree)
    values = {(m, g): w for m, g, w in res.cells.select("merkmal", "gebiet_id", "wert").rows()}
    hidden = {k for k, w in values.items() if w is None}
    for m, g in res.log.filter(pl.col("regel") == "primaer").select("merkmal", "gebiet_id").rows():
        area = g
        while h.parent.get(area) is not None:
            siblings = h.children[h.parent[area]]
            cands = sorted(
                (abs(values[(m, s)]), s) for s in siblings if s != area and values[(m, s)]
            )
            if cands:
                hidden.add((m, cands[0][1]))
            area = h.parent[area]
    return hidden


def with_hidden(cells_frame: pl.DataFrame, hidden: set) -> pl.DataFrame:
    """A published frame with the cells of `hidden` withheld as `*`."""
    keys = pl.Series([f"{m}\x00{g}" for m, g in sorted(hidden)], dtype=pl.String)
    hide = (pl.col("merkmal") + "\x00" + pl.col("gebiet_id")).is_in(keys.implode()) & pl.col(
        "wert"
    ).is_not_null()
    return cells_frame.with_columns(
        pl.when(hide).then(None).otherwise(pl.col("wert")).alias("wert"),
        pl.when(hide).then(pl.lit("*")).otherwise(pl.col("symbol")).alias("symbol"),
    )
