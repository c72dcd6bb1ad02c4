"""Zielüberprüfung: every target against its series (pure functions, polars).

Targets: the city's goals (reference/ziele.csv, as in marts.zielerreichung: an indicator in
an area), the effect targets of measures (`wirkung`: an indicator, as the unweighted mean
over the measure's target areas, in the years every target area has a value) and their
output targets (`leistung`: the reported Ist of the Kontrakte). For each: the series of
values by year, and

- `erreicht` / `verfehlt`: the target year has a value, which meets the target or not
  (`mindestens`: value >= target, `hoechstens`: value <= target);
- `auf_kurs` / `nicht_auf_kurs`: the target year lies after the latest year with data of
  its kind; the straight line (least squares) through the series' last `TREND_JAHRE`
  values, extended to the target year, meets the target or not;
- `nicht_entscheidbar`: neither (no value in a target year that has passed, fewer than
  two values for a trend), with the reason.

This is the feedback into the next round of goals: a target off course is one to act on
or to set again.
"""

from __future__ import annotations

import numpy as np
import polars as pl

TREND_JAHRE = 5
TARGET_KEY = ("ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr")
SCHEMA = {
    "ziel_art": pl.String,
    "massnahme_id": pl.String,
    "kennzahl": pl.String,
    "gebiet_id": pl.String,
    "jahr": pl.Int32,
    "zielwert": pl.Float64,
    "richtung": pl.String,
    "beschluss": pl.String,
    "einheit": pl.String,
    "reihe": pl.String,
    "werte": pl.Int32,
    "letztes_jahr": pl.Int32,
    "letzter_wert": pl.Float64,
    "trend_je_jahr": pl.Float64,
    "trend_zieljahr": pl.Float64,
    "status": pl.String,
    "grund": pl.String,
}


def _meets(value: float, target: float, richtung: str) -> bool:
    return value <= target if richtung == "hoechstens" else value >= target


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def review(targets: pl.DataFrame, series: pl.DataFrame, data_until: dict[str, int]) -> pl.DataFrame:
    """`targets`: TARGET_KEY + zielwert, richtung, beschluss, einheit; `series`: ziel_art,
    massnahme_id, kennzahl, gebiet_id, jahr (of the value), wert; `data_until`: per
    ziel_art the latest year with data of that kind (a later target year lies ahead)."""
    by_key: dict[tuple, list[tuple[int, float]]] = {}
    for art, mid, kz, gid, jahr, wert in series.select(
        "ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr", "wert"
    ).iter_rows():
        if wert is not None:
            by_key.setdefault((art, mid, kz, gid), []).append((int(jahr), float(wert)))
    rows = []
    for t in targets.iter_rows(named=True):
        points = sorted(
            by_key.get((t["ziel_art"], t["massnahme_id"], t["kennzahl"], t["gebiet_id"]), [])
        )
        rows.append(_decide(t, points, data_until.get(t["ziel_art"])))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort(
        "ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr", nulls_last=True
    )


