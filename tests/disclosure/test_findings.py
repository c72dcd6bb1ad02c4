"""The recoverable-cell findings of issue 10, each tried on the published small city the
way a reader would (from publish.duckdb and the Parquet files), plus the whole attacker.

Each test failed before the one system: controlling by area had its own rule, the
migration balance a rule after disclosure control, changes were hidden only with the
current value, recast estimates were rounded and published below 3.
"""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl
import pytest

from tests.conftest import query


@pytest.fixture(scope="module")
def published(small_city):
    con = duckdb.connect(str(small_city.publish_db), read_only=True)
    try:
        return {
            t: con.execute(f"select * from {t}").pl()
            for t in ("indikatoren", "controlling", "sozialindex", "gebiete", "indikatorkatalog")
        }
    finally:
        con.close()


def _children(gebiete: pl.DataFrame) -> dict[str, list[str]]:
    today = gebiete.filter(pl.col("ist_aktuell"))
    out: dict[str, list[str]] = {}
    for g, p in today.select("gebiet_id", "parent_id").iter_rows():
        if p is not None:
            out.setdefault(p, []).append(g)
    return out


def _single_hidden_child(frame, key, value, children) -> list[tuple]:
    """(group, parent) where the parent's value and all children but one are published."""
    values = {(*k, g): v for *k, g, v in frame.select(*key, "gebiet_id", value).iter_rows()}
    hits = []
    for (*k, g), v in values.items():
        if v is None or g not in children:
            continue
        kids = [values.get((*k, c)) for c in children[g]]
        if sum(x is None for x in kids) == 1:
            hits.append((*k, g))
    return hits


def test_controlling_cost_per_case_by_area_has_secondary_suppression(published):
    ctrl = (
        published["controlling"]
        .filter(
            (pl.col("kennzahl") == "hze_kosten_je_fall") & (pl.col("schluessel_art") == "gebiet")
        )
        .rename({"schluessel": "gebiet_id"})
    )
    assert ctrl.height > 0
    children = _children(published["gebiete"])
    for column in ("nenner", "zaehler"):  # case counts and money, Stadtteil minus children
        assert _single_hidden_child(ctrl, ["haushaltsjahr"], column, children) == []
    # the same cells as indikatoren: nothing controlling shows that indikatoren withholds
    ind = published["indikatoren"].filter(pl.col("indikator_id") == "hze_kosten_je_fall")
    both = ctrl.join(
        ind.with_columns(pl.col("periode").dt.year().alias("haushaltsjahr")),
        on=["haushaltsjahr", "gebiet_id"],
        how="left",
    )
    assert both.filter(pl.col("nenner").is_not_null() & pl.col("nenner_right").is_null()).is_empty()
    assert both.filter(pl.col("nenner") != pl.col("nenner_right")).is_empty()
    hze = published["indikatoren"].filter(pl.col("indikator_id") == "hze_quote")
    assert hze.filter(pl.col("symbol") == "*").height > 0  # there is something to protect


def test_migration_balance_is_withheld_inside_the_system(published):
    saldo = published["indikatoren"].filter(pl.col("indikator_id") == "wanderungssaldo")
    assert saldo.filter(pl.col("symbol") == "*").height > 0
    assert saldo.filter(pl.col("zaehler").abs().is_between(1, 2)).is_empty()
    children = _children(published["gebiete"])
    assert _single_hidden_child(saldo, ["periode"], "zaehler", children) == []


def test_change_is_published_only_with_both_periods(published):
    ind = published["indikatoren"]
    earlier = ind.select(
        "indikator_id",
        "gebiet_id",
        pl.col("periode").alias("dynamik_vergleichsperiode"),
        pl.col("wert").alias("frueher"),
    )
    with_change = ind.filter(pl.col("dynamik").is_not_null())
    assert with_change.height > 0
    j = with_change.join(
        earlier, on=["indikator_id", "gebiet_id", "dynamik_vergleichsperiode"], how="left"
    )
    assert j.filter(pl.col("frueher").is_null()).is_empty()
    # where the earlier value is withheld, the later one is published without its change
    hidden_earlier = ind.filter(pl.col("wert").is_null()).select(
        "indikator_id", "gebiet_id", pl.col("periode").alias("dynamik_vergleichsperiode")
    )
    later = ind.join(
        hidden_earlier, on=["indikator_id", "gebiet_id", "dynamik_vergleichsperiode"], how="inner"
    )
    assert later.filter(pl.col("wert").is_not_null()).height > 0
    assert later["dynamik"].null_count() == later.height


