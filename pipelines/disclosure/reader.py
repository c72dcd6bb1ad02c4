"""The attacker that knows what a reader knows: the published tables, nothing else.

`check_published` looks at the tables as they are published (`indikatoren`,
`controlling`, `sozialindex`) together with what every reader may know as well: the
area hierarchy of each layout, the crosswalk, the indicator catalogue (which counts a
rate is made of) and the declared identities. It reports every cell it can pin that
disclosure control withheld. Two parts:

1. *What is visible.* Every exact count a reader can read off or derive from a published
   row (numerator, denominator, a money total, an earlier value from a change, a share
   of the social index, the mean and spread behind its z-values, a recast value through
   the crosswalk) must be a cell the one disclosure system published. Anything else is a
   finding (methode `sichtbar`, `quote`, `dynamik`, `mittelwert`, `umgerechnet`, `geld`):
   a rate whose bounds times its published denominator leave one count open is `quote`.
2. *What follows.* The published cells of every system (table x period, on the layout it
   was delivered on) go through the full attacker (`attack`: subtraction, the linear
   system across levels and identities, bounds, enumeration). Part 1 guarantees a reader
   knows no exact value beyond these cells, and fewer known values never pin more, so an
   empty result here holds for every reader. Money follows its case counts and is
   attacked as its own hierarchy system (in cents).

Findings never carry the true value of a cell; `wert` is what the attacker derived.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipelines.disclosure.analysis import View, infer
from pipelines.disclosure.attack import attack
from pipelines.disclosure.config import DisclosureConfig
from pipelines.disclosure.digest import digest, rules_digest
from pipelines.disclosure.digest import frame_bytes as _ipc
from pipelines.disclosure.model import Identity, build_equations, load_hierarchy
from pipelines.disclosure.outputs import status_values
from pipelines.disclosure.recast import Span, weights
from pipelines.disclosure.solver import INF, InconsistentSystemError
from pipelines.disclosure.suppress import DisclosureResult

FINDING_SCHEMA = {
    "tabelle": pl.String,
    "merkmal": pl.String,
    "periode": pl.String,
    "gebiet_id": pl.String,
    "wert": pl.Float64,
    "methode": pl.String,
    "herleitung": pl.String,
}
MONEY_TABLE = "geld"
# relative tolerance of recomputed z-values (the index rounds once; floats, not counts)
Z_TOLERANCE = 1e-9


def check_published(
    tables: dict[str, pl.DataFrame],
    counts: DisclosureResult,
    identities: Iterable[Identity],
    cfg: DisclosureConfig,
    *,
    catalogue: pl.DataFrame,
    crosswalk: pl.DataFrame | None = None,
    status: Iterable[str] = (),
    today: str = "heute",
    cache_dir: Path | None = None,
) -> pl.DataFrame:
    """Findings (tabelle, merkmal, periode, gebiet_id, wert, methode, herleitung); empty
    when the published tables give nothing away. `cache_dir`: where the recast check
    remembers its answers between runs (the warehouse folder's disclosure cache)."""
    findings: list[tuple] = []
    public = _public_values(counts.cells)
    owner = {m: t for t, m in counts.cells.select("tabelle", "merkmal").unique().iter_rows()}
    kat = {
        i: (z, n)
        for i, z, n in catalogue.select("indikator_id", "zaehler_merkmal", "nenner_merkmal").rows()
    }
    factor = dict(catalogue.select("indikator_id", "faktor").rows())
    ind = tables["indikatoren"]
    refs = _count_refs(ind, kat, owner)
    findings += _visible_counts(refs, owner, public)
    findings += _visible_rates(ind, kat, factor, owner, public)
    findings += _visible_changes(ind)
    if "controlling" in tables:
        findings += _visible_controlling(tables["controlling"], kat, owner, public)
    findings += _visible_case_tables(tables, counts, today)
    if "kontrakte" in tables:
        findings += _visible_kontrakte(tables["kontrakte"], cfg)
        findings += _visible_reviews(tables)
    if "sozialindex" in tables:
        findings += _visible_index(tables["sozialindex"], ind, list(status))
    if counts.solved is not None and counts.trees is not None and crosswalk is not None:
        findings += _visible_recast(counts, crosswalk, today, cache_dir)
    memo = Memo(cache_dir, ATTACK_MEMO)
    findings += _follows(counts, list(identities), cfg, today, memo)
    findings += _from_tables(refs, owner, counts, list(identities), cfg, today, memo)
    findings += _money(ind, kat, counts, cfg, today, memo)
    memo.save()
    return pl.DataFrame(findings, schema=FINDING_SCHEMA, orient="row").sort(
        "tabelle", "merkmal", "periode", "gebiet_id", "methode"
    )


def _public_values(cells: pl.DataFrame) -> pl.DataFrame:
    """(merkmal, per, gebiet_id, wert): the published value of each cell (per: the date as
    text; wert None: withheld). Where a key has several rows the last one decides."""
    return cells.select(
        "merkmal", pl.col("periode").cast(pl.String).alias("per"), "gebiet_id", "wert"
    ).unique(subset=["merkmal", "per", "gebiet_id"], keep="last", maintain_order=True)


def _finding(tab, mm, per, gid, wert, methode, how) -> tuple:
    return (tab, mm, str(per), gid, None if wert is None else float(wert), methode, how)


def _count_refs(ind, kat, owner) -> pl.DataFrame:
    """Every count an `indikatoren` row shows, in row order: its numerator (`rolle` 0, on
    the row's date) and its denominator (1, on the denominator date), for counts of a
    disclosure table only. Columns: indikator_id, gebiet_id, merkmal, periode (the date),
    per (as text, the cells' key), wert (None: not shown), rolle."""
    rows = (
        ind.select("indikator_id", "gebiet_id", "periode", "zaehler", "nenner", "nenner_stichtag")
        .with_row_index("_zeile")
        .join(_catalogue_frame(kat), on="indikator_id", how="left")
    )
    parts = [
        rows.select(
            "_zeile",
            "indikator_id",
            "gebiet_id",
            pl.col(merkmal).alias("merkmal"),
            pl.col(date).cast(pl.Date).alias("periode"),
            pl.col(value).cast(pl.Float64).alias("wert"),
            pl.lit(role, pl.Int8).alias("rolle"),
        )
        for merkmal, date, value, role in (
            ("_zm", "periode", "zaehler", 0),
            ("_nm", "nenner_stichtag", "nenner", 1),
        )
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("merkmal").is_in(list(owner)))
        .sort("_zeile", "rolle")
        .drop("_zeile")
        .with_columns(pl.col("periode").cast(pl.String).alias("per"))
    )


