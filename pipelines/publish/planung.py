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

from pipelines.bedarf import IST, nachbarn
from pipelines.disclosure import DisclosureConfig, apply_disclosure
from pipelines.publish.cells import (
    AGE_TABLE,
    LOG_SCHEMA,
    ages_of,
    band_cell,
    band_identities,
    count_ages,
)
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


PROGNOSE_KEYS = ["gebiet_id", "ebene", "basis_stichtag", "stichtag", "variante"]


def read_prognose_groups(con, eckwerte: dict) -> pl.DataFrame:
    """marts.bevoelkerungsprognose summed in DuckDB into the published age groups and the
    total (`altersgruppe`, `einwohner`): the mart has a row per age and sex (8 million at
    berlin), the groups a tenth of that. The sums are exact decimals (as in dbt,
    `exakte_summe`), so they do not depend on the order DuckDB's threads add rows in."""
    groups = [g for g in age_groups(eckwerte) if g[0] != TOTAL_GROUP]
    case = " ".join(
        f"when alter >= {int(lo)}" + ("" if hi >= OPEN_AGE else f" and alter <= {int(hi)}")
        + f" then '{label}'"
        for label, lo, hi in groups
    )  # fmt: skip
    keys = ", ".join(PROGNOSE_KEYS)
    frame = con.execute(
        f"""select {keys}, coalesce(altersgruppe, '{TOTAL_GROUP}') as altersgruppe,
                   sum(einwohner::decimal(38, 10))::double as einwohner
            from (select *, case {case} end as altersgruppe from marts.bevoelkerungsprognose)
            group by grouping sets (({keys}, altersgruppe), ({keys}))"""
    ).pl()
    return frame.cast({"altersgruppe": pl.String})


def publish_prognose(prognose: pl.DataFrame, eckwerte: dict, cfg: DisclosureConfig) -> pl.DataFrame:
    """marts.bevoelkerungsprognose in age groups and the total, rounded, `.` where small.
    `prognose`: the groups and totals of `read_prognose_groups`."""
    groups = age_groups(eckwerte)
    keys = PROGNOSE_KEYS
    bounds = pl.DataFrame(
        [(g, lo, hi) for g, lo, hi in groups],
        schema={"altersgruppe": pl.String, "alter_von": pl.Int32, "alter_bis": pl.Int32},
        orient="row",
    )
    total = prognose.filter(pl.col("altersgruppe") == TOTAL_GROUP).select(
        *keys, pl.col("einwohner").alias("_gesamt")
    )
    rows = prognose.select(*keys, "altersgruppe", "einwohner").join(total, on=keys)
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


def demand_cells(
    plan: pl.DataFrame, hierarchy: pl.DataFrame, parameters: dict | None = None
) -> pl.DataFrame:
    """The demand population of the `ist` rows as cells of the einwohner system: one cell
    per age band (`band_cell`, types with the same band share it) that is no einwohner count
    (a band that is one, like 65+ = ew_65plus, is that count's cell already).

    Every finest area has a cell: its band population where the band's rows reach down to
    the finest level, else `x` (never published, nothing the system may count on); the
    coarser areas of the rows are given with their sums. Columns of the disclosure input
    (tabelle, merkmal, periode, gebiet_id, wert, quell_symbol)."""
    schema = {
        "tabelle": pl.String,
        "merkmal": pl.String,
        "periode": pl.Date,
        "gebiet_id": pl.String,
        "wert": pl.Int64,
        "quell_symbol": pl.String,
    }
    ist = plan.filter(pl.col("variante") == IST)
    if ist.is_empty():
        return pl.DataFrame(schema=schema)
    names = {
        (von, bis): band_cell(von, bis, parameters)
        for von, bis in ist.select("alter_von", "alter_bis").unique().iter_rows()
    }
    counts = set(count_ages(parameters))
    rows = (
        ist.with_columns(
            pl.struct("alter_von", "alter_bis")
            .map_elements(lambda r: names[(r["alter_von"], r["alter_bis"])], pl.String)
            .alias("merkmal")
        )
        .filter(~pl.col("merkmal").is_in(list(counts)))
        .select(
            "merkmal",
            pl.col("stichtag").alias("periode"),
            "gebiet_id",
            pl.col("bedarfsbevoelkerung").round(0).cast(pl.Int64).alias("wert"),
        )
        .unique(["merkmal", "periode", "gebiet_id"], keep="first")
    )
    leaves = hierarchy.join(
        hierarchy.select(pl.col("parent_id").alias("gebiet_id")).unique(),
        on="gebiet_id",
        how="anti",
    ).select("gebiet_id")
    rows = rows.join(hierarchy.select("gebiet_id"), on="gebiet_id")  # today's areas only
    reaches = (
        rows.join(leaves, on="gebiet_id")
        .select("merkmal", "periode")
        .unique()
        .with_columns(pl.lit(True).alias("_fein"))
    )
    grid = (
        rows.select("merkmal", "periode")
        .unique()
        .join(leaves, how="cross")
        .join(reaches, on=["merkmal", "periode"], how="left")
        .join(rows, on=["merkmal", "periode", "gebiet_id"], how="left")
        .select(
            "merkmal",
            "periode",
            "gebiet_id",
            pl.when(pl.col("_fein").is_null())
            .then(None)
            .otherwise(pl.col("wert").fill_null(0))
            .alias("wert"),
            pl.when(pl.col("_fein").is_null()).then(pl.lit("x")).alias("quell_symbol"),
        )
    )
    coarser = rows.join(leaves, on="gebiet_id", how="anti").with_columns(
        pl.lit(None, pl.String).alias("quell_symbol")
    )
    return (
        pl.concat([grid, coarser])
        .select(pl.lit(AGE_TABLE).alias("tabelle"), pl.all())
        .cast(schema)
        .sort("merkmal", "periode", "gebiet_id")
    )


