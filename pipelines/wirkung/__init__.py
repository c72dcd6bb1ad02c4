"""Wirkungsanalyse: did a measure change the indicator it targets? (pure functions, polars)

For every measure with a `wirkung` target (massnahmen/ziele.csv, art wirkung, kennzahl an
indicator of the catalogue) the indicator is compared in its target areas before (31.12.
of the year before the measure began) and after (31.12. of the latest year with values)
with a comparison group of areas matched on the baseline:

- candidates: finest areas in no measure at all, with a value at both dates and the same
  social-index status class as the target area at the baseline (the latest index date up
  to the baseline date);
- per target area the `VERGLEICH_JE_GEBIET` candidates with the nearest baseline value
  (ties by area key), each used once.

Means are unweighted over areas (each area counts once), in the indicator's unit. The
difference-in-differences is (after − before in the target areas) − (after − before in
the comparison areas). Its interval comes from a permutation test over the areas of both
groups: under "no effect" the target areas are exchangeable with the comparison areas, so
every way of choosing as many "target" areas out of the pooled areas gives a DiD that
could have happened by chance (all of them when there are at most `MAX_PERMUTATIONEN`,
else that many drawn with the fixed seed `SEED`). The interval is the observed DiD minus
the 97.5 % and 2.5 % quantiles of those chance DiDs (`KONFIDENZ`); the p-value is the share
of chance DiDs at least as far from zero as the observed one. Reproducible: the same
inputs give the same interval.

This is an association, not proof of an effect: areas are not assigned at random, and
other changes in the same areas show up the same way (the sentence `HINWEIS` says so
in every row).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import polars as pl

VERGLEICH_JE_GEBIET = 3
# fewer ways to split the areas than this: no 95 % interval (the quantiles of a handful of
# values say nothing); the difference-in-differences is still shown
MIN_PERMUTATIONEN = 20
MAX_PERMUTATIONEN = 20_000
SEED = 15
KONFIDENZ = 0.95
HINWEIS = (
    "Der Vergleich zeigt einen Zusammenhang, keinen Beweis einer Wirkung: die Zielgebiete "
    "wurden nicht zufällig ausgewählt, und andere Entwicklungen in denselben Gebieten "
    "wirken sich genauso aus."
)

SCHEMA = {
    "massnahme_id": pl.String,
    "titel": pl.String,
    "indikator_id": pl.String,
    "einheit": pl.String,
    "beginn": pl.Date,
    "vorher_periode": pl.Date,
    "nachher_periode": pl.Date,
    "zielgebiete": pl.String,
    "gebiete": pl.String,
    "vergleichsgebiete": pl.String,
    "anzahl_gebiete": pl.Int32,
    "anzahl_vergleichsgebiete": pl.Int32,
    "vorher_massnahme": pl.Float64,
    "nachher_massnahme": pl.Float64,
    "veraenderung_massnahme": pl.Float64,
    "vorher_vergleich": pl.Float64,
    "nachher_vergleich": pl.Float64,
    "veraenderung_vergleich": pl.Float64,
    "differenz_in_differenzen": pl.Float64,
    "untergrenze": pl.Float64,
    "obergrenze": pl.Float64,
    "p_wert": pl.Float64,
    "permutationen": pl.Int32,
    "ergebnis": pl.String,
    "grund": pl.String,
    "hinweis": pl.String,
}


def year_end_values(indikatoren: pl.DataFrame) -> pl.DataFrame:
    """(indikator_id, gebiet_id, jahr, periode, wert): each year's last reference date of the
    indicator (31.12. for yearly and monthly series) and the areas' values on that date. An
    area without a value on it (withheld, unknown) has none for the year: an earlier month
    would mix dates in one mean (and a reader could not tell which)."""
    with_year = indikatoren.with_columns(pl.col("periode").dt.year().alias("jahr"))
    last = with_year.group_by("indikator_id", "jahr").agg(pl.col("periode").max().alias("_last"))
    return (
        with_year.join(last, on=["indikator_id", "jahr"])
        .filter((pl.col("periode") == pl.col("_last")) & pl.col("wert").is_not_null())
        .select("indikator_id", "gebiet_id", "jahr", "periode", "wert")
        .sort("indikator_id", "gebiet_id", "jahr")
    )


def permutation_interval(
    target: list[float], comparison: list[float], seed: int = SEED
) -> tuple[float, float, float, int]:
    """(lower, upper, p-value, number of permutations) of the DiD of `target` changes
    against `comparison` changes (see the module docstring)."""
    pool = np.array([*target, *comparison], dtype=float)
    n, k = len(pool), len(target)
    observed = pool[:k].mean() - pool[k:].mean()
    total = math.comb(n, k)
    if total <= MAX_PERMUTATIONEN:
        choices = [list(c) for c in itertools.combinations(range(n), k)]
    else:
        rng = np.random.default_rng(seed)
        choices = [list(rng.choice(n, size=k, replace=False)) for _ in range(MAX_PERMUTATIONEN)]
    total_sum = pool.sum()
    diffs = []
    for c in choices:
        s = pool[c].sum()
        diffs.append(s / k - (total_sum - s) / (n - k))
    diffs = np.array(diffs)
    alpha = 1 - KONFIDENZ
    lo_q, hi_q = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    p = float(np.mean(np.abs(diffs) >= abs(observed) - 1e-12))
    return float(observed - hi_q), float(observed - lo_q), p, len(choices)


def match(
    targets: list[str],
    baseline: dict[str, float],
    klasse: dict[str, str | None],
    candidates: list[str],
    per_area: int = VERGLEICH_JE_GEBIET,
) -> list[str]:
    """Comparison areas: per target area the `per_area` candidates of its status class
    with the nearest baseline value (ties by key), each used once, targets in key order."""
    chosen: list[str] = []
    for t in sorted(targets):
        pool = [
            c
            for c in candidates
            if c not in chosen and klasse.get(c) is not None and klasse.get(c) == klasse.get(t)
        ]
        pool.sort(key=lambda c: (abs(baseline[c] - baseline[t]), c))
        chosen += pool[:per_area]
    return chosen


def wirkungsanalyse(
    massnahmen: pl.DataFrame,
    ziele: pl.DataFrame,
    indikatoren: pl.DataFrame,
    sozialindex: pl.DataFrame,
    einheiten: dict[str, str] | None = None,
    crosswalk: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per measure and indicator of its `wirkung` targets.

    `massnahmen`: massnahme_id, titel, beginn (date), gebiete (list of area keys);
    `ziele`: massnahme_id, art, kennzahl; `indikatoren`: indikator_id, gebiet_id, periode,
    wert of the finest areas (today's layout); `sozialindex`: gebiet_id, periode,
    status_klasse; `einheiten`: indicator -> unit; `crosswalk` (herkunft_gebiet_id,
    gebiet_id): an area of an older layout named by a measure stands for today's areas
    it became (none of them is a comparison area).
    """
    einheiten = einheiten or {}
    values = year_end_values(indikatoren)
    successors: dict[str, set[str]] = {}
    if crosswalk is not None:
        for old, new in crosswalk.select("herkunft_gebiet_id", "gebiet_id").unique().rows():
            successors.setdefault(str(old), set()).add(str(new))
    areas_in_measures = {
        a
        for gs in massnahmen["gebiete"].to_list()
        for g in (gs or [])
        for a in {g, *successors.get(g, set())}
    }
    targets = (
        ziele.filter(pl.col("art") == "wirkung")
        .select("massnahme_id", pl.col("kennzahl").alias("indikator_id"))
        .unique()
        .sort("massnahme_id", "indikator_id")
    )
    index = sozialindex.filter(pl.col("status_klasse").is_not_null()).sort("periode")
    rows = []
    for mid, ind in targets.iter_rows():
        m = massnahmen.filter(pl.col("massnahme_id") == mid)
        if m.is_empty():
            continue
        first = m.row(0, named=True)
        titel, beginn, gebiete = first["titel"], first["beginn"], sorted(first["gebiete"] or [])
        rows.append(
            _one(mid, titel, ind, beginn, gebiete, values, index, areas_in_measures, einheiten)
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _one(mid, titel, ind, beginn, gebiete, values, index, areas_in_measures, einheiten) -> tuple:
    vals = values.filter(pl.col("indikator_id") == ind)
    before_year = beginn.year - 1
    after_year = vals["jahr"].max() if not vals.is_empty() else None
    base = {
        "massnahme_id": mid, "titel": titel, "indikator_id": ind,
        "einheit": einheiten.get(ind), "beginn": beginn, "zielgebiete": ",".join(gebiete),
        "anzahl_gebiete": 0, "anzahl_vergleichsgebiete": 0, "hinweis": HINWEIS,
    }  # fmt: skip

    def fail(grund: str, **more) -> tuple:
        row = {**base, **more, "ergebnis": "nicht_berechenbar", "grund": grund}
        return tuple(row.get(c) for c in SCHEMA)

    if after_year is None:
        return fail(f"keine Werte des Indikators {ind}")
    if _period(vals, after_year) <= beginn:
        return fail(f"kein Stichtag nach dem Beginn ({beginn:%d.%m.%Y}) mit Werten")
    before = dict(
        vals.filter(pl.col("jahr") == before_year).select("gebiet_id", "wert").iter_rows()
    )
    after = dict(vals.filter(pl.col("jahr") == after_year).select("gebiet_id", "wert").iter_rows())
    periods = {
        "vorher_periode": _period(vals, before_year),
        "nachher_periode": _period(vals, after_year),
    }
    if not before:
        return fail(f"keine Werte im Jahr vor dem Beginn ({before_year})", **periods)
    treated = [g for g in gebiete if g in before and g in after]
    if not treated:
        return fail("kein Zielgebiet mit Wert vorher und nachher", **periods)
    base_day = periods["vorher_periode"]
    klasse = _classes(index, base_day)
    candidates = sorted(
        g for g in before if g in after and g not in areas_in_measures and g not in gebiete
    )
    comparison = match(treated, before, klasse, candidates)
    counts = {"anzahl_gebiete": len(treated), "anzahl_vergleichsgebiete": len(comparison)}
    if not comparison:
        return fail(
            "kein Vergleichsgebiet derselben Statusklasse ohne Maßnahme", **periods, **counts
        )
    d_t = [after[g] - before[g] for g in treated]
    d_c = [after[g] - before[g] for g in comparison]
    did = float(np.mean(d_t) - np.mean(d_c))
    lo, hi, p, n_perm = permutation_interval(d_t, d_c)
    if n_perm < MIN_PERMUTATIONEN:
        lo = hi = None
        ergebnis = "nicht_entscheidbar"
        grund = (
            f"zu wenige Gebiete für ein {int(KONFIDENZ * 100)}-%-Intervall ({n_perm} "
            f"Aufteilungen, mindestens {MIN_PERMUTATIONEN})"
        )
    elif lo > 0 or hi < 0:
        ergebnis = "unterschied"
        grund = f"das {int(KONFIDENZ * 100)}-%-Intervall der Permutationen schließt null aus"
    else:
        ergebnis = "kein_unterschied"
        grund = f"das {int(KONFIDENZ * 100)}-%-Intervall der Permutationen schließt null ein"
    row = {
        **base, **periods, **counts,
        "gebiete": ",".join(treated), "vergleichsgebiete": ",".join(comparison),
        "vorher_massnahme": float(np.mean([before[g] for g in treated])),
        "nachher_massnahme": float(np.mean([after[g] for g in treated])),
        "veraenderung_massnahme": float(np.mean(d_t)),
        "vorher_vergleich": float(np.mean([before[g] for g in comparison])),
        "nachher_vergleich": float(np.mean([after[g] for g in comparison])),
        "veraenderung_vergleich": float(np.mean(d_c)),
        "differenz_in_differenzen": did, "untergrenze": lo, "obergrenze": hi,
        "p_wert": p, "permutationen": n_perm, "ergebnis": ergebnis, "grund": grund,
    }  # fmt: skip
    return tuple(row.get(c) for c in SCHEMA)


def _period(vals: pl.DataFrame, year: int) -> dt.date | None:
    days = vals.filter(pl.col("jahr") == year)["periode"]
    return days.max() if len(days) else None


def _classes(index: pl.DataFrame, day: dt.date | None) -> dict[str, str | None]:
    """Status class of each area on the latest index date up to `day`."""
    if day is None:
        return {}
    upto = index.filter(pl.col("periode") <= day)
    if upto.is_empty():
        return {}
    last = upto["periode"].max()
    return dict(upto.filter(pl.col("periode") == last).select("gebiet_id", "status_klasse").rows())


def measures_frame(stg_massnahmen: pl.DataFrame) -> pl.DataFrame:
    """massnahme_id, titel, beginn, gebiete (trimmed list) from staging.stg_massnahmen."""
    return stg_massnahmen.select(
        "massnahme_id",
        "titel",
        pl.col("beginn").cast(pl.Date),
        pl.col("gebiete").list.eval(pl.element().str.strip_chars()),
    )


def finest_indicators(indikatoren: pl.DataFrame, gebiete: pl.DataFrame) -> pl.DataFrame:
    """The indicator rows of the finest areas of today's layout."""
    finest = gebiete.filter(pl.col("ist_aktuell") & pl.col("ist_feinste_ebene"))["gebiet_id"]
    return indikatoren.filter(pl.col("gebiet_id").is_in(finest.implode())).select(
        "indikator_id", "gebiet_id", pl.col("periode").cast(pl.Date), "wert"
    )


def published(
    mart: pl.DataFrame,
    kontrakte: pl.DataFrame,
    indikatoren: pl.DataFrame,
    sozialindex: pl.DataFrame,
    gebiete: pl.DataFrame,
    einheiten: dict[str, str],
    crosswalk: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The Wirkungsanalyse on the published values only (publish.indikatoren,
    publish.sozialindex): an area whose value is withheld takes no part, so every figure is
    a mean of published values. The measures come from the mart (with their target areas)
    and from the kontrakte (the areas of every measure, none of which may be a comparison)."""

    def areas(col: str) -> pl.Expr:
        return pl.col(col).str.split(",").list.eval(pl.element().str.strip_chars())

    measures = mart.select(
        "massnahme_id", "titel", "beginn", areas("zielgebiete").alias("gebiete")
    ).unique("massnahme_id", keep="first")
    others = (
        kontrakte.filter(pl.col("gebiete").is_not_null())
        .select("massnahme_id", "titel", pl.lit(None, pl.Date).alias("beginn"),
                areas("gebiete").alias("gebiete"))
        .unique("massnahme_id", keep="first")
        .join(measures.select("massnahme_id"), on="massnahme_id", how="anti")
    )  # fmt: skip
    ziele = mart.select(
        "massnahme_id", pl.lit("wirkung").alias("art"), pl.col("indikator_id").alias("kennzahl")
    )
    values = finest_indicators(indikatoren, gebiete)  # year_end_values drops the withheld
    index = sozialindex.select("gebiet_id", pl.col("periode").cast(pl.Date), "status_klasse")
    out = wirkungsanalyse(
        pl.concat([measures, others], how="vertical_relaxed").sort("massnahme_id"),
        ziele, values, index, einheiten, crosswalk,
    )  # fmt: skip
    return out.sort("massnahme_id", "indikator_id")