def _catalogue_frame(kat: dict[str, tuple]) -> pl.DataFrame:
    """indikator_id -> its numerator (`_zm`) and denominator (`_nm`) count, as a frame."""
    return pl.DataFrame(
        {
            "indikator_id": list(kat),
            "_zm": [z for z, _ in kat.values()],
            "_nm": [n for _, n in kat.values()],
        },
        schema={"indikator_id": pl.String, "_zm": pl.String, "_nm": pl.String},
    )


def _withheld(public: pl.DataFrame) -> pl.DataFrame:
    """The (merkmal, per, gebiet_id) keys whose published value is withheld."""
    return public.filter(pl.col("wert").is_null()).drop("wert")


def _visible_counts(refs: pl.DataFrame, owner, public: pl.DataFrame) -> list[tuple]:
    """A count `indikatoren` shows (numerator or denominator) that the system withheld."""
    hits = refs.filter(pl.col("wert").is_not_null()).join(
        _withheld(public), on=["merkmal", "per", "gebiet_id"], how="semi",
        maintain_order="left",
    )  # fmt: skip
    out = []
    for i, gid, merkmal, periode, value, role in hits.select(
        "indikator_id", "gebiet_id", "merkmal", "periode", "wert", "rolle"
    ).iter_rows():
        how = f"indikatoren {i}: {('Zähler', 'Nenner')[role]} veröffentlicht, Zelle gesperrt"
        out.append(_finding(owner[merkmal], merkmal, periode, gid, value, "sichtbar", how))
    return out