def test_recast_parts_of_a_small_old_count_are_withheld(small_city, published):
    """010301 was split 0.5552 / 0.4448 into 010305 / 010306 in 2023: a published part
    below 3 and the split ratio gave the old count of 1."""
    ind = published["indikatoren"].filter(pl.col("periode") < pl.date(2023, 1, 1))
    parts = (
        ind.filter(pl.col("gebiet_id").is_in(["010305", "010306"]))
        .group_by("indikator_id", "periode")
        .agg(
            pl.col("zaehler").sum().alias("alt"),
            pl.col("zaehler").null_count().alias("gesperrt"),
        )
    )
    assert parts.height > 0
    assert parts.filter(pl.col("gesperrt") == 1).is_empty()  # both parts or neither
    shown = parts.filter(pl.col("gesperrt") == 0)
    # what both parts add up to is the old area's whole count: never 1 or 2
    assert shown.filter(pl.col("alt").round(6).is_between(0.5, 2.5)).is_empty()
    withheld = parts.filter(pl.col("gesperrt") == 2)
    assert withheld.height > 0
    rule = query(
        small_city.warehouse_db,
        "select count(*) from audit.geheimhaltung where regel = 'umgerechnet'",
    )[0][0]
    assert rule > 0


def test_social_index_is_standardised_over_published_shares_only(published):
    index, ind = published["sozialindex"], published["indikatoren"]
    status = ["sgb2_alo_anteil", "transferbezug", "sgb2_kinderarmut"]
    for name in status:
        j = index.filter(pl.col(f"z_{name}").is_not_null()).join(
            ind.filter(pl.col("indikator_id") == name).select("gebiet_id", "periode", "wert"),
            on=["gebiet_id", "periode"],
            how="left",
        )
        assert j.filter(pl.col("wert").is_null()).is_empty(), name


def test_reader_attacker_on_the_published_files_recovers_nothing(small_city):
    """The whole attacker on what the files hold (DuckDB and Parquet)."""
    from pipelines.config import load_config
    from pipelines.disclosure import DisclosureConfig
    from pipelines.disclosure.reader import check_published
    from pipelines.publish import cells
    from pipelines.sozialindex import recipe_from_config

    config = load_config()
    con = duckdb.connect(str(small_city.warehouse_db), read_only=True)
    basis = con.execute("select * from marts.basiszahlen").pl()
    gebiete = con.execute("select * from marts.gebiete").pl()
    crosswalk = con.execute("select * from intermediate.int_gebiete_umschluessel").pl()
    con.close()
    cfg = DisclosureConfig.from_dict(config["offenlegung"])
    counts = cells.disclose_counts(basis, gebiete, cfg, crosswalk=crosswalk)
    recipe = recipe_from_config(config["sozialindex"])

    def reader(tables):
        return check_published(
            tables,
            counts,
            cells.identities_for(counts.cells),
            cells.with_signed(cfg),
            catalogue=tables["indikatorkatalog"],
            crosswalk=crosswalk,
            status=recipe.status,
        )

    for source in ("duckdb", "parquet"):
        if source == "duckdb":
            con = duckdb.connect(str(small_city.publish_db), read_only=True)
            tables = {
                t: con.execute(f"select * from {t}").pl()
                for t in ("indikatoren", "controlling", "sozialindex", "indikatorkatalog")
            }
            con.close()
        else:
            folder = small_city.warehouse / "parquet"
            tables = {
                t: pl.read_parquet(folder / f"{t}.parquet")
                for t in ("indikatoren", "controlling", "sozialindex", "indikatorkatalog")
            }
        found = reader(tables)
        assert found.is_empty(), (source, found.head(10).to_dicts())
    assert small_city.outcome.failed_checks == []
    # the negative control: a withheld numerator (`*`) whose rate is shown while its
    # denominator is a published cell: rate x denominator gives the count back
    ind = tables["indikatoren"].with_row_index("_r")
    kat = tables["indikatorkatalog"]
    faktor = dict(kat.select("indikator_id", "faktor").rows())
    nenner = dict(kat.select("indikator_id", "nenner_merkmal").rows())
    public = {
        (m, str(p), g): w
        for m, p, g, w in counts.cells.select("merkmal", "periode", "gebiet_id", "wert").rows()
    }  # fmt: skip
    hit = next(
        r
        for r in ind.filter(pl.col("symbol") == "*").iter_rows(named=True)
        if nenner.get(r["indikator_id"])
        and public.get((nenner[r["indikator_id"]], str(r["nenner_stichtag"]), r["gebiet_id"]))
    )  # fmt: skip
    n = public[(nenner[hit["indikator_id"]], str(hit["nenner_stichtag"]), hit["gebiet_id"])]
    shown = 2 * faktor[hit["indikator_id"]] / n
    ind = ind.with_columns(
        pl.when(pl.col("_r") == hit["_r"]).then(shown).otherwise(pl.col("wert")).alias("wert"),
        pl.when(pl.col("_r") == hit["_r"]).then(None).otherwise(pl.col("symbol")).alias("symbol"),
    )  # fmt: skip
    found = reader({**tables, "indikatoren": ind.drop("_r")})
    quote = found.filter(pl.col("methode") == "quote")
    assert quote.height == 1 and quote["gebiet_id"][0] == hit["gebiet_id"], quote
    assert quote["wert"][0] == 2


