"""Publishing the forward view: the projection, its back-test quality and the Bedarfsplanung.

The rules (docs/bedarfsplanung.md "Publication", docs/decisions.md "Published projection"):

- `bevoelkerungsprognose` is published in age groups (the cut points of the
  Bedarfseckwerte bands) plus the total, both sexes together, rounded to whole persons. A
  figure stands only where it reaches `offenlegung.min_fallzahl` and the area's projected
  total reaches `offenlegung.min_einwohner`; otherwise `.`. The figures are estimates, not
  counts of people.
- `prognose_guete` holds error measures over many areas, no counts: published as it is.
- `bedarfsplanung`: places, target and `je` are public. The demand population of an `ist`
  row is a count of people: one cell of the one disclosure system per (type, 31.12), with
  the type's planning level and every coarser level as its hierarchy (primary `*` below
  min_fallzahl, secondary suppression). Where the band is one of the counts the
  `einwohner` table already publishes (`ew`, `ew_u18`, `ew_65plus`), the cell takes that
  count's published state instead, so the two tables never disagree. Areas below
  min_einwohner inhabitants are `.`. `bedarf_plaetze`, `platzsaldo` and `versorgungsquote`
  give the count back with the public places, so they take the symbol of the row's demand
  population. Projected rows follow the projection's rule.
"""

from __future__ import annotations

import polars as pl

from pipelines.bedarf import IST
from pipelines.disclosure import DisclosureConfig, apply_disclosure
from pipelines.publish.tables import MISSING_SYMBOL, TABLES

TABLE = "bedarfsplanung"
TOTAL_GROUP = "insgesamt"
OPEN_AGE = 100  # the Bedarfseckwerte's "100 = 100 and older"
# columns of a bedarfsplanung row that give its demand population back (places are public)
DERIVED = ("bedarf_plaetze", "versorgungsquote", "platzsaldo")


def age_groups(eckwerte: dict) -> list[tuple[str, int, int]]:
    """(label, alter_von, alter_bis) from the cut points of the Bedarfseckwerte bands,
    the last group open ("65+"), then the total. With the defaults: 0-2, 3-5, 6-9, 10-17,
    18-64, 65+, insgesamt."""
    cuts = {0}
    for band in eckwerte.values():
        cuts.add(int(band["alter_von"]))
        if int(band["alter_bis"]) < OPEN_AGE:
            cuts.add(int(band["alter_bis"]) + 1)
    cuts = sorted(c for c in cuts if c < OPEN_AGE)
    out = []
    for lo, hi in zip(cuts, [*cuts[1:], None], strict=True):
        if hi is None:
            out.append((f"{lo}+", lo, OPEN_AGE))
        else:
            out.append((f"{lo}-{hi - 1}", lo, hi - 1))
    out.append((TOTAL_GROUP, 0, OPEN_AGE))
    return out


def _group_expr(groups: list[tuple[str, int, int]]) -> pl.Expr:
    expr = pl.lit(None, pl.String)
    for label, lo, hi in reversed([g for g in groups if g[0] != TOTAL_GROUP]):
        cond = pl.col("alter") >= lo if hi >= OPEN_AGE else pl.col("alter").is_between(lo, hi)
        expr = pl.when(cond).then(pl.lit(label)).otherwise(expr)
    return expr