def _visible_rates(ind, kat, factor, owner, public: pl.DataFrame) -> list[tuple]:
    """A rate times its denominator is its numerator: where the numerator cell is withheld
    and the denominator is known (in the row, or as a published cell of its own), the rate
    (or its published bounds) must leave more than one count open.

    A rate published exactly gives the numerator outright; a `/` rate's bounds (and the
    value they pin, which lies within them) give the numerator within bounds x denominator.
    """
    if not {"wert", "untergrenze", "obergrenze", "nenner", "zaehler"} <= set(ind.columns):
        return []
    rows = ind.filter(
        pl.col("zaehler").is_null()
        & (pl.col("wert").is_not_null() | pl.col("obergrenze").is_not_null())
    )
    if "unsicher" not in rows.columns:
        rows = rows.with_columns(pl.lit(False).alias("unsicher"))
    usable = {i: (zm, nm) for i, (zm, nm) in kat.items() if zm in owner and factor.get(i)}
    denominators = public.rename({"merkmal": "_nm", "per": "_nper", "wert": "_n_pub"})
    rows = (
        rows.join(_catalogue_frame(usable), on="indikator_id", how="inner", maintain_order="left")
        .with_columns(
            pl.col("periode").cast(pl.String).alias("per"),
            pl.coalesce("nenner_stichtag", "periode").cast(pl.String).alias("_nper"),
        )
        # the numerator cell is withheld
        .join(
            _withheld(public).rename({"merkmal": "_zm"}), on=["_zm", "per", "gebiet_id"],
            how="semi", maintain_order="left",
        )
        # the denominator as a published cell, where the row does not show it
        .join(denominators, on=["_nm", "_nper", "gebiet_id"], how="left", maintain_order="left")
    )  # fmt: skip
    out = []
    cols = ("indikator_id", "gebiet_id", "periode", "wert", "untergrenze", "obergrenze",
            "nenner", "_n_pub", "unsicher", "_zm")  # fmt: skip
    for i, gid, per, w, lo, hi, n, n_pub, uns, zm in rows.select(cols).iter_rows():
        f = factor[i]
        if n is None:
            n = n_pub
        if n is None:
            continue
        if w is not None and not uns and lo is None and hi is None:
            low = high = w * n / f
        elif lo is not None and hi is not None:
            low, high = lo * n / f, hi * n / f
        else:
            continue
        first, last = math.ceil(low - 1e-6), math.floor(high + 1e-6)
        if first == last:
            how = f"indikatoren {i}: Quote (Schranken) mal bekannter Nenner {n}"
            out.append(_finding(owner[zm], zm, per, gid, first, "quote", how))
    return out


def _visible_changes(ind) -> list[tuple]:
    """A change is value minus the earlier value: the earlier one must be published."""
    if "dynamik" not in ind.columns:
        return []
    earlier = ind.select(
        "indikator_id",
        "gebiet_id",
        pl.col("periode").alias("dynamik_vergleichsperiode"),
        pl.col("wert").alias("_frueher"),
    )
    j = ind.filter(pl.col("dynamik").is_not_null()).join(
        earlier, on=["indikator_id", "gebiet_id", "dynamik_vergleichsperiode"], how="left"
    )
    bad = j.filter(pl.col("_frueher").is_null() | pl.col("wert").is_null())
    how = "Wert minus Veränderung ergibt den gesperrten früheren Wert"
    cols = ("indikator_id", "gebiet_id", "dynamik_vergleichsperiode", "wert", "dynamik")
    return [
        _finding("indikatoren", i, p, g, None if w is None else w - d, "dynamik", how)
        for i, g, p, w, d in bad.select(cols).iter_rows()
    ]


