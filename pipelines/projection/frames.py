"""Population frames in, projection and track-record frames out (what the dbt models call).

Input: the delivered population of the finest areas (`gebiet_id, periode, alter, geschlecht,
anzahl`, one row per combination; combinations not listed are 0) and the area dimension
(`gebiet_id, ebene, ebene_rang, parent_id`). Only 31.12 snapshots of consecutive years are
used: the ratios are yearly.

Ages delivered in bands (a source profile maps a band onto its first age, as for the Berlin
register) are recognised by the ages that ever carry persons: those are the bands' first
ages, and each band is spread evenly over its single years before projecting. A city that
delivers single years has persons at every age and is not changed by that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl

from . import cohort_component as cc
from .backtest import METHODEN, ZIELGRUPPEN, group_total, linear_trend, scores, size_classes
from .hamilton_perry import VARIANTS, Settings, estimate, project, spread_bands

#: `prognose.methode`: auto chooses the cohort-component method where the moves of every base
#: year carry ages, else Hamilton–Perry (docs/projection.md)
METHODS = ("auto", "kohorten", "hamilton_perry")
#: art of bewegungen -> kind of cohort_component.Moves
MOVE_KIND = {
    "geburt": "geburt",
    "sterbefall": "sterbefall",
    "zuzug": "zu",
    "umzug_zu": "zu",
    "fortzug": "fort",
    "umzug_fort": "fort",
}

PROGNOSE_SCHEMA = {
    "gebiet_id": pl.String,
    "ebene": pl.String,
    "basis_stichtag": pl.Date,
    "stichtag": pl.Date,
    "variante": pl.String,
    "alter": pl.Int64,
    "geschlecht": pl.String,
    "einwohner": pl.Float64,
    "methode": pl.String,
}
GUETE_SCHEMA = {
    "basis_stichtag": pl.Date,
    "stichtag": pl.Date,
    "horizont_jahre": pl.Int64,
    "ebene": pl.String,
    "zielgruppe": pl.String,
    "groessenklasse": pl.String,
    "methode": pl.String,
    "gebiete": pl.Int64,
    "mape": pl.Float64,
    "gewichteter_fehler": pl.Float64,
    "bias": pl.Float64,
}
#: a base date is scored when at least this many actual years follow it
BACKTEST_MIN_YEARS = 5


@dataclass(frozen=True)
class Population:
    """Yearly 31.12 snapshots on one area list: year -> sex -> [area, age]."""

    areas: list[str]
    years: dict[int, dict[str, np.ndarray]]
    open_age: int


def population(einwohner: pl.DataFrame, areas: list[str] | None = None) -> Population:
    """The frame as arrays; areas default to every area that ever has a row."""
    frame = einwohner.filter(
        (pl.col("periode").dt.month() == 12) & (pl.col("periode").dt.day() == 31)
    ).with_columns(pl.col("periode").dt.year().alias("jahr"))
    if frame.is_empty():
        return Population(areas or [], {}, 0)
    if areas is None:
        areas = sorted(frame["gebiet_id"].unique().to_list())
    index = pl.DataFrame({"gebiet_id": areas, "_i": np.arange(len(areas))})
    frame = frame.join(index, on="gebiet_id", how="inner")
    starts = sorted(frame.filter(pl.col("anzahl") > 0)["alter"].unique().to_list()) or [0]
    if starts[0] != 0:
        starts = [0, *starts]
    open_age = starts[-1]
    band_of = np.searchsorted(np.array(starts), np.arange(open_age + 1), side="right") - 1
    sexes = sorted(frame["geschlecht"].unique().to_list())
    years: dict[int, dict[str, np.ndarray]] = {}
    for (jahr,), part in frame.group_by(["jahr"], maintain_order=True):
        snap = {}
        for sex in sexes:
            counts = np.zeros((len(areas), len(starts)))
            rows = part.filter(pl.col("geschlecht") == sex)
            rows_area = rows["_i"].to_numpy()
            ages = np.minimum(rows["alter"].to_numpy(), open_age)
            np.add.at(counts, (rows_area, band_of[ages]), rows["anzahl"].to_numpy())
            snap[sex] = spread_bands(counts, starts, open_age)
        years[int(jahr)] = snap
    return Population(areas, dict(sorted(years.items())), open_age)


def _present(pop: Population, year: int) -> np.ndarray:
    """Indices of the areas with persons in that year's snapshot."""
    return np.flatnonzero(sum(a.sum(axis=1) for a in pop.years[year].values()) > 0)


def _subset(pop: Population, idx: np.ndarray) -> Population:
    years = {y: {s: a[idx] for s, a in snap.items()} for y, snap in pop.years.items()}
    return Population([pop.areas[i] for i in idx], years, pop.open_age)


