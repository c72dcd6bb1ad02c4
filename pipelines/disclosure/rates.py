"""publish_rates: rates computed from published (disclosure-controlled) count cells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from pipelines.disclosure.config import DisclosureConfig
from pipelines.disclosure.model import key_text
from pipelines.disclosure.suppress import DisclosureResult

RATE_TABLE = "indikatoren"


@dataclass(frozen=True)
class RateSpec:
    """``zaehler / nenner * faktor``; zaehler and nenner are (tabelle, merkmal) of counts."""

    indikator_id: str
    zaehler: tuple[str, str]
    nenner: tuple[str, str]
    faktor: float
    einheit: str = "%"


@dataclass(frozen=True)
class _Count:
    wert: int | None
    symbol: str | None
    lo: int | None
    hi: int | None

    @property
    def exact(self) -> bool:
        return self.wert is not None


def publish_rates(
    published: pl.DataFrame,
    specs: Iterable[RateSpec],
    einwohner: pl.DataFrame,
    cfg: DisclosureConfig | None = None,
) -> DisclosureResult:
    """One rate row per spec and numerator cell (gebiet_id, periode).

    ``published``: the cells of ``apply_disclosure`` (only what is public is
    used, so a rate never reveals more than its counts). ``einwohner``:
    (gebiet_id, periode, einwohner), the unsuppressed inhabitants, used only
    for the ``min_einwohner`` threshold; an area missing there counts as too
    small. Numerator and denominator are joined on (gebiet_id, periode): the
    caller aligns the population date beforehand.

    Symbol order: `.` area below min_einwohner (or no denominator cell);
    `x` denominator published as 0; `*` numerator or denominator withheld
    (a published rate with a withheld denominator would give it away);
    `/` numerator or denominator only known within bounds (bounds of the rate
    are given); `-` numerator 0; else the value.
    """
    cfg = cfg or DisclosureConfig()
    counts: dict[tuple, _Count] = {}
    ebene: dict[str, str] = {}
    cols = (
        "tabelle",
        "merkmal",
        "periode",
        "gebiet_id",
        "wert",
        "symbol",
        "untergrenze",
        "obergrenze",
        "ebene",
    )
    for tab, mm, per, gid, wert, sym, low, high, eb in published.select(cols).rows():
        counts[(tab, mm, per, gid)] = _Count(wert, sym, low, high)
        ebene[gid] = eb
    ew = {(g, p): e for g, p, e in einwohner.select("gebiet_id", "periode", "einwohner").rows()}
    rows, log = [], []
    for spec in sorted(specs, key=lambda s: s.indikator_id):
        for (tab, mm, per, gid), z in sorted(counts.items(), key=lambda kv: str(kv[0])):
            if (tab, mm) != spec.zaehler:
                continue
            n = counts.get((*spec.nenner, per, gid))
            row, regel, because = _rate(spec, z, n, ew.get((gid, per)), cfg)
            rows.append((spec.indikator_id, gid, ebene.get(gid), per, *row, spec.einheit))
            if regel:
                culprit = {"z": (spec.zaehler[1], gid), "n": (spec.nenner[1], gid)}
                text = ",".join(key_text(culprit[c]) for c in because) or None
                log.append((RATE_TABLE, spec.indikator_id, per, gid, regel, text))
    periode_dtype = published.schema["periode"]
    schema = {
        "indikator_id": pl.String,
        "gebiet_id": pl.String,
        "ebene": pl.String,
        "periode": periode_dtype,
        "zaehler": pl.Float64,
        "nenner": pl.Float64,
        "wert": pl.Float64,
        "symbol": pl.String,
        "untergrenze": pl.Float64,
        "obergrenze": pl.Float64,
        "unsicher": pl.Boolean,
        "einheit": pl.String,
    }
    log_schema = {
        "tabelle": pl.String,
        "merkmal": pl.String,
        "periode": periode_dtype,
        "gebiet_id": pl.String,
        "regel": pl.String,
        "ausgeloest_durch": pl.String,
    }
    cells = pl.DataFrame(rows, schema=schema, orient="row").sort(
        "indikator_id", "periode", "gebiet_id"
    )
    log_frame = pl.DataFrame(log, schema=log_schema, orient="row").sort(
        "tabelle", "merkmal", "periode", "gebiet_id"
    )
    return DisclosureResult(cells, log_frame)


def _rate(spec: RateSpec, z: _Count, n: _Count | None, einwohner, cfg: DisclosureConfig):
    """(zaehler, nenner, wert, symbol, untergrenze, obergrenze, unsicher), regel, culprits."""
    zval = float(z.wert) if z.exact else None
    nval = float(n.wert) if n is not None and n.exact else None
    if n is None:
        return (zval, None, None, ".", None, None, False), "nenner_fehlt", ("n",)
    if einwohner is None:
        # no population for this date (not delivered yet, or the area did not exist):
        # withheld like a small area, but said as what it is
        return (zval, nval, None, ".", None, None, False), "einwohner_fehlt", ()
    if einwohner < cfg.min_einwohner:
        return (zval, nval, None, ".", None, None, False), "einwohner_unter_min", ()
    if n.exact and n.wert == 0:
        return (zval, nval, None, "x", None, None, False), None, ()
    if z.symbol in ("*", ".", "x"):
        return (zval, nval, None, "*", None, None, False), "zaehler_gesperrt", ("z",)
    if n.symbol in ("*", ".", "x"):
        return (zval, nval, None, "*", None, None, False), "nenner_gesperrt", ("n",)
    if not (z.exact and n.exact):
        zlo, zhi = (z.wert, z.wert) if z.exact else (z.lo, z.hi)
        nlo, nhi = (n.wert, n.wert) if n.exact else (n.lo, n.hi)
        low = zlo / nhi * spec.faktor
        high = zhi / nlo * spec.faktor if nlo else None
        because = tuple(c for c, cnt in (("z", z), ("n", n)) if not cnt.exact)
        return (zval, nval, None, "/", low, high, True), "quelle", because
    value = z.wert / n.wert * spec.faktor
    return (zval, nval, value, "-" if z.wert == 0 else None, None, None, False), None, ()