def _visible_controlling(ctrl, kat, owner, public: pl.DataFrame) -> list[tuple]:
    """A case count controlling shows for an area and year whose cell is withheld."""
    denominators = {k: n for k, (_, n) in kat.items() if n in owner}
    rows = (
        ctrl.filter(
            (pl.col("schluessel_art") == "gebiet")
            & pl.col("kennzahl").is_in(list(denominators))
            & (pl.col("nenner").is_not_null() | pl.col("zaehler").is_not_null())
        )
        .select(
            "kennzahl",
            pl.col("kennzahl")
            .replace_strict(denominators, return_dtype=pl.String)
            .alias("merkmal"),
            pl.col("haushaltsjahr").cast(pl.String).alias("_jahr"),
            pl.col("schluessel").alias("gebiet_id"),
            "nenner",
        )
        .with_row_index("_zeile")
    )
    hits = (
        rows.join(_withheld(public), on=["merkmal", "gebiet_id"], how="inner")
        .filter(pl.col("per").str.slice(0, 4) == pl.col("_jahr"))
        .sort("_zeile", "per", maintain_order=True)
    )
    out = []
    for kz, nm, per, gid, n in hits.select(
        "kennzahl", "merkmal", "per", "gebiet_id", "nenner"
    ).iter_rows():
        how = f"controlling {kz}: Fallzahl oder Kosten veröffentlicht, Fallzahl gesperrt"
        out.append(_finding(owner[nm], nm, per, gid, n, "sichtbar", how))
    return out


# controlling tables over the city's case counts: columns that give the count of the row's
# year (0) or of the year before (-1) back, together with the public Ist and inhabitants
CASE_COLUMNS = {
    "controlling_zerlegung": {
        0: ("faelle", "kosten_je_fall", "mengeneffekt", "preiseffekt", "restglied"),
        -1: ("faelle_vorjahr", "kosten_je_fall_vorjahr", "mengeneffekt", "preiseffekt",
             "restglied"),
    },
    "controlling_kennzahlen": {
        0: ("faelle", "kosten_je_fall", "faelle_je_1000_ew", "faelle_veraenderung_prozent",
            "kosten_je_fall_veraenderung_prozent"),
        -1: ("faelle_vorjahr", "kosten_je_fall_vorjahr", "faelle_veraenderung_prozent",
             "kosten_je_fall_veraenderung_prozent"),
    },
}  # fmt: skip


def _visible_case_tables(tables, counts: DisclosureResult, today: str) -> list[tuple]:
    """A case figure of the city (a yearly mean or count, or anything it is derived from)
    may stand only where every reference date of that year is published for the city."""
    if not any(name in tables for name in CASE_COLUMNS):
        return []
    if counts.trees is None or today not in counts.trees:
        return []
    tree = counts.trees[today]
    roots = tree.filter(pl.col("parent_id").is_null())["gebiet_id"].to_list()
    withheld: dict[tuple, str] = {}
    for t, m, p, g in (
        counts.cells.filter((pl.col("symbol") == "*") & pl.col("gebiet_id").is_in(roots))
        .select("tabelle", "merkmal", "periode", "gebiet_id")
        .iter_rows()
    ):
        withheld.setdefault((m, int(str(p)[:4])), f"{t}|{p}|{g}")
    out = []
    for name, columns in CASE_COLUMNS.items():
        if name not in tables:
            continue
        frame = tables[name]
        for row in frame.iter_rows(named=True):
            for offset, cols in columns.items():
                year = int(row["haushaltsjahr"]) + offset
                cell = withheld.get((row["fall_merkmal"], year))
                shown = [c for c in cols if row.get(c) is not None]
                if cell is None or not shown:
                    continue
                tab, per, gid = cell.split("|")
                how = f"{name} {', '.join(shown)} veröffentlicht, Fallzahl {year} gesperrt"
                out.append(_finding(tab, row["fall_merkmal"], per, gid, None, "geld", how))
    return out