def moves_from_frame(
    bewegungen: pl.DataFrame | None, areas: list[str], open_age: int
) -> dict[int, cc.Moves]:
    """`bewegungen` (gebiet_id, jahr, art, alter, geschlecht, anzahl) as yearly Moves on the
    area list; an empty age goes to the column of unknown age, an empty sex to sex ""."""
    if bewegungen is None or bewegungen.is_empty():
        return {}
    index = pl.DataFrame({"gebiet_id": areas, "_i": np.arange(len(areas))})
    frame = (
        bewegungen.join(index, on="gebiet_id", how="inner")
        .with_columns(
            pl.col("art").replace_strict(MOVE_KIND, default=None).alias("_kind"),
            pl.col("alter").fill_null(-1).cast(pl.Int64),
            pl.col("geschlecht").fill_null(""),
        )
        .filter(pl.col("_kind").is_not_null() & (pl.col("anzahl") > 0))
    )
    out = {}
    for (jahr,), part in frame.group_by(["jahr"], maintain_order=True):
        counts: dict[str, dict[str, np.ndarray]] = {}
        for (kind, sex), rows in part.group_by(["_kind", "geschlecht"], maintain_order=True):
            arr = np.zeros((len(areas), open_age + 2))
            ages = rows["alter"].to_numpy()
            col = np.where(ages < 0, open_age + 1, np.minimum(ages, open_age))
            np.add.at(arr, (rows["_i"].to_numpy(), col), rows["anzahl"].to_numpy())
            counts.setdefault(kind, {})[sex] = arr
        out[int(jahr)] = cc.Moves(counts)
    return dict(sorted(out.items()))


def _moves_subset(moves: dict[int, cc.Moves], idx: np.ndarray) -> dict[int, cc.Moves]:
    return {
        y: cc.Moves({k: {s: a[idx] for s, a in by.items()} for k, by in m.counts.items()})
        for y, m in moves.items()
    }


def method_at(method: str, chain: list[int], moves: dict[int, cc.Moves], base_years: int):
    """The method for a base date whose consecutive years are `chain` (None: not possible).

    auto: the cohort-component method where the moves of every base year carry ages."""
    needed = chain[-(base_years + 1) :][1:]
    covered = bool(needed) and all(y in moves for y in needed)
    if method == "hamilton_perry":
        return "hamilton_perry"
    if method == "kohorten":
        return "kohorten" if covered else None
    if method != "auto":
        raise ValueError(f"prognose.methode muss eine von {METHODS} sein, nicht {method!r}")
    with_ages = covered and all(moves[y].has_ages() for y in needed)
    return "kohorten" if with_ages else "hamilton_perry"


def _project_with(
    method: str,
    pop: Population,
    chain: list[int],
    moves: dict[int, cc.Moves],
    parent: np.ndarray,
    s: Settings,
    variants,
) -> dict[str, list[dict[str, np.ndarray]]]:
    """variant -> yearly projections from the last year of `chain` by `method`."""
    history = [pop.years[y] for y in chain]
    base = pop.years[chain[-1]]
    if method == "kohorten":
        window = chain[-(s.base_years + 1) :]
        rates = cc.estimate(
            [pop.years[y] for y in window], [moves[y] for y in window[1:]], parent, s
        )
        return {v: cc.project(base, rates, s, v) for v in variants}
    rates = estimate(history, parent, s)
    return {v: project(base, rates, s, v) for v in variants}


def _consecutive_until(years: list[int], last: int) -> list[int]:
    run = [last]
    while run[0] - 1 in years:
        run.insert(0, run[0] - 1)
    return run


def _ancestors(gebiete: pl.DataFrame) -> dict[str, list[str]]:
    parent = dict(zip(gebiete["gebiet_id"], gebiete["parent_id"], strict=True))
    out = {}
    for area in parent:
        chain, seen = [], {area}
        up = parent.get(area)
        while up is not None and up not in seen:
            chain.append(up)
            seen.add(up)
            up = parent.get(up)
        out[area] = chain
    return out


def pooling_matrix(areas: list[str], gebiete: pl.DataFrame, levels_up: int = 2) -> np.ndarray:
    """[group, area]: areas pooled over their ancestor `levels_up` levels above them."""
    anc = _ancestors(gebiete)
    keys = []
    for a in areas:
        chain = anc.get(a, [])
        keys.append(chain[min(levels_up, len(chain)) - 1] if chain else "")
    groups = sorted(set(keys))
    matrix = np.zeros((len(groups), len(areas)))
    for j, k in enumerate(keys):
        matrix[groups.index(k), j] = 1.0
    return matrix