def disclose_demand(
    plan: pl.DataFrame,
    hierarchy: pl.DataFrame,
    cfg: DisclosureConfig,
    published_counts: pl.DataFrame | None = None,
    parameters: dict | None = None,
) -> pl.DataFrame:
    """(art, stichtag, gebiet_id, wert, symbol) of the demand population of every `ist` row.

    `published_counts`: the cells of the one disclosure system (tabelle einwohner), solved
    with the band cells of `demand_cells` (`cells.disclose_counts(..., extra_cells=...)`):
    each row takes the published state of its band's cell, so the bands and the einwohner
    counts of the same area and date are protected together (0-2 + 3-5 + 6-9 + 10-17 =
    ew_u18). A row without a cell (a date whose population was delivered on an older area
    layout) is withheld. Without `published_counts` (no einwohner counts published at all)
    the bands are solved on their own, with the identities among them."""
    ist = plan.filter(pl.col("variante") == IST)
    schema = {
        "art": pl.String,
        "stichtag": pl.Date,
        "gebiet_id": pl.String,
        "wert": pl.Int64,
        "symbol": pl.String,
    }
    if ist.is_empty():
        return pl.DataFrame(schema=schema)
    if published_counts is None:
        own = demand_cells(plan, hierarchy, parameters)
        published_counts = apply_disclosure(
            own, hierarchy, band_identities(ages_of(own["merkmal"].unique(), parameters)), cfg
        ).cells
    names = {
        (von, bis): band_cell(von, bis, parameters)
        for von, bis in ist.select("alter_von", "alter_bis").unique().iter_rows()
    }
    known = published_counts.filter(pl.col("tabelle") == AGE_TABLE).select(
        "merkmal",
        pl.col("periode").cast(pl.Date).alias("stichtag"),
        "gebiet_id",
        pl.col("wert").cast(pl.Int64),
        "symbol",
    )
    return (
        ist.with_columns(
            pl.struct("alter_von", "alter_bis")
            .map_elements(lambda r: names[(r["alter_von"], r["alter_bis"])], pl.String)
            .alias("merkmal")
        )
        .select("art", "merkmal", "stichtag", "gebiet_id")
        .join(known, on=["merkmal", "stichtag", "gebiet_id"], how="left")
        .select(list(schema))
        .cast(schema)
    )


def publish_bedarfsplanung(
    plan: pl.DataFrame,
    prognose: pl.DataFrame,
    population: pl.DataFrame,
    hierarchy: pl.DataFrame,
    cfg: DisclosureConfig,
    published_counts: pl.DataFrame | None = None,
    parameters: dict | None = None,
    pairs: pl.DataFrame | None = None,
    anteile: dict[str, float] | None = None,
) -> pl.DataFrame:
    """marts.bedarfsplanung as published.

    `pairs`/`anteile`: neighbouring areas and each type's `nachbarn_anteil`
    (`pipelines.bedarf.nachbarn`); the neighbour columns are computed again from the
    published Platzsaldo, so they are known exactly where every saldo they rest on is
    published and null elsewhere (None: no neighbour supply).

    `prognose`: the groups of marts.bevoelkerungsprognose (`read_prognose_groups`; its
    `insgesamt` rows are the projected total of an area);
    `population`: (gebiet_id, stichtag, einwohner) delivered inhabitants of every area."""
    demand = disclose_demand(plan, hierarchy, cfg, published_counts, parameters)
    totals = prognose.filter(pl.col("altersgruppe") == TOTAL_GROUP).select(
        "gebiet_id", "basis_stichtag", pl.col("stichtag").alias("_st"), "variante",
        pl.col("einwohner").alias("_gesamt"),
    )  # fmt: skip
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
    out = nachbarn.add_columns(
        out, pl.DataFrame(schema=nachbarn.PAIR_SCHEMA) if pairs is None else pairs, anteile or {}
    )
    return out.sort("art", "variante", "jahr", "gebiet_id").select(TABLES[TABLE].column_names)