def _visible_kontrakte(frame: pl.DataFrame, cfg: DisclosureConfig) -> list[tuple]:
    """A count of people in `kontrakte` (the outputs flagged `personenzahl`) a reader can
    read or derive (Ist, Zielerreichung × Soll / 100, Ist EUR / Kosten je Einheit, the
    status against the Soll) must be 0 or at least min_fallzahl."""
    out = []
    small = range(1, cfg.min_fallzahl)
    for r in frame.filter(pl.col("personenzahl")).iter_rows(named=True):
        derived: list[tuple[float, str]] = []
        if r["ist"] is not None:
            derived.append((r["ist"], "Ist veröffentlicht"))
        if r["zielerreichung"] is not None and r["soll"] is not None:
            derived.append((r["zielerreichung"] * r["soll"] / 100, "Zielerreichung × Soll / 100"))
        if r["kosten_je_einheit"] and r["ist_eur"] is not None:
            derived.append((r["ist_eur"] / r["kosten_je_einheit"], "Ist EUR / Kosten je Einheit"))
        possible = status_values(r["status"], r["richtung"], r["soll"], small)
        if r["ist"] is None and r["symbol"] == "*" and len(possible) == 1:
            derived.append((float(possible[0]), f"Status {r['status']} gegen Soll {r['soll']}"))
        for value, how in derived:
            if 0 < round(value) < cfg.min_fallzahl:
                key = ("kontrakte", r["kennzahl"], str(r["jahr"]), r["massnahme_id"])
                out.append(_finding(*key, float(round(value)), "kontrakt", how))
    return out


def _visible_reviews(tables) -> list[tuple]:
    """The Zielüberprüfung and the Wirkungsanalyse are built from published values only: a
    point of an output series must be an Ist `kontrakte` publishes, and every area value a
    Wirkungsanalyse mean is made of must be published in `indikatoren` (else the mean,
    times the areas, minus the others gives it back)."""
    out = []
    kontrakte = tables["kontrakte"]
    ist = {
        (m, k, int(j)): v
        for m, k, j, v in kontrakte.select("massnahme_id", "kennzahl", "jahr", "ist").rows()
    }
    people = {
        (m, k)
        for m, k in kontrakte.filter(pl.col("personenzahl"))
        .select("massnahme_id", "kennzahl")
        .rows()
    }
    review = tables.get("zielueberpruefung")
    if review is not None:
        for r in review.filter(pl.col("ziel_art") == "leistung").iter_rows(named=True):
            if (r["massnahme_id"], r["kennzahl"]) not in people or not r["reihe"]:
                continue
            for part in r["reihe"].split("; "):
                year = int(part.split(":")[0])
                if ist.get((r["massnahme_id"], r["kennzahl"], year)) is None:
                    key = ("kontrakte", r["kennzahl"], str(year), r["massnahme_id"])
                    how = f"zielueberpruefung: Reihe enthält {year}, Ist in kontrakte gesperrt"
                    out.append(_finding(*key, None, "kontrakt", how))
    wirkung = tables.get("wirkungsanalyse")
    if wirkung is not None and "indikatoren" in tables:
        shown = {
            (i, g, p)
            for i, g, p in tables["indikatoren"]
            .filter(pl.col("wert").is_not_null())
            .select("indikator_id", "gebiet_id", "periode")
            .rows()
        }
        for r in wirkung.filter(pl.col("differenz_in_differenzen").is_not_null()).iter_rows(
            named=True
        ):
            for col in ("gebiete", "vergleichsgebiete"):
                for g in (r[col] or "").split(","):
                    for day in (r["vorher_periode"], r["nachher_periode"]):
                        if g and (r["indikator_id"], g, day) not in shown:
                            key = ("indikatoren", r["indikator_id"], str(day), g)
                            how = (
                                f"wirkungsanalyse {r['massnahme_id']}: Mittel über gesperrten Wert"
                            )
                            out.append(_finding(*key, None, "mittelwert", how))
    return out