def _frame(
    areas: list[str],
    levels: dict[str, str],
    anc: dict[str, list[str]],
    base: date,
    results: list[tuple[date, str, dict[str, np.ndarray]]],
    method: str = "hamilton_perry",
) -> pl.DataFrame:
    """Rows for the finest areas and every coarser level (sums over the areas below)."""
    targets = sorted({x for a in areas for x in (a, *anc.get(a, []))})
    tindex = {t: i for i, t in enumerate(targets)}
    agg = np.zeros((len(targets), len(areas)))
    for j, a in enumerate(areas):
        for t in (a, *anc.get(a, [])):
            agg[tindex[t], j] = 1.0
    ids = pl.Series("gebiet_id", targets, dtype=pl.String)
    ebenen = pl.Series("ebene", [levels.get(t, "") for t in targets], dtype=pl.String)
    parts = []
    for stichtag, variante, pop in results:
        for sex, arr in pop.items():
            summed = agg @ arr  # [target, age]
            n_t, n_age = summed.shape
            rows = pl.Series(np.repeat(np.arange(n_t), n_age))
            parts.append(
                pl.DataFrame(
                    {
                        "gebiet_id": ids.gather(rows),
                        "ebene": ebenen.gather(rows),
                        "alter": np.tile(np.arange(n_age), n_t),
                        "einwohner": summed.reshape(-1),
                    }
                ).with_columns(
                    pl.lit(base).alias("basis_stichtag"),
                    pl.lit(stichtag).alias("stichtag"),
                    pl.lit(variante).alias("variante"),
                    pl.lit(sex).alias("geschlecht"),
                    pl.lit(method).alias("methode"),
                )
            )
    if not parts:
        return pl.DataFrame(schema=PROGNOSE_SCHEMA)
    return pl.concat(parts).select([pl.col(c).cast(t) for c, t in PROGNOSE_SCHEMA.items()])


def finest_population(stg_einwohner: pl.DataFrame, gebiete: pl.DataFrame) -> pl.DataFrame:
    """Persons per finest area, date, age and sex (nationality summed)."""
    finest = gebiete.filter(pl.col("ist_feinste_ebene"))["gebiet_id"].implode()
    return (
        stg_einwohner.filter(pl.col("gebiet_id").is_in(finest))
        .group_by("gebiet_id", "periode", "alter", "geschlecht")
        .agg(pl.col("anzahl").sum())
    )


#: city config keys of `prognose` -> Settings fields
CONFIG_KEYS = {
    "basisjahre": "base_years",
    "pooling_personen": "pooling",
    "daempfung": "damping",
    "daempfung_ab_alter": "damping_from_age",
    "geburten_bezug_von_alter": "fertile_from",
    "geburten_bezug_bis_alter": "fertile_to",
    "horizont_jahre": "horizon",
    "kinder_mittel_unter_alter": "young_below_age",
    "kinder_mittel_gewicht": "young_weight",
    "methode": "method",
}


def settings_from_config(prognose: dict) -> tuple[Settings, int]:
    """(Settings, pooling levels above the finest) from the city config's `prognose`."""
    unknown = set(prognose) - set(CONFIG_KEYS) - {"pooling_ebenen_hoeher"}
    if unknown:
        raise ValueError(f"prognose: unbekannte Schlüssel {sorted(unknown)}")
    fields = {CONFIG_KEYS[k]: v for k, v in prognose.items() if k in CONFIG_KEYS}
    return replace(Settings(), **fields), int(prognose.get("pooling_ebenen_hoeher", 2))