@pytest.fixture(scope="module")
def systems(small_city):
    from pipelines.config import load_config
    from pipelines.disclosure import DisclosureConfig
    from pipelines.publish import cells

    con = duckdb.connect(str(small_city.warehouse_db), read_only=True)
    basis = con.execute("select * from marts.basiszahlen").pl()
    gebiete = con.execute("select * from marts.gebiete").pl()
    crosswalk = con.execute("select * from intermediate.int_gebiete_umschluessel").pl()
    con.close()
    cfg = cells.with_signed(DisclosureConfig.from_dict(load_config()["offenlegung"]))
    return basis, gebiete, crosswalk, cfg


def test_fewer_withheld_cells_than_the_naive_baseline_and_safer(systems):
    """Information loss against "primary plus one sibling per hierarchy level": the one
    system withholds fewer cells, and the attacker recovers nothing from it, while the
    baseline still gives cells away (it knows neither identities nor bounds)."""
    from pipelines.disclosure import attack
    from pipelines.publish import cells
    from pipelines.publish.systems import solve_system
    from tests.disclosure.test_one_system import sibling_per_level, with_hidden

    basis, gebiete, _, cfg = systems
    every, trees = cells.layout_cells(basis, gebiete)
    identities = cells.identities_for(every)
    ours = naive = recovered_ours = recovered_naive = 0
    groups = every.filter(pl.col("periode").dt.month() == 12)  # the year ends: 1/12 of the work
    for (tab, _, stand), system in sorted(
        groups.partition_by(["tabelle", "periode", "gebietsstand"], as_dict=True).items(), key=str
    ):
        system, tree = system.drop("gebietsstand"), trees[stand]
        ident = [i for i in identities if i.tabelle == tab]
        result = solve_system(system, tree, ident, cfg)
        ours += result.cells["wert"].null_count()
        recovered_ours += attack(result.cells, tree, ident, cfg).height
        hidden = sibling_per_level(system, tree, ident, cfg)
        naive += len(hidden)
        base = solve_system(system, tree, ident, dataclasses.replace(cfg, sekundaer=False))
        recovered_naive += attack(with_hidden(base.cells, hidden), tree, ident, cfg).height
    assert recovered_ours == 0
    assert ours < naive, (ours, naive)
    assert recovered_naive > 0


def test_same_inputs_give_the_same_suppression_pattern(systems):
    from pipelines.disclosure import DisclosureConfig
    from pipelines.publish import cells

    basis, gebiete, crosswalk, cfg = systems
    plain = DisclosureConfig(min_fallzahl=cfg.min_fallzahl, min_einwohner=cfg.min_einwohner)
    first = cells.disclose_counts(basis, gebiete, plain, workers=1, crosswalk=crosswalk)
    shuffled = basis.sample(fraction=1.0, shuffle=True, seed=11)
    again = cells.disclose_counts(
        shuffled, gebiete.reverse(), plain, workers=2, crosswalk=crosswalk.reverse()
    )
    assert first.cells.equals(again.cells)
    assert first.log.equals(again.log)