def _decide(t: dict, points: list[tuple[int, float]], until: int | None) -> tuple:
    jahr, ziel, richtung = int(t["jahr"]), float(t["zielwert"]), t["richtung"]
    upto = [(y, v) for y, v in points if y <= jahr]
    row = {
        **{k: t.get(k) for k in SCHEMA},
        "reihe": "; ".join(f"{y}: {_num(v)}" for y, v in upto) or None,
        "werte": len(upto),
        "letztes_jahr": upto[-1][0] if upto else None,
        "letzter_wert": upto[-1][1] if upto else None,
    }
    rule = "höchstens" if richtung == "hoechstens" else "mindestens"
    at_target = dict(upto).get(jahr)
    if at_target is not None:
        ok = _meets(at_target, ziel, richtung)
        row["status"] = "erreicht" if ok else "verfehlt"
        row["grund"] = f"Wert {jahr} {_num(at_target)}, Ziel {rule} {_num(ziel)}: " + (
            "erreicht" if ok else "nicht erreicht"
        )
    elif until is not None and jahr <= until:
        row["status"] = "nicht_entscheidbar"
        row["grund"] = (
            f"kein Wert im Zieljahr {jahr} (nicht berichtet, nicht geliefert oder gesperrt)"
        )
    else:
        recent = upto[-TREND_JAHRE:]
        if len(recent) < 2:
            row["status"] = "nicht_entscheidbar"
            row["grund"] = "zu wenige Werte für einen Trend (mindestens zwei Jahre)"
        else:
            xs = np.array([y for y, _ in recent], dtype=float)
            ys = np.array([v for _, v in recent], dtype=float)
            slope, intercept = np.polyfit(xs, ys, 1)
            projected = float(slope * jahr + intercept)
            ok = _meets(projected, ziel, richtung)
            row["trend_je_jahr"] = float(slope)
            row["trend_zieljahr"] = projected
            row["status"] = "auf_kurs" if ok else "nicht_auf_kurs"
            row["grund"] = (
                f"Trend {recent[0][0]}–{recent[-1][0]} ({_num(float(slope))} je Jahr) ergibt "
                f"{jahr} {_num(projected)}, Ziel {rule} {_num(ziel)}: "
                + ("auf Kurs" if ok else "nicht auf Kurs")
            )
    return tuple(row.get(c) for c in SCHEMA)


def year_end(indikatoren: pl.DataFrame) -> pl.DataFrame:
    """(indikator_id, gebiet_id, jahr, wert) of each year's last reference date with a value."""
    return (
        indikatoren.filter(pl.col("wert").is_not_null())
        .with_columns(pl.col("periode").dt.year().cast(pl.Int32).alias("jahr"))
        .sort("periode")
        .group_by("indikator_id", "gebiet_id", "jahr", maintain_order=True)
        .last()
        .select("indikator_id", "gebiet_id", "jahr", "wert")
    )


