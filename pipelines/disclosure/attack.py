"""The attacker: recovers withheld cells from published cells, hierarchy and identities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from pipelines.disclosure.analysis import View, infer
from pipelines.disclosure.config import DisclosureConfig
from pipelines.disclosure.model import Identity, build_equations, load_hierarchy
from pipelines.disclosure.solver import INF
from pipelines.disclosure.suppress import star_bounds

PUBLISHED_COLUMNS = ("tabelle", "merkmal", "periode", "gebiet_id", "wert", "symbol")


def attack(
    published: pl.DataFrame,
    hierarchy: pl.DataFrame,
    identities: Iterable[Identity] = (),
    cfg: DisclosureConfig | None = None,
    *,
    include_undecided: bool = False,
) -> pl.DataFrame:
    """Every `*` cell the attacker pins to one exact value, and how.

    Knows only what is published: numbers and `-` exactly, `/` within its
    bounds, `*` as at least ``cfg.stern_untergrenze`` (zeros are never
    suppressed), `.`/`x` as >= 0. Steps: single-equation subtraction, then per
    linked group of withheld cells exact elimination, bound propagation and
    enumeration (``analysis.infer``). Columns: tabelle, merkmal, periode,
    gebiet_id, wert (recovered), methode (subtraktion, gleichungssystem,
    schranken, aufzaehlung), herleitung. With ``include_undecided`` also cells
    the bounded search could not decide (methode ``unentschieden``, wert null).
    """
    cfg = cfg or DisclosureConfig()
    tree = load_hierarchy(hierarchy)
    identities = list(identities)
    missing = [c for c in PUBLISHED_COLUMNS if c not in published.columns]
    if missing:
        raise ValueError(f"veröffentlichte Zellen: Spalte fehlt: {', '.join(missing)}")
    frame = published
    for col in ("untergrenze", "obergrenze"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(col))
    views: dict[tuple, View] = defaultdict(lambda: View({}, {}, set()))
    cols = (*PUBLISHED_COLUMNS, "untergrenze", "obergrenze")
    for tab, mm, per, gid, wert, sym, low, high in frame.select(cols).rows():
        view, key = views[(tab, per)], (mm, gid)
        if wert is not None:
            view.exact[key] = int(wert)
        elif sym == "-":
            view.exact[key] = 0
        elif sym == "*":
            view.bounds[key] = star_bounds(mm, cfg)
            view.targets.add(key)
        elif sym == "/":
            view.bounds[key] = (low or 0, INF if high is None else high)
        else:
            view.bounds[key] = (0, INF)
    rows = []
    for tab, per in sorted(views, key=lambda k: (k[0], str(k[1]))):
        view = views[(tab, per)]
        keys = [*view.exact, *view.bounds]
        eqs = build_equations(keys, tree, [i for i in identities if i.tabelle == tab])
        found, undecided = infer(view, eqs, max_nodes=cfg.max_knoten)
        for f in found:
            rows.append((tab, f.key[0], per, f.key[1], f.wert, f.methode, f.herleitung))
        if include_undecided:
            for key in sorted(undecided):
                rows.append((tab, key[0], per, key[1], None, "unentschieden", None))
    schema = {
        "tabelle": pl.String,
        "merkmal": pl.String,
        "periode": published.schema["periode"],
        "gebiet_id": pl.String,
        "wert": pl.Int64,
        "methode": pl.String,
        "herleitung": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").sort(
        "tabelle", "merkmal", "periode", "gebiet_id"
    )