def publish_prognose(prognose: pl.DataFrame, eckwerte: dict, cfg: DisclosureConfig) -> pl.DataFrame:
    """marts.bevoelkerungsprognose in age groups and the total, rounded, `.` where small."""
    groups = age_groups(eckwerte)
    keys = ["gebiet_id", "ebene", "basis_stichtag", "stichtag", "variante"]
    bounds = pl.DataFrame(
        [(g, lo, hi) for g, lo, hi in groups],
        schema={"altersgruppe": pl.String, "alter_von": pl.Int32, "alter_bis": pl.Int32},
        orient="row",
    )
    grouped = (
        prognose.with_columns(_group_expr(groups).alias("altersgruppe"))
        .group_by([*keys, "altersgruppe"])
        .agg(pl.col("einwohner").sum())
    )
    total = prognose.group_by(keys).agg(pl.col("einwohner").sum().alias("_gesamt"))
    rows = pl.concat(
        [
            grouped,
            total.select(
                *keys,
                pl.lit(TOTAL_GROUP).alias("altersgruppe"),
                pl.col("_gesamt").alias("einwohner"),
            ),
        ]
    ).join(total, on=keys)
    shown = (pl.col("einwohner").round(0) >= cfg.min_fallzahl) & (
        pl.col("_gesamt").round(0) >= cfg.min_einwohner
    )
    out = rows.join(bounds, on="altersgruppe").with_columns(
        pl.when(shown).then(pl.col("einwohner").round(0).cast(pl.Int64)).alias("einwohner"),
        pl.when(shown).then(None).otherwise(pl.lit(MISSING_SYMBOL)).alias("symbol"),
    )
    order = {g: i for i, (g, _, _) in enumerate(groups)}
    out = out.with_columns(
        pl.col("altersgruppe").replace_strict(order, return_dtype=pl.Int32).alias("_o")
    )
    return out.sort("basis_stichtag", "variante", "stichtag", "gebiet_id", "_o").select(
        TABLES["bevoelkerungsprognose"].column_names
    )


def publish_guete(guete: pl.DataFrame) -> pl.DataFrame:
    return guete.sort(
        "basis_stichtag", "horizont_jahre", "ebene", "zielgruppe", "groessenklasse", "methode"
    ).select(TABLES["prognose_guete"].column_names)


def _band_count(alter_von: int, alter_bis: int, parameters: dict) -> str | None:
    """The einwohner count that is exactly this age band, if any."""
    if alter_bis >= OPEN_AGE:
        if alter_von == 0:
            return "ew"
        if alter_von == int(parameters.get("alter_senioren_ab", 65)):
            return "ew_65plus"
    if (alter_von, alter_bis) == (0, 17):
        return "ew_u18"
    return None


def art_tree(plan: pl.DataFrame, hierarchy: pl.DataFrame, art: str) -> pl.DataFrame:
    """The hierarchy of one type: its planning level and every coarser level (the areas its
    rows have); the planning-level areas are its leaves."""
    areas = plan.filter(pl.col("art") == art)["gebiet_id"].unique().implode()
    return hierarchy.filter(pl.col("gebiet_id").is_in(areas))