def targets_and_series(
    stadtziele: pl.DataFrame,
    wirkungsziele: pl.DataFrame,
    kontrakte: pl.DataFrame,
    indikatoren: pl.DataFrame,
    einheiten: dict[str, str],
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """The three kinds of target with their series.

    `stadtziele`: indikator_id, gebiet_id, jahr, zielwert, richtung, beschluss
    (marts.zielerreichung); `wirkungsziele`: massnahme_id, kennzahl, jahr, zielwert,
    richtung, gebiete (comma-separated target areas); `kontrakte`: massnahme_id, jahr,
    kennzahl, soll, ist, richtung; `indikatoren`: indikator_id, gebiet_id, periode, wert.
    """
    values = year_end(indikatoren)
    t_city = stadtziele.select(
        pl.lit("stadtziel").alias("ziel_art"),
        pl.lit(None, pl.String).alias("massnahme_id"),
        pl.col("indikator_id").alias("kennzahl"),
        "gebiet_id",
        pl.col("jahr").cast(pl.Int32),
        pl.col("zielwert").cast(pl.Float64),
        "richtung",
        pl.col("beschluss").cast(pl.String),
    )
    s_city = (
        t_city.select("ziel_art", "massnahme_id", "kennzahl", "gebiet_id")
        .unique()
        .join(
            values.rename({"indikator_id": "kennzahl"}), on=["kennzahl", "gebiet_id"], how="inner"
        )
    )
    t_eff = wirkungsziele.select(
        pl.lit("wirkung").alias("ziel_art"),
        "massnahme_id",
        "kennzahl",
        pl.col("gebiete").alias("gebiet_id"),
        pl.col("jahr").cast(pl.Int32),
        pl.col("zielwert").cast(pl.Float64),
        "richtung",
        pl.lit(None, pl.String).alias("beschluss"),
    )
    eff_rows = []
    for mid, kz, gebiete in t_eff.select("massnahme_id", "kennzahl", "gebiet_id").unique().rows():
        areas = [g.strip() for g in (gebiete or "").split(",") if g.strip()]
        per_year = (
            values.filter((pl.col("indikator_id") == kz) & pl.col("gebiet_id").is_in(areas))
            .group_by("jahr")
            .agg(pl.col("wert").mean(), pl.len().alias("n"))
            .filter(pl.col("n") == len(areas))
        )
        eff_rows += [("wirkung", mid, kz, gebiete, j, w) for j, w, _ in per_year.rows()]
    s_eff = pl.DataFrame(
        eff_rows,
        schema={"ziel_art": pl.String, "massnahme_id": pl.String, "kennzahl": pl.String,
                "gebiet_id": pl.String, "jahr": pl.Int32, "wert": pl.Float64},
        orient="row",
    )  # fmt: skip
    out = kontrakte.filter(pl.col("kennzahl").is_not_null())
    t_out = out.select(
        pl.lit("leistung").alias("ziel_art"),
        "massnahme_id",
        "kennzahl",
        pl.lit(None, pl.String).alias("gebiet_id"),
        pl.col("jahr").cast(pl.Int32),
        pl.col("soll").cast(pl.Float64).alias("zielwert"),
        "richtung",
        pl.lit(None, pl.String).alias("beschluss"),
    )
    s_out = out.select(
        pl.lit("leistung").alias("ziel_art"),
        "massnahme_id",
        "kennzahl",
        pl.lit(None, pl.String).alias("gebiet_id"),
        pl.col("jahr").cast(pl.Int32),
        pl.col("ist").cast(pl.Float64).alias("wert"),
    ).filter(pl.col("wert").is_not_null())
    targets = pl.concat([t_city, t_eff, t_out]).with_columns(
        pl.col("kennzahl").replace_strict(einheiten, default=None).alias("einheit")
    )
    series = pl.concat(
        [s.select("ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr", "wert")
         .with_columns(pl.col("jahr").cast(pl.Int32), pl.col("wert").cast(pl.Float64))
         for s in (s_city, s_eff, s_out)]
    )  # fmt: skip
    until = {
        "stadtziel": values["jahr"].max(),
        "wirkung": values["jahr"].max(),
        "leistung": kontrakte.filter(pl.col("ist").is_not_null())["jahr"].max(),
    }
    return targets, series, {k: int(v) for k, v in until.items() if v is not None}


def wirkungsziele(stg_ziele: pl.DataFrame, stg_massnahmen: pl.DataFrame) -> pl.DataFrame:
    """The `wirkung` targets with the measure's target areas (comma-separated)."""
    areas = stg_massnahmen.select(
        "massnahme_id",
        pl.col("gebiete")
        .list.eval(pl.element().str.strip_chars())
        .list.sort()
        .list.join(",")
        .alias("gebiete"),
    )
    return (
        stg_ziele.filter(pl.col("art") == "wirkung")
        .join(areas, on="massnahme_id", how="inner")
        .select("massnahme_id", "kennzahl", "jahr", "zielwert", "richtung", "gebiete")
    )


def zielueberpruefung(
    stadtziele: pl.DataFrame,
    wirkungsziele_: pl.DataFrame,
    kontrakte: pl.DataFrame,
    indikatoren: pl.DataFrame,
    einheiten: dict[str, str],
) -> pl.DataFrame:
    return review(
        *targets_and_series(stadtziele, wirkungsziele_, kontrakte, indikatoren, einheiten)
    )


def published(
    mart: pl.DataFrame,
    kontrakte: pl.DataFrame,
    indikatoren: pl.DataFrame,
    einheiten: dict[str, str],
) -> pl.DataFrame:
    """The review on published values only: the targets of the mart (public: goals and
    contracts), the series from publish.indikatoren and the published Ist of kontrakte
    (a withheld value is no point of the series)."""
    stadt = mart.filter(pl.col("ziel_art") == "stadtziel").select(
        pl.col("kennzahl").alias("indikator_id"), "gebiet_id", "jahr", "zielwert", "richtung",
        "beschluss",
    )  # fmt: skip
    wirk = mart.filter(pl.col("ziel_art") == "wirkung").select(
        "massnahme_id", "kennzahl", "jahr", "zielwert", "richtung",
        pl.col("gebiet_id").alias("gebiete"),
    )  # fmt: skip
    return zielueberpruefung(stadt, wirk, kontrakte, indikatoren, einheiten)