def run(
    einwohner: pl.DataFrame,
    gebiete: pl.DataFrame,
    settings: Settings | None = None,
    levels_up: int = 2,
    *,
    bewegungen: pl.DataFrame | None = None,
    projections: bool = True,
    scores: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bevoelkerungsprognose, prognose_guete) from the delivered population (and moves).

    `projections=False` skips building the projection rows, `scores=False` the scoring.
    The method follows `settings.method` (METHODS); the back-test scores the chosen method as
    `prognose` and every method possible on a base date under its own name.
    """
    s = settings or Settings()
    gebiete = gebiete.select("gebiet_id", "ebene", "parent_id")
    pop = population(einwohner)
    years = list(pop.years)
    levels = dict(zip(gebiete["gebiet_id"], gebiete["ebene"], strict=True))
    anc = _ancestors(gebiete)
    if len(years) < 2:
        return pl.DataFrame(schema=PROGNOSE_SCHEMA), pl.DataFrame(schema=GUETE_SCHEMA)
    all_moves = moves_from_frame(bewegungen, pop.areas, pop.open_age)
    frames, guete = [], []
    last = years[-1]
    present = _present(pop, last)
    latest = _subset(pop, present)
    moves = _moves_subset(all_moves, present)
    parent = pooling_matrix(latest.areas, gebiete, levels_up)
    chain = _consecutive_until(years, last)
    if len(chain) >= 2 and projections:
        method = method_at(s.method, chain, moves, s.base_years)
        if method is None:
            raise ValueError(
                "prognose.methode kohorten: für die Basisjahre fehlen Bewegungsdaten "
                "(bewegungen); methode auto oder hamilton_perry wählen"
            )
        projected = _project_with(method, latest, chain, moves, parent, s, VARIANTS)
        results = [
            (date(last + h, 12, 31), variante, p)
            for variante in VARIANTS
            for h, p in enumerate(projected[variante], start=1)
        ]
        frames.append(_frame(latest.areas, levels, anc, date(last, 12, 31), results, method))
    # the track record: every base date with enough history and five actual years after it
    for base in years:
        chain = _consecutive_until(years, base)
        after = [y for y in years if y > base]
        if len(chain) < s.base_years + 1 or len(after) < BACKTEST_MIN_YEARS:
            continue
        # the areas of the base date, followed through the later years (scored horizons only)
        idx = _present(pop, base)
        base_pop = _subset(pop, idx)
        base_moves = _moves_subset(all_moves, idx)
        areas = base_pop.areas
        bs = replace(s, horizon=min(s.horizon, last - base, BACKTEST_MIN_YEARS))
        bparent = pooling_matrix(areas, gebiete, levels_up)
        by_method = {}
        for method in ("hamilton_perry", "kohorten"):
            if method_at(method, chain, base_moves, s.base_years) == method:
                by_method[method] = _project_with(
                    method, base_pop, chain, base_moves, bparent, bs, ["mitte"]
                )["mitte"]
        chosen = method_at(s.method, chain, base_moves, s.base_years)
        if chosen is None:
            continue
        by_method["prognose"] = by_method[chosen]
        if projections:
            frames.append(
                _frame(
                    areas,
                    levels,
                    anc,
                    date(base, 12, 31),
                    [
                        (date(base + h, 12, 31), "mitte", p)
                        for h, p in enumerate(by_method["prognose"], start=1)
                    ],
                    chosen,
                )
            )
        if scores:
            guete.append(_scores(base_pop, chain, base, by_method, levels, anc))
    prognose = pl.concat(frames) if frames else pl.DataFrame(schema=PROGNOSE_SCHEMA)
    return prognose, (pl.concat(guete) if guete else pl.DataFrame(schema=GUETE_SCHEMA))


def _scores(
    pop: Population,
    chain: list[int],
    base: int,
    projected: dict[str, list[dict[str, np.ndarray]]],
    levels: dict[str, str],
    anc: dict[str, list[str]],
) -> pl.DataFrame:
    """Scores of the projections (method -> yearly projections; `prognose`: the chosen one)
    and the two baselines, finest level and every coarser one."""
    by_level: dict[str, list[str]] = {}
    targets = sorted({x for a in pop.areas for x in (a, *anc.get(a, []))})
    for t in targets:
        by_level.setdefault(levels.get(t, ""), []).append(t)
    tindex = {t: i for i, t in enumerate(targets)}
    agg = np.zeros((len(targets), len(pop.areas)))
    for j, a in enumerate(pop.areas):
        for t in (a, *anc.get(a, [])):
            agg[tindex[t], j] = 1.0
    rows = []
    trend_years = chain[-5:]
    for h in range(1, len(projected["prognose"]) + 1):
        year = base + h
        if year not in pop.years:
            continue
        for gruppe, (lo, hi) in ZIELGRUPPEN.items():
            actual = agg @ group_total(pop.years[year], lo, hi)
            base_total = agg @ group_total(pop.years[base], 0, None)
            methods = {m: agg @ group_total(proj[h - 1], lo, hi) for m, proj in projected.items()}
            methods |= {
                "konstant": agg @ group_total(pop.years[base], lo, hi),
                "linear": agg
                @ linear_trend([group_total(pop.years[y], lo, hi) for y in trend_years], h),
            }
            for ebene, members in by_level.items():
                idx = np.array([tindex[m] for m in members])
                for klasse, mask in size_classes(base_total[idx]).items():
                    for methode in (m for m in METHODEN if m in methods):
                        sc = scores(methods[methode][idx][mask], actual[idx][mask])
                        rows.append(
                            {
                                "basis_stichtag": date(base, 12, 31),
                                "stichtag": date(year, 12, 31),
                                "horizont_jahre": h,
                                "ebene": ebene,
                                "zielgruppe": gruppe,
                                "groessenklasse": klasse,
                                "methode": methode,
                                **sc,
                            }
                        )
    return pl.DataFrame(rows, schema=GUETE_SCHEMA)