def test_excel_carries_no_number_beyond_publish_duckdb(small_city):
    """The attacker reads publish.duckdb and Parquet; the Excel workbooks must hold no
    number those do not: every numeric cell of a data sheet is a value of the same column
    in publish.duckdb (Excel may hold fewer rows: year-end only for the long tables)."""
    import math

    import fastexcel

    from pipelines.publish.tables import TABLES

    def numbers(values):
        out = []
        for v in values:
            try:
                x = float(v)
            except (TypeError, ValueError):
                continue
            if math.isfinite(x):
                out.append(x)
        return sorted(out)

    def contained(small, large):
        """Every value of `small` matched by its own value of `large` (both sorted)."""
        j = 0
        for x in small:
            while j < len(large) and large[j] < x - 1e-6 * max(1.0, abs(x)):
                j += 1
            if j == len(large) or abs(large[j] - x) > 1e-6 * max(1.0, abs(x)):
                return x
            j += 1
        return None

    con = duckdb.connect(str(small_city.publish_db), read_only=True)
    try:
        for book in sorted((small_city.warehouse / "excel").glob("*.xlsx")):
            reader = fastexcel.read_excel(book)
            table = reader.sheet_names[0]
            sheet = reader.load_sheet(table, header_row=0, dtypes="string").to_polars()
            frame = con.execute(f"select * from {table}").pl()
            header = {TABLES[table].header(c): c for c in frame.columns}
            # an empty table (prognose_guete of a city with too few years) is an empty sheet
            assert sheet.height <= frame.height and (sheet.height > 0) == (frame.height > 0), (
                book.name
            )
            for label in sheet.columns:
                if label == "Intervall":  # text made of the published bounds
                    continue
                col = header.get(label, label)
                assert col in frame.columns, (book.name, label)
                extra = contained(numbers(sheet[label].to_list()), numbers(frame[col].to_list()))
                assert extra is None, (book.name, col, extra)
    finally:
        con.close()


def test_recast_check_remembers_exactly_its_own_answers(systems, tmp_path, monkeypatch):
    """The recast check keeps its answers in the disclosure cache between runs: a second
    run gives the same findings without reducing a single span, and a changed pattern of
    published old cells is checked afresh, not answered from memory."""
    from pipelines.config import load_config
    from pipelines.disclosure import DisclosureConfig, reader
    from pipelines.publish import cells

    basis, gebiete, crosswalk, _ = systems
    cfg = DisclosureConfig.from_dict(load_config()["offenlegung"])
    # the systems are solved into the same cache folder, as in a run
    counts = cells.disclose_counts(basis, gebiete, cfg, cache_dir=tmp_path, crosswalk=crosswalk)
    today = cells.TODAY
    assert counts.solved.filter(pl.col("gebietsstand") != today).height > 0

    plain = reader._visible_recast(counts, crosswalk, today)
    assert reader._visible_recast(counts, crosswalk, today, tmp_path) == plain
    assert (tmp_path / reader.RECAST_MEMO).exists()

    # every old cell withheld: recast values shown today no longer follow from it
    withheld = dataclasses.replace(
        counts,
        solved=counts.solved.with_columns(
            pl.when(pl.col("gebietsstand") != today).then(None).otherwise(pl.col("wert"))
            .alias("wert")
        ),
    )  # fmt: skip
    expected = reader._visible_recast(withheld, crosswalk, today)
    assert expected, "negative control: withheld old cells must give findings"
    assert reader._visible_recast(withheld, crosswalk, today, tmp_path) == expected

    # the next run solves its systems first (from the cache, pruning what no run needs):
    # the recast answers are not the systems' and stay
    again = cells.disclose_counts(basis, gebiete, cfg, cache_dir=tmp_path, crosswalk=crosswalk)
    assert again.solved.equals(counts.solved)
    assert (tmp_path / reader.RECAST_MEMO).exists()

    # both patterns are remembered now: nothing is reduced again
    def no_span(*_args):
        raise AssertionError("Spanne neu berechnet statt erinnert")

    monkeypatch.setattr(reader, "Span", no_span)
    assert reader._visible_recast(counts, crosswalk, today, tmp_path) == plain
    assert reader._visible_recast(withheld, crosswalk, today, tmp_path) == expected