def _visible_index(index, ind, status: list[str]) -> list[tuple]:
    """Shares and changes of the index must be published in `indikatoren`; the mean and
    spread its z-values reveal must be those of the published values alone."""
    from pipelines.sozialindex.compute import standardise

    out = []
    pub = ind.select("indikator_id", "gebiet_id", "periode", "wert", "dynamik")
    for name in status:
        rows = index.join(
            pub.filter(pl.col("indikator_id") == name).drop("indikator_id"),
            on=["gebiet_id", "periode"],
            how="left",
        )
        for col, ref in ((name, "wert"), (f"{name}_dynamik", "dynamik")):
            if col not in index.columns:
                continue
            bad = rows.filter(pl.col(col).is_not_null() & pl.col(ref).is_null())
            for g, p, v in bad.select("gebiet_id", "periode", col).iter_rows():
                how = f"sozialindex {col} veröffentlicht, in indikatoren gesperrt"
                out.append(_finding("indikatoren", name, p, g, v, "sichtbar", how))
            zcol = f"z_{col}"
            if zcol not in index.columns:
                continue
            for (p,), part in rows.partition_by("periode", as_dict=True).items():
                used = part.filter(pl.col(zcol).is_not_null())
                if used.height < 2:
                    continue
                if used[col].null_count():
                    how = f"{zcol} über Gebiete mit gesperrtem Wert standardisiert"
                    out.append(_finding("sozialindex", col, p, None, None, "mittelwert", how))
                    continue
                again = standardise(used[col].to_list())
                if again is None or any(
                    abs(a - b) > Z_TOLERANCE * max(1.0, abs(b))
                    for a, b in zip(again, used[zcol].to_list(), strict=True)
                ):
                    how = f"{zcol}: Mittelwert/Streuung enthalten nicht veröffentlichte Werte"
                    out.append(_finding("sozialindex", col, p, None, None, "mittelwert", how))
    return out


# the recast check's answers, remembered between runs under a digest of what decides them
RECAST_MEMO = "umrechnung_geprueft.pickle"


def _visible_recast(
    counts: DisclosureResult, crosswalk: pl.DataFrame, today: str, cache_dir: Path | None = None
) -> list[tuple]:
    """A published recast value must be a combination of published cells of its layout.

    Whether it is depends only on the old layout, today's layout, the crosswalk between
    them, the pattern of published old cells and the area: the answers are kept in the
    warehouse folder's disclosure cache under a digest of the first three and the rules'
    source code, so one more month checks only patterns and areas not seen before (berlin:
    most of the reader attacker's time otherwise). Answers of layouts no run uses any more
    are dropped.
    """
    out = []
    solved = counts.solved
    trees = counts.trees
    today_tree = load_hierarchy(trees[today])
    memo = Memo(cache_dir, RECAST_MEMO)
    today_rows = repr(sorted(map(repr, trees[today].rows())))
    visible: dict[tuple, list[str]] = {}
    for t, m, p, g in (
        counts.cells.filter(pl.col("wert").is_not_null())
        .select("tabelle", "merkmal", "periode", "gebiet_id")
        .iter_rows()
    ):
        visible.setdefault((t, m, p), []).append(g)
    for (stand,), part in sorted(
        solved.filter(pl.col("gebietsstand") != today)
        .partition_by("gebietsstand", as_dict=True)
        .items()
    ):
        cw = (
            crosswalk.filter(pl.col("gebietsstand").cast(pl.String) == stand)
            .select("herkunft_gebiet_id", "gebiet_id", "anteil")
            .rows()
        )
        key = digest(
            rules_digest(),
            repr(sorted(map(repr, trees[stand].rows()))),
            today_rows,
            repr(sorted(map(repr, cw))),
        )
        # {pattern of published old cells: {today's area: is its value in their span}}
        if key not in memo:
            memo.put(key, {})
        checked: dict[tuple, dict[str, bool]] = memo.get(key)
        old = w = None  # built only when an answer is missing
        spans: dict[tuple, Span] = {}  # most systems share a pattern: reduce it once
        patterns = part.group_by(["tabelle", "merkmal", "periode"], maintain_order=True).agg(
            pl.col("gebiet_id").filter(pl.col("wert").is_not_null()).sort().alias("public")
        )
        for tab, mm, per, public in patterns.iter_rows():
            public = tuple(public)
            answers = checked.setdefault(public, {})
            for g in visible.get((tab, mm, per), ()):
                if g not in answers:
                    if old is None:
                        old, w = load_hierarchy(trees[stand]), weights(today_tree, cw)
                    if public not in spans:
                        spans[public] = Span(list(public), old)
                    answers[g] = spans[public].contains(w.get(g, {}))
                if not answers[g]:
                    how = "umgerechneter Wert nicht aus veröffentlichten Zellen des Gebietsstands"
                    out.append(_finding(tab, mm, per, g, None, "umgerechnet", how))
    memo.save()
    return out


ATTACK_MEMO = "angriff_geprueft.pickle"