def disclose_demand(
    plan: pl.DataFrame,
    hierarchy: pl.DataFrame,
    cfg: DisclosureConfig,
    published_counts: pl.DataFrame | None = None,
    parameters: dict | None = None,
) -> pl.DataFrame:
    """(art, stichtag, gebiet_id, wert, symbol) of the demand population of every `ist` row.

    `published_counts`: the cells of the one disclosure system (tabelle einwohner); a band
    equal to one of its counts takes its published state."""
    ist = plan.filter(pl.col("variante") == IST)
    parts = []
    parameters = parameters or {}
    for (art,), rows in sorted(ist.partition_by("art", as_dict=True).items()):
        first = rows.row(0, named=True)
        same = _band_count(first["alter_von"], first["alter_bis"], parameters)
        if same is not None and published_counts is not None:
            known = published_counts.filter(
                (pl.col("tabelle") == "einwohner") & (pl.col("merkmal") == same)
            ).select(
                pl.col("periode").cast(pl.Date).alias("stichtag"),
                "gebiet_id",
                pl.col("wert").cast(pl.Int64),
                "symbol",
            )
            taken = rows.select("stichtag", "gebiet_id").join(
                known, on=["stichtag", "gebiet_id"], how="left"
            )
            if (
                taken["symbol"].is_not_null().sum() + taken["wert"].is_not_null().sum()
                == taken.height
            ):
                parts.append(
                    taken.select(
                        pl.lit(art).alias("art"), "stichtag", "gebiet_id", "wert", "symbol"
                    )
                )
                continue
        # one system per date, on the areas that have a row on that date
        for (_day,), day_rows in sorted(rows.partition_by("stichtag", as_dict=True).items()):
            tree = art_tree(day_rows, hierarchy, art)
            leaves = tree.join(
                tree.select(pl.col("parent_id").alias("gebiet_id")).unique(),
                on="gebiet_id",
                how="anti",
            )
            cells = day_rows.join(leaves.select("gebiet_id"), on="gebiet_id").select(
                pl.lit(TABLE).alias("tabelle"),
                pl.lit(art).alias("merkmal"),
                pl.col("stichtag").alias("periode"),
                "gebiet_id",
                pl.col("bedarfsbevoelkerung").round(0).cast(pl.Int64).alias("wert"),
                pl.lit(None, pl.String).alias("quell_symbol"),
            )
            result = apply_disclosure(cells, tree, cfg=cfg)
            parts.append(
                result.cells.select(
                    pl.col("merkmal").alias("art"),
                    pl.col("periode").alias("stichtag"),
                    "gebiet_id",
                    pl.col("wert").cast(pl.Int64),
                    "symbol",
                )
            )
    schema = {
        "art": pl.String,
        "stichtag": pl.Date,
        "gebiet_id": pl.String,
        "wert": pl.Int64,
        "symbol": pl.String,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat([p.cast(schema) for p in parts])


def publish_bedarfsplanung(
    plan: pl.DataFrame,
    prognose: pl.DataFrame,
    population: pl.DataFrame,
    hierarchy: pl.DataFrame,
    cfg: DisclosureConfig,
    published_counts: pl.DataFrame | None = None,
    parameters: dict | None = None,
) -> pl.DataFrame:
    """marts.bedarfsplanung as published.

    `prognose`: marts.bevoelkerungsprognose (the projected total of an area);
    `population`: (gebiet_id, stichtag, einwohner) delivered inhabitants of every area."""
    demand = disclose_demand(plan, hierarchy, cfg, published_counts, parameters)
    totals = (
        prognose.group_by("gebiet_id", "basis_stichtag", "stichtag", "variante")
        .agg(pl.col("einwohner").sum().alias("_gesamt"))
        .rename({"stichtag": "_st"})
    )
    out = (
        plan.join(
            demand.rename({"wert": "_wert", "symbol": "_sym"}),
            on=["art", "stichtag", "gebiet_id"],
            how="left",
        )
        .join(
            population.select(
                "gebiet_id", pl.col("stichtag").alias("_st"), pl.col("einwohner").alias("_ew")
            ),
            left_on=["gebiet_id", "stichtag"],
            right_on=["gebiet_id", "_st"],
            how="left",
        )
        .join(
            totals,
            left_on=["gebiet_id", "basis_stichtag", "stichtag", "variante"],
            right_on=["gebiet_id", "basis_stichtag", "_st", "variante"],
            how="left",
        )
    )
    ist = pl.col("variante") == IST
    rounded = pl.col("bedarfsbevoelkerung").round(0)
    symbol = (
        pl.when(ist)
        .then(
            pl.when(pl.col("_ew").is_null() | (pl.col("_ew") < cfg.min_einwohner))
            .then(pl.lit(MISSING_SYMBOL))
            .when(pl.col("_wert").is_null() & pl.col("_sym").is_null())
            .then(pl.lit(MISSING_SYMBOL))
            .when(pl.col("_sym") == "-")
            .then(None)
            .otherwise(pl.col("_sym"))
        )
        .otherwise(
            pl.when(
                (rounded >= cfg.min_fallzahl) & (pl.col("_gesamt").round(0) >= cfg.min_einwohner)
            )
            .then(None)
            .otherwise(pl.lit(MISSING_SYMBOL))
        )
    )
    out = out.with_columns(symbol.alias("symbol"))
    shown = pl.col("symbol").is_null()
    pop = pl.col("bedarfsbevoelkerung")
    # an ist row shows the value of the disclosure system (whole persons, coarser areas the
    # sums of the planning level's), a projected row its rounded estimate
    value = pl.when(ist).then(pl.col("_wert").cast(pl.Float64)).otherwise(rounded)
    out = (
        out.with_columns(
            pl.when(shown).then(value).alias("bedarfsbevoelkerung"),
        )
        .with_columns(
            pl.when(shown).then(pop * pl.col("zielwert") / pl.col("je")).alias("bedarf_plaetze"),
            pl.when(shown & (pop > 0))
            .then(pl.col("plaetze") * pl.col("je") / pop)
            .alias("versorgungsquote"),
        )
        .with_columns(
            pl.when(shown).then(pl.col("plaetze") - pl.col("bedarf_plaetze")).alias("platzsaldo"),
        )
    )
    return out.sort("art", "variante", "jahr", "gebiet_id").select(TABLES[TABLE].column_names)


def planning_findings(
    frame: pl.DataFrame, hierarchy: pl.DataFrame, cfg: DisclosureConfig
) -> pl.DataFrame:
    """The reader attacker on the published bedarfsplanung: what a reader reads or derives
    of an `ist` row's demand population (the column itself; bedarf_plaetze × je / zielwert;
    (plaetze − platzsaldo) × je / zielwert; plaetze × je / versorgungsquote) must be the
    published value, and the visible cells with the area hierarchy of each type must pin
    no withheld cell (`attack`). Findings in the schema of the reader attacker."""
    from pipelines.disclosure.attack import attack
    from pipelines.disclosure.reader import FINDING_SCHEMA

    findings = []
    published = []
    for r in frame.filter(pl.col("variante") == IST).iter_rows(named=True):
        derived = []
        if r["bedarfsbevoelkerung"] is not None:
            derived.append(r["bedarfsbevoelkerung"])
        if r["zielwert"] and r["bedarf_plaetze"] is not None:
            derived.append(r["bedarf_plaetze"] * r["je"] / r["zielwert"])
        if r["zielwert"] and r["platzsaldo"] is not None and r["plaetze"] is not None:
            derived.append((r["plaetze"] - r["platzsaldo"]) * r["je"] / r["zielwert"])
        if r["versorgungsquote"] and r["plaetze"] is not None:
            derived.append(r["plaetze"] * r["je"] / r["versorgungsquote"])
        values = {round(v) for v in derived}
        key = (TABLE, r["art"], str(r["stichtag"]), r["gebiet_id"])
        if r["symbol"] is not None and values:
            for v in sorted(values):
                findings.append(
                    (*key, float(v), "sichtbar", "aus Plätzen, Bedarf, Saldo oder Quote")
                )
        wert = next(iter(values)) if len(values) == 1 else None
        sym = None if wert is not None else (r["symbol"] or ".")
        if wert == 0:
            sym = "-"
        published.append((TABLE, r["art"], r["stichtag"], r["gebiet_id"], wert, sym))
    cells = pl.DataFrame(
        published,
        schema={
            "tabelle": pl.String,
            "merkmal": pl.String,
            "periode": pl.Date,
            "gebiet_id": pl.String,
            "wert": pl.Int64,
            "symbol": pl.String,
        },
        orient="row",
    )
    for (art, _day), part in sorted(
        cells.partition_by("merkmal", "periode", as_dict=True).items(), key=str
    ):
        areas = part.select("gebiet_id").with_columns(pl.lit(art).alias("art"))
        found = attack(part, art_tree(areas, hierarchy, art), cfg=cfg)
        for t, m, p, g, w, how, text in found.rows():
            findings.append((t, m, str(p), g, None if w is None else float(w), how, text))
    return pl.DataFrame(findings, schema=FINDING_SCHEMA, orient="row")