def test_attacker_remembers_each_systems_findings_and_attacks_what_changed(
    small_city, systems, tmp_path, monkeypatch
):
    """The reader attacker keeps each system's findings in the disclosure cache: with the
    memory it finds exactly what it finds without; a system whose published cells changed
    is attacked afresh (a leak planted there is found, not answered from memory), and the
    next run attacks only that system."""
    from pipelines.config import load_config
    from pipelines.disclosure import reader
    from pipelines.publish import cells
    from pipelines.sozialindex import recipe_from_config

    basis, gebiete, crosswalk, cfg = systems
    counts = cells.disclose_counts(basis, gebiete, cfg, crosswalk=crosswalk)
    con = duckdb.connect(str(small_city.publish_db), read_only=True)
    tables = {
        t: con.execute(f"select * from {t}").pl()
        for t in ("indikatoren", "controlling", "sozialindex", "indikatorkatalog")
    }
    con.close()
    status = recipe_from_config(load_config()["sozialindex"]).status

    def check(counts, cache_dir):
        return reader.check_published(
            tables, counts, cells.identities_for(counts.cells), cfg,
            catalogue=tables["indikatorkatalog"], crosswalk=crosswalk, status=status,
            cache_dir=cache_dir,
        )  # fmt: skip

    plain = check(counts, None)
    assert check(counts, tmp_path).equals(plain)
    assert (tmp_path / reader.ATTACK_MEMO).exists()

    # a leak in one system: every withheld cell of one count published with its true
    # value but one, which subtraction then gives back
    today = cells.TODAY
    truth = basis.filter(pl.col("aktueller_gebietsstand")).select(
        pl.col("quelle").alias("tabelle"), "merkmal", "periode", "gebiet_id",
        pl.col("wert").round(0).alias("wahr"),
    )  # fmt: skip
    stars = (
        counts.solved.filter((pl.col("gebietsstand") == today) & (pl.col("symbol") == "*"))
        .join(truth, on=["tabelle", "merkmal", "periode", "gebiet_id"])
        .sort("tabelle", "periode", "merkmal", "gebiet_id")
    )
    system = stars.group_by("tabelle", "periode", "merkmal").len().filter(pl.col("len") >= 2)
    tab, per, mm, _ = system.sort("tabelle", "periode", "merkmal").row(0)
    one = stars.filter(
        (pl.col("tabelle") == tab) & (pl.col("periode") == per) & (pl.col("merkmal") == mm)
    )
    told = one.slice(1)  # all but the first
    leaky_solved = (
        counts.solved.join(
            told.select("tabelle", "merkmal", "periode", "gebiet_id", "wahr"),
            on=["tabelle", "merkmal", "periode", "gebiet_id"],
            how="left",
        )
        .with_columns(
            pl.coalesce(pl.col("wahr").cast(counts.solved.schema["wert"]), pl.col("wert")).alias(
                "wert"
            ),
            pl.when(pl.col("wahr").is_null()).then(pl.col("symbol")).alias("symbol"),
        )
        .drop("wahr")
    )
    leaky = dataclasses.replace(counts, solved=leaky_solved)
    expected = check(leaky, None)
    assert expected.filter(pl.col("gebiet_id") == one["gebiet_id"][0]).height > 0, (
        "negative control: the planted leak must be found"
    )
    assert check(leaky, tmp_path).equals(expected)

    # the next run (the leak mended) attacks only the system that changed
    attacked, shown = [], []
    real_attack, real_shown = reader.attack, reader._attack_shown

    def counting_attack(published, *args, **kwargs):
        attacked.extend(published.select("tabelle", "periode").unique().rows())
        return real_attack(published, *args, **kwargs)

    def counting_shown(*args, **kwargs):
        shown.append(args[:2])
        return real_shown(*args, **kwargs)

    monkeypatch.setattr(reader, "attack", counting_attack)
    monkeypatch.setattr(reader, "_attack_shown", counting_shown)
    assert check(counts, tmp_path).equals(plain)
    assert attacked == [(tab, per)]
    assert shown == []