class Memo:
    """Answers kept in the disclosure cache between runs, one pickle file: what this run
    asks for is written back, answers no run asked for any more are dropped. Without a
    folder (`cache_dir` None) it remembers within the run only."""

    def __init__(self, cache_dir: Path | None, name: str) -> None:
        self.path = cache_dir / name if cache_dir is not None else None
        self._old = _load_memo(self.path)
        self._kept: dict = {}

    def __contains__(self, key: str) -> bool:
        return key in self._kept or key in self._old

    def get(self, key: str):
        if key not in self._kept:
            self._kept[key] = self._old[key]
        return self._kept[key]

    def put(self, key: str, value) -> None:
        self._kept[key] = value

    def save(self) -> None:
        _save_memo(self.path, self._kept)


def _load_memo(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    try:
        memo = pickle.loads(path.read_bytes())  # written by this program, owner-only folder
    except Exception:  # damaged: every answer is computed again
        return {}
    return memo if isinstance(memo, dict) else {}


def _save_memo(path: Path | None, memo: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(memo, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)  # a crash leaves the old file or the new one, never half of one


def _follows(counts: DisclosureResult, identities, cfg, today: str, memo: Memo) -> list[tuple]:
    """The full attacker on the published cells of every system, on its own layout."""
    if counts.solved is None or counts.trees is None:
        return []
    out = []
    for (stand,), part in sorted(counts.solved.partition_by("gebietsstand", as_dict=True).items()):
        found = _attack_systems(
            part.drop("gebietsstand"), counts.trees[stand], identities, cfg, memo
        )
        for t, m, p, g, w, how, text in found:
            out.append(_finding(t, m, p, g, w, how, text))
    return out


def _attack_systems(
    published: pl.DataFrame, tree: pl.DataFrame, identities, cfg, memo: Memo
) -> list[tuple]:
    """`attack` system by system (tabelle, periode), its rows in the order of the systems.

    A system's findings depend only on its cells, its layout, the identities and the
    rules: `memo` keeps them under a digest of these, so one more month attacks only the
    systems that are new or changed."""
    identities = list(identities)
    layout = digest(
        rules_digest(), "angriff", repr(sorted(map(repr, identities))), repr(cfg), _ipc(tree)
    )
    systems = published.partition_by(["tabelle", "periode"], as_dict=True, maintain_order=True)
    keys = {k: digest(layout, _ipc(system)) for k, system in systems.items()}
    todo = [k for k, key in keys.items() if key not in memo]
    if todo:
        found = attack(pl.concat([systems[k] for k in todo]), tree, identities, cfg)
        per_system: dict[tuple, list[tuple]] = {k: [] for k in todo}
        for row in found.rows():
            per_system[(row[0], row[2])].append(row)
        for k in todo:
            memo.put(keys[k], per_system[k])
    return [
        row for k in sorted(systems, key=lambda k: (k[0], str(k[1]))) for row in memo.get(keys[k])
    ]


def _from_tables(
    refs: pl.DataFrame, owner, counts: DisclosureResult, identities, cfg, today, memo: Memo
) -> list[tuple]:
    """The attacker on the counts as `indikatoren` shows them (numerators, denominators;
    `refs` from _count_refs), without the system's own view: every count not shown is only
    known to be >= 0 (a balance: anything). A pinned cell is a finding where the system
    withheld it. `memo` keeps each system's findings under a digest of what the attacker
    sees."""
    if counts.trees is None or today not in counts.trees:
        return []
    tree = load_hierarchy(counts.trees[today])
    shared = digest(
        rules_digest(), "tabellen", _ipc(counts.trees[today]),
        repr(sorted(map(repr, identities))), repr(cfg),
    )  # fmt: skip
    withheld = {
        (t, str(p), m, g)
        for t, m, p, g in counts.cells.filter(pl.col("symbol") == "*")
        .select("tabelle", "merkmal", "periode", "gebiet_id")
        .iter_rows()
    }
    mine = refs.with_columns(
        pl.col("merkmal").replace_strict(owner, return_dtype=pl.String).alias("tab")
    )
    if counts.solved is not None:
        # the systems on today's layout only
        own_layout = (
            counts.solved.filter(pl.col("gebietsstand") == today)
            .select("tabelle", pl.col("periode").cast(pl.String).alias("per"))
            .unique()
            .rename({"tabelle": "tab"})
        )
        mine = mine.join(own_layout, on=["tab", "per"], how="semi", maintain_order="left")
    merkmale: dict[tuple, set] = {
        (t, p): set(m)
        for t, p, m in mine.group_by("tab", "per").agg(pl.col("merkmal").unique()).iter_rows()
    }
    shown: dict[tuple, dict] = {}
    # the last row of a (system, count, area) decides, as the row order of indikatoren says
    values = mine.filter(pl.col("wert").is_not_null()).unique(
        subset=["tab", "per", "merkmal", "gebiet_id"], keep="last", maintain_order=True
    )
    for (t, p), part in values.partition_by(["tab", "per"], as_dict=True).items():
        shown[(t, p)] = dict(
            zip(
                zip(part["merkmal"].to_list(), part["gebiet_id"].to_list(), strict=True),
                map(round, part["wert"].to_list()),
                strict=True,
            )
        )
    out = []
    for system in sorted(merkmale):
        tab, per = system
        exact = shown.get(system, {})
        keys = [(m, g) for m in sorted(merkmale[system]) for g in tree.areas]
        bounds = {
            k: ((-INF, INF) if k[0] in cfg.vorzeichen else (0, INF)) for k in keys if k not in exact
        }
        targets = {k for k in bounds if (tab, per, *k) in withheld}
        if not targets:
            continue
        key = digest(
            shared, tab, repr(sorted(exact.items())), repr(sorted(bounds.items())),
            repr(sorted(targets)),
        )  # fmt: skip
        if key not in memo:
            memo.put(
                key, _attack_shown(tab, per, keys, exact, bounds, targets, tree, identities, cfg)
            )
        out += memo.get(key)
    return out


def _attack_shown(tab, per, keys, exact, bounds, targets, tree, identities, cfg) -> list[tuple]:
    eqs = build_equations(keys, tree, [i for i in identities if i.tabelle == tab])
    view = View({k: exact[k] for k in keys if k in exact}, bounds, targets)
    try:
        found, _ = infer(view, eqs, max_nodes=cfg.max_knoten)
    except InconsistentSystemError as err:
        return [_finding(tab, None, per, None, None, "widerspruch", str(err))]
    return [
        _finding(tab, f.key[0], per, f.key[1], f.wert, f"leser_{f.methode}", f.herleitung)
        for f in found
    ]


def _money(ind, kat, counts: DisclosureResult, cfg, today: str, memo: Memo) -> list[tuple]:
    """Money totals of rates over case counts (HzE cost per case): a hierarchy of their
    own, in cents, withheld where the rate is; attacked like counts."""
    if counts.trees is None or today not in counts.trees:
        return []
    out = []
    for i, (zm, nm) in sorted(kat.items()):
        if zm is None or nm is None or zm in set(counts.cells["merkmal"].unique().to_list()):
            continue
        rows = ind.filter(pl.col("indikator_id") == i)
        if rows.is_empty() or not rows.filter(pl.col("einheit") == "EUR").height:
            continue
        frame = rows.select(
            pl.lit(MONEY_TABLE).alias("tabelle"),
            pl.lit(zm).alias("merkmal"),
            pl.col("periode").cast(pl.String),
            "gebiet_id",
            (pl.col("zaehler") * 100).round(0).cast(pl.Int64).alias("wert"),
            pl.when(pl.col("zaehler").is_not_null())
            .then(None)
            .when(pl.col("symbol") == "*")
            .then(pl.lit("*"))
            .otherwise(pl.lit("."))
            .alias("symbol"),
        )
        money_cfg = DisclosureConfig(max_knoten=cfg.max_knoten, quelle_stern_min=0)
        found = _attack_systems(frame, counts.trees[today], (), money_cfg, memo)
        for t, m, p, g, w, how, text in found:
            out.append(_finding(t, m, p, g, None if w is None else w / 100, f"geld_{how}", text))
    return out