def planning_findings(
    frame: pl.DataFrame,
    hierarchy: pl.DataFrame,
    cfg: DisclosureConfig,
    indikatoren: pl.DataFrame | None = None,
    parameters: dict | None = None,
    katalog: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The reader attacker on the published bedarfsplanung: what a reader reads or derives
    of an `ist` row's demand population (the column itself; bedarf_plaetze × je / zielwert;
    (plaetze − platzsaldo) × je / zielwert; plaetze × je / versorgungsquote) must be the
    published value, and those values with the einwohner counts `indikatoren` publishes for
    the same dates (count rows, and numerators and denominators of rates by `katalog`), the
    area hierarchy and the identities of the age ranges (0-2 + 3-5 +
    6-9 + 10-17 = ew_u18, a band equal to a count is that count) must pin no withheld cell
    (`attack`). Findings in the schema of the reader attacker."""
    from pipelines.disclosure.attack import attack
    from pipelines.disclosure.reader import FINDING_SCHEMA

    findings = []
    # (merkmal, stichtag, gebiet_id) -> what the tables show of that count: values, symbols
    shown: dict[tuple, list[tuple[int | None, str | None, str]]] = {}
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
        mit, von = r.get("platzsaldo_mit_nachbarn"), r.get("plaetze_nachbarn")
        if r["zielwert"] and mit is not None and von is not None and r["plaetze"] is not None:
            derived.append((r["plaetze"] - (mit - von)) * r["je"] / r["zielwert"])
        values = {round(v) for v in derived}
        key = (TABLE, r["art"], str(r["stichtag"]), r["gebiet_id"])
        if r["symbol"] is not None and values:
            for v in sorted(values):
                findings.append(
                    (*key, float(v), "sichtbar", "aus Plätzen, Bedarf, Saldo oder Quote")
                )
        wert = next(iter(values)) if len(values) == 1 else None
        sym = None if wert is not None else (r["symbol"] or ".")
        cell = (
            band_cell(r["alter_von"], r["alter_bis"], parameters),
            r["stichtag"],
            r["gebiet_id"],
        )
        shown.setdefault(cell, []).append((wert, sym, f"bedarfsplanung {r['art']}"))
    days = {day for _, day, _ in shown}
    if indikatoren is not None and days:
        ages = count_ages(parameters)
        counts = indikatoren.filter(
            pl.col("indikator_id").is_in(list(ages))
            & pl.col("periode").cast(pl.Date).is_in(sorted(days))
        )
        for i, day, g, wert, sym in counts.select(
            "indikator_id", pl.col("periode").cast(pl.Date), "gebiet_id", "wert", "symbol"
        ).iter_rows():
            exact = None if wert is None else round(wert)
            shown.setdefault((i, day, g), []).append((exact, sym, f"indikatoren {i}"))
        if katalog is not None:
            roles = katalog.select("indikator_id", "zaehler_merkmal", "nenner_merkmal").rows()
            for i, zm, nm in roles:
                for merkmal, value, when in ((zm, "zaehler", "periode"), (nm, "nenner",
                                             "nenner_stichtag")):  # fmt: skip
                    if merkmal not in ages or i in ages:
                        continue
                    rows = indikatoren.filter(
                        (pl.col("indikator_id") == i)
                        & pl.col(when).cast(pl.Date).is_in(sorted(days))
                        & pl.col(value).is_not_null()
                    )
                    for day, g, v in rows.select(
                        pl.col(when).cast(pl.Date), "gebiet_id", value
                    ).iter_rows():
                        shown.setdefault((merkmal, day, g), []).append(
                            (round(v), None, f"indikatoren {i} ({value})")
                        )
    published = []
    for (merkmal, day, g), seen in sorted(shown.items(), key=str):
        exact = sorted({w for w, _, _ in seen if w is not None})
        for w, sym, where in seen:
            if exact and w is None and sym in ("*", "/"):
                findings.append(
                    (AGE_TABLE, merkmal, str(day), g, float(exact[0]), "sichtbar",
                     f"{where} gesperrt, anderswo veröffentlicht")
                )  # fmt: skip
        if exact:
            wert, sym = exact[0], ("-" if exact[0] == 0 else None)
        else:
            symbols = {s for _, s, _ in seen}
            wert, sym = None, "*" if "*" in symbols else "."
        published.append((AGE_TABLE, merkmal, day, g, wert, sym))
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
    ).filter(pl.col("gebiet_id").is_in(hierarchy["gebiet_id"].implode()))
    identities = band_identities(ages_of(cells["merkmal"].unique().sort(), parameters))
    for (_day,), part in sorted(cells.partition_by("periode", as_dict=True).items(), key=str):
        if part.filter(pl.col("symbol") == "*").is_empty():
            continue
        found = attack(part, hierarchy, identities, cfg=cfg)
        for t, m, p, g, w, how, text in found.rows():
            findings.append((t, m, str(p), g, None if w is None else float(w), how, text))
    return pl.DataFrame(findings, schema=FINDING_SCHEMA, orient="row")


# rules of audit.geheimhaltung for the forward view (German texts: pipelines/lineage/explain.py)
RULE_PROJECTED = "prognose_unter_min"
RULE_NO_CELL = "ohne_zelle"


def planning_log(
    published_plan: pl.DataFrame,
    published_prognose: pl.DataFrame,
    population: pl.DataFrame,
    counts_log: pl.DataFrame,
    cfg: DisclosureConfig,
    parameters: dict | None = None,
) -> pl.DataFrame:
    """Why a figure of bedarfsplanung or bevoelkerungsprognose is withheld, one row per
    withheld figure in the form of audit.geheimhaltung (the planning unit's log, never
    published).

    bedarfsplanung `ist` (merkmal = art): the rule of the band's cell in the einwohner system
    (`primaer`, `sekundaer_*`, ...; ausgeloest_durch as there), `einwohner_unter_min` /
    `einwohner_fehlt` for an area below (or without) min_einwohner inhabitants, `ohne_zelle`
    where the date has no cell of the system (population on an older area layout).
    Projected rows (merkmal = art:variante) and bevoelkerungsprognose (merkmal =
    altersgruppe:variante, ausgeloest_durch = the base date): `prognose_unter_min`."""
    ist = published_plan.filter((pl.col("variante") == IST) & pl.col("symbol").is_not_null())
    names = {
        (von, bis): band_cell(von, bis, parameters)
        for von, bis in ist.select("alter_von", "alter_bis").unique().iter_rows()
    }
    system = counts_log.filter(pl.col("tabelle") == AGE_TABLE).select(
        pl.col("merkmal").alias("_cell"),
        pl.col("periode").cast(pl.Date).alias("stichtag"),
        "gebiet_id",
        pl.col("regel").alias("_regel"),
        pl.col("ausgeloest_durch").alias("_durch"),
    )
    pop = population.select("gebiet_id", "stichtag", pl.col("einwohner").alias("_ew"))
    ist_log = (
        ist.with_columns(
            pl.struct("alter_von", "alter_bis")
            .map_elements(lambda r: names[(r["alter_von"], r["alter_bis"])], pl.String)
            .alias("_cell")
        )
        .join(pop, on=["gebiet_id", "stichtag"], how="left")
        .join(system, on=["_cell", "stichtag", "gebiet_id"], how="left")
        .select(
            pl.lit(TABLE).alias("tabelle"),
            pl.col("art").alias("merkmal"),
            pl.col("stichtag").alias("periode"),
            "gebiet_id",
            pl.when(pl.col("_ew").is_null())
            .then(pl.lit("einwohner_fehlt"))
            .when(pl.col("_ew") < cfg.min_einwohner)
            .then(pl.lit("einwohner_unter_min"))
            .when(pl.col("_regel").is_not_null())
            .then(pl.col("_regel"))
            .otherwise(pl.lit(RULE_NO_CELL))
            .alias("regel"),
            pl.when(pl.col("_ew").is_not_null() & (pl.col("_ew") >= cfg.min_einwohner))
            .then(pl.col("_durch"))
            .alias("ausgeloest_durch"),
        )
    )
    projected = _projected_log(
        published_plan.filter((pl.col("variante") != IST) & pl.col("symbol").is_not_null()),
        TABLE,
        "art",
    )
    prognose = _projected_log(
        published_prognose.filter(pl.col("symbol").is_not_null()),
        "bevoelkerungsprognose",
        "altersgruppe",
    )
    return pl.concat([p.cast(LOG_SCHEMA) for p in (ist_log, projected, prognose)]).sort(
        "tabelle", "merkmal", "periode", "gebiet_id"
    )


def _projected_log(withheld: pl.DataFrame, table: str, group: str) -> pl.DataFrame:
    """Log rows of withheld projected figures: merkmal `<group>:<variante>`, the base date
    as what triggered them."""
    return withheld.select(
        pl.lit(table).alias("tabelle"),
        (pl.col(group) + ":" + pl.col("variante")).alias("merkmal"),
        pl.col("stichtag").alias("periode"),
        "gebiet_id",
        pl.lit(RULE_PROJECTED).alias("regel"),
        pl.lit("Basisstichtag ")
        .add(pl.col("basis_stichtag").cast(pl.String))
        .alias("ausgeloest_durch"),
    )
