"""generate(): the synthetic city as a landing folder plus manifest.json.

The order is fixed and every component draws from its own random stream, so the same
scale and seed give byte-identical files (XLSX included: fixed creation date, constant
zip timestamps).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from . import sgb2 as sgb2_mod
from .facilities import facility_files
from .finance import COLUMNS as FIN_COLUMNS
from .finance import finance_rows, plan_drivers, produkte_frame
from .formats import (
    count_text,
    date_expr,
    date_text,
    decimal_text,
    money_expr,
    xlsx_bytes,
)
from .geography import Geography, adressen_frame, build_geography, geojson_text
from .kontrakte import with_effect, write_kontrakte
from .landing import Landing, RowEdits
from .persons import to_days, unknown_street
from .population import (
    MOVE_KINDS,
    NATS,
    SEXES,
    PopulationSeries,
    Profiles,
    build_profiles,
    moves_by_age,
    simulate_population,
)
from .rng import rng_for
from .scales import SCALES, Scale
from .sgb8 import CODES as SGB8_CODES
from .sgb8 import COLUMNS as SGB8_COLUMNS
from .sgb8 import Cases, simulate_cases
from .sgb12 import COLUMNS as SGB12_COLUMNS
from .sgb12 import LEISTUNGSARTEN, Spells, simulate_spells

HZE_CODES = ("27_2", "29", "30", "31", "32", "33", "34", "35", "41")


class FilePlan:
    """Where the file-level defects go: never on the last period of a series."""

    def __init__(self, scale: Scale, enabled: bool):
        years = scale.years
        y0 = years[0]
        y1 = years[1] if len(years) > 1 else years[0]
        self.enabled = enabled
        self.missing_column = (dt.date(y1, 4, 30), "leistungsart")  # sgb12 snapshot
        self.wrong_period = dt.date(y0, 6, 30)  # einwohner
        self.truncated = (y0, 8)  # sgb2 CSV
        self.duplicate_person = sgb2_mod.month_end(years[len(years) // 2], 9)

    def is_xlsx(self, year: int, month: int) -> bool:
        return (year + month) % 5 == 0 and (year, month) != self.truncated


def _shuffled(seed: int, cols: tuple[str, ...], *names: str) -> list[str]:
    rng = rng_for(seed, "columns", *names)
    return [cols[i] for i in rng.permutation(len(cols))]


def generate(
    out_dir: Path,
    scale: str = "small",
    seed: int = 1,
    defects: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Write a complete landing folder for a fictional city and return its manifest."""
    if scale not in SCALES:
        raise ValueError(f"unbekannte Größe {scale!r}, erlaubt: {', '.join(SCALES)}")
    sc = SCALES[scale]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    land = Landing(out, progress)
    plan = FilePlan(sc, defects)

    geo = build_geography(sc, seed)
    prof = build_profiles(geo, sc, seed)
    pop = simulate_population(prof, sc, seed)

    anteil = _write_reference_static(land, geo, pop, sc)
    _write_einwohner(land, geo, pop, sc, seed, plan)
    _write_bewegungen(land, geo, prof, pop, sc, seed)
    bg_by_year, sgb2_summary = _write_sgb2(land, geo, prof, pop, sc, seed, plan)
    spells = simulate_spells(geo, prof, sc, seed)
    need_by_year = _write_sgb12(land, geo, spells, sc, seed, plan)
    cases = simulate_cases(geo, prof, pop, sc, seed)
    cost_by_year, hze_summary = _write_sgb8(land, geo, cases, pop, sc, seed, plan)
    _write_finanzen(land, sc, seed, pop, bg_by_year, need_by_year, cost_by_year)
    _write_ziele(land, geo, sc, sgb2_summary, hze_summary, spells, pop)
    short_areas = _write_einrichtungen(land, geo, pop, sc, seed)
    kontrakte = write_kontrakte(land, geo, prof, sc, seed)

    last = len(pop.dates) - 1
    manifest = {
        "generator": "pipelines.synthetic",
        "scale": sc.name,
        "seed": seed,
        "defects_enabled": defects,
        "city": sc.city_name,
        "years": sc.years,
        "split": {
            "old": geo.split_old,
            "new": list(geo.split_new),
            "date": geo.split_date.isoformat(),
            "anteil": anteil,
        },
        "tiny_areas": sorted(geo.atom_id[geo.atom_tiny].tolist()),
        "short_areas": short_areas,
        "summary": {
            "einwohner_letzter_stichtag": int(pop.band(0, 100)[last].sum()),
            "letzter_stichtag": pop.dates[last].isoformat(),
            **sgb2_summary["city"],
            "sgb12_personen_letzter_stichtag": len(spells.active(pop.dates[last])),
        },
        "kontrakte": kontrakte,
        "files": dict(sorted(land.files.items())),
        "defects": sorted(land.defects, key=lambda d: (d["file"], d["line"] or 0, d["reason"])),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


# --- reference -------------------------------------------------------------------------


def _write_reference_static(
    land: Landing, geo: Geography, pop: PopulationSeries, sc: Scale
) -> dict[str, float]:
    g = geo.gebiete.with_columns(
        date_expr(pl.col("gueltig_ab"), "iso"),
        date_expr(pl.col("gueltig_bis"), "iso"),
        pl.col("ebene_rang").cast(pl.String),
    )
    land.write_frame("reference/gebiete.csv", g, kind="gebiete", period=None, encoding="utf-8")
    land.write_text(
        "reference/gebiete.geojson",
        geojson_text(geo),
        kind="gebiete_geometrie",
        period=None,
        rows=len(geo.polygons),
        encoding="utf-8",
        fmt="geojson",
    )

    # population shares of the old area on the last stichtag before the change
    before = max(i for i, d in enumerate(pop.dates) if d < geo.split_date)
    w, e = geo.split_atoms
    tot = pop.age_totals[before][[w, e]].sum(1).astype(float)
    share_w = round(float(tot[0] / tot.sum()), 4)
    anteil = {geo.split_new[0]: share_w, geo.split_new[1]: round(1 - share_w, 4)}
    lines = ["alt_gebiet_id;neu_gebiet_id;wechsel_am;anteil"] + [
        f"{geo.split_old};{k};{geo.split_date.isoformat()};{decimal_text(v, 4)}"
        for k, v in anteil.items()
    ]
    land.write_text(
        "reference/gebiete_umschluessel.csv",
        "\r\n".join(lines) + "\r\n",
        kind="gebiete_umschluessel",
        period=None,
        rows=2,
        encoding="utf-8",
    )

    adr = adressen_frame(geo).with_columns(
        date_expr(pl.col("gueltig_ab"), "iso"), date_expr(pl.col("gueltig_bis"), "iso")
    )
    land.write_frame(
        "reference/adressen.csv", adr, kind="adressen", period=None, encoding="utf-8-sig"
    )
    land.write_frame(
        "reference/produkte.csv", produkte_frame(), kind="produkte", period=None, encoding="cp1252"
    )
    return anteil


def _write_ziele(
    land: Landing,
    geo: Geography,
    sc: Scale,
    sgb2_summary: dict,
    hze_summary: dict,
    spells: Spells,
    pop: PopulationSeries,
) -> None:
    """Council targets near the actual values: some met, some missed."""
    y, y_prev = sc.last_year, sc.years[-2] if len(sc.years) > 1 else sc.last_year
    city = sgb2_summary["by_year"]
    rows = [
        (
            "sgb2_kinderarmut",
            "",
            y,
            round(city[y]["kinderarmut"] - 2.0, 1),
            "hoechstens",
            f"Ratsbeschluss {y - 2}/117",
        ),
        (
            "sgb2_kinderarmut",
            "",
            y_prev,
            round(city[y_prev]["kinderarmut"] + 1.5, 1),
            "hoechstens",
            f"Ratsbeschluss {y - 2}/117",
        ),
        (
            "sgb2_quote",
            "",
            y,
            round(city[y]["quote"] + 0.5, 1),
            "hoechstens",
            f"Ratsbeschluss {y - 2}/117",
        ),
    ]
    # the Stadtteil with the highest HzE rate gets a target it misses
    st, rate = hze_summary["worst_stadtteil"]
    rows.append(
        (
            "hze_quote",
            st,
            y,
            float(round(rate * 0.9)),
            "hoechstens",
            f"Beschluss des Jugendhilfeausschusses {y - 1}/08",
        )
    )
    # GruSi target for the poorest Stadtbezirk
    last = len(pop.dates) - 1
    idx = spells.active(pop.dates[last])
    alt = idx[(spells.art[idx] == LEISTUNGSARTEN.index("GRUSI_ALTER")) & ~spells.einrichtung[idx]]
    bez = np.array([a[:2] for a in geo.atom_id])
    num = {b: int(np.isin(spells.atom[alt], np.flatnonzero(bez == b)).sum()) for b in set(bez)}
    den = {b: int(pop.band(65, 100)[last][bez == b].sum()) for b in set(bez)}
    worst = max(sorted(num), key=lambda b: num[b] / max(den[b], 1))
    rows.append(
        (
            "grusi_alter_quote",
            worst,
            y,
            round(num[worst] / den[worst] * 100 + 0.3, 1),
            "hoechstens",
            "Beschluss des Ausschusses für Soziales und Gesundheit",
        )
    )
    # a 'mindestens' target on a finest area
    first_area = str(geo.atom_id[~geo.atom_tiny][0])
    u18 = pop.band(0, 17)[last][
        0 if geo.atom_id[0] == first_area else int(np.flatnonzero(geo.atom_id == first_area)[0])
    ]
    tot = pop.band(0, 100)[last][int(np.flatnonzero(geo.atom_id == first_area)[0])]
    rows.append(
        (
            "anteil_u18",
            first_area,
            y,
            round(u18 / tot * 100 - 1.0, 1),
            "mindestens",
            "Stadtentwicklungskonzept Familie",
        )
    )
    lines = ["indikator_id;gebiet_id;jahr;zielwert;richtung;beschluss"] + [
        f"{i};{g};{yy};{decimal_text(z, 1)};{r};{b}" for i, g, yy, z, r, b in rows
    ]
    land.write_text(
        "reference/ziele.csv",
        "\r\n".join(lines) + "\r\n",
        kind="ziele",
        period=None,
        rows=len(rows),
        encoding="cp1252",
    )


# --- einwohner / bewegungen ------------------------------------------------------------


def _write_einwohner(
    land: Landing, geo: Geography, pop: PopulationSeries, sc: Scale, seed: int, plan: FilePlan
) -> None:
    base_cols = ("stichtag", "gebiet_id", "alter", "geschlecht", "staatsangehoerigkeit", "anzahl")
    for k, day in enumerate(pop.dates):
        c = pop.counts[k]
        a, age, sex, nat = np.nonzero(c)
        keys = pl.Series(geo.keys_on(day).astype(str))
        df = pl.DataFrame(
            {
                "gebiet_id": keys.gather(a),
                "alter": age.astype(np.int32),
                "geschlecht": pl.Series(SEXES).gather(sex),
                "staatsangehoerigkeit": pl.Series(NATS).gather(nat),
                "anzahl": c[a, age, sex, nat].astype(np.int64),
            }
        )
        # before the change the two halves are one area: add their counts
        df = (
            df.group_by(["gebiet_id", "alter", "geschlecht", "staatsangehoerigkeit"])
            .agg(pl.col("anzahl").sum())
            .sort(["gebiet_id", "alter", "geschlecht", "staatsangehoerigkeit"])
        )
        style = "de" if k % 2 == 0 else "iso"
        stamp = day
        rel = f"einwohner/einwohner_{day.isoformat()}.csv"
        if plan.enabled and day == plan.wrong_period:
            stamp = day.replace(year=day.year - 1)  # an old export sent under a new name
            land.defect(rel, None, "stichtag", "periode_widerspruch", "file")
        df = df.with_columns(
            pl.lit(date_text(stamp, style)).alias("stichtag"),
            pl.col("alter").cast(pl.String),
            pl.col("anzahl").cast(pl.String),
        )
        cols = _shuffled(seed, base_cols, "einwohner", str(k)) if k % 4 == 1 else list(base_cols)
        enc = ("utf-8-sig", "utf-8", "cp1252")[k % 3]
        land.write_frame(
            rel, df.select(cols), kind="einwohner", period=day.isoformat(), encoding=enc
        )


#: scales whose moves come by age and sex (berlin, the load test, keeps the compact files)
MOVES_BY_AGE = ("small", "city")


def _write_bewegungen(
    land: Landing, geo: Geography, prof: Profiles, pop: PopulationSeries, sc: Scale, seed: int
) -> None:
    """One file per year; by age and sex from the second year on (the first year's file is
    in the old form without those columns: both forms load), totals only for berlin."""
    arts = MOVE_KINDS
    for k, (year, m) in enumerate(moves_by_age(prof, sc, seed).items()):
        day = dt.date(year, 12, 31)
        if k == 0 or sc.name not in MOVES_BY_AGE:
            keys, agg = sgb2_mod.aggregate_to_keys(m.sum((2, 3)), geo.keys_on(day))
            header = "Jahr;Gebiet_ID;Art;Anzahl" if k % 3 == 1 else "jahr;gebiet_id;art;anzahl"
            lines = [header] + [
                f"{year};{key};{art};{int(agg[i, j])}"
                for i, key in enumerate(keys)
                for j, art in enumerate(arts)
            ]
        else:
            keys, agg = sgb2_mod.aggregate_to_keys(m.reshape(m.shape[0], -1), geo.keys_on(day))
            cube = agg.reshape(len(keys), *m.shape[1:])  # (area, art, age, sex)
            header = (
                "Jahr;Gebiet_ID;Art;Alter;Geschlecht;Anzahl"
                if k % 3 == 1
                else "jahr;gebiet_id;art;alter;geschlecht;anzahl"
            )
            a, j, age, sex = np.nonzero(cube)
            lines = [header] + [
                f"{year};{keys[i]};{arts[jj]};{aa};{SEXES[ss]};{int(cube[i, jj, aa, ss])}"
                for i, jj, aa, ss in zip(a, j, age, sex, strict=True)
            ]
        land.write_text(
            f"bewegungen/bewegungen_{year}.csv",
            "\r\n".join(lines) + "\r\n",
            kind="bewegungen",
            period=str(year),
            rows=len(lines) - 1,
            encoding=("utf-8", "cp1252")[k % 2],
        )


def _write_einrichtungen(
    land: Landing, geo: Geography, pop: PopulationSeries, sc: Scale, seed: int
) -> list[str]:
    files, short = facility_files(geo, pop, sc, seed)
    for year, lines in files.items():
        land.write_text(
            f"einrichtungen/einrichtungen_{year}.csv",
            "\r\n".join(lines) + "\r\n",
            kind="einrichtungen",
            period=str(year),
            rows=len(lines) - 1,
            encoding="utf-8",
        )
    return short


# --- sgb2 ------------------------------------------------------------------------------

CITY_ID = "00"  # the whole city's gebiet_id (geography.py)


def _write_sgb2(
    land: Landing,
    geo: Geography,
    prof: Profiles,
    pop: PopulationSeries,
    sc: Scale,
    seed: int,
    plan: FilePlan,
) -> tuple[dict[int, float], dict]:
    counts = sgb2_mod.simulate_sgb2(prof, pop, sc, seed)
    # the effect of the synthetic measure with a real effect (pipelines/synthetic/kontrakte.py)
    column = {name: i for i, name in enumerate(sgb2_mod.MEASURES)}
    counts = with_effect(counts, sgb2_mod.months(sc), geo, prof, sc, column)
    rng = rng_for(seed, "sgb2_defects")
    bg_by_year: dict[int, list[int]] = {}
    by_year: dict[int, dict] = {}
    defect_months = set()
    if plan.enabled:
        for y in sc.years:
            for start in (3, 10):
                m = start
                while plan.is_xlsx(y, m) or (y, m) == plan.truncated:
                    m += 1
                defect_months.add((y, m))
    M = sgb2_mod.MEASURES
    for k, (y, m) in enumerate(sgb2_mod.months(sc)):
        day = sgb2_mod.month_end(y, m)
        keys, vals = sgb2_mod.aggregate_to_keys(counts[k], geo.keys_on(day))
        bg_by_year.setdefault(y, []).append(int(vals[:, M.index("bg")].sum()))
        if m == 12:
            u64, u15 = pop.at(day, 0, 64).sum(), pop.at(day, 0, 14).sum()
            by_year[y] = {
                "quote": float(vals[:, M.index("rlb")].sum() / u64 * 100),
                "kinderarmut": float(vals[:, M.index("nef_u15")].sum() / u15 * 100),
            }
        text = sgb2_mod.suppress(vals)
        # the BA table's own row for the whole municipality, first (as the BA prints it):
        # exact where the finest areas hold a `*`, suppressed by the same rule
        city_vals = vals.sum(axis=0)
        city_text = sgb2_mod.suppress(city_vals[None, :])[0]
        city_key, city_name = CITY_ID, geo.city_name
        rel_base = f"sgb2/sgb2_{y}-{m:02d}"
        gebietsstand = dt.date(y, 1, 1)
        title = sgb2_mod.title_block(sc.city_name, y, m, gebietsstand)
        names = [geo.names[key] for key in keys]
        if plan.is_xlsx(y, m):
            rows: list[list[object]] = [[t] for t in title]
            rows.append(list(sgb2_mod.HEADERS))
            rows.append(
                [city_key, city_name]
                + [
                    t if t in ("*", "-") else int(v)
                    for t, v in zip(city_text, city_vals, strict=True)
                ]
            )
            for i, key in enumerate(keys):
                cells: list[object] = [key, names[i]]
                for j in range(len(M)):
                    cells.append(text[i, j] if text[i, j] in ("*", "-") else int(vals[i, j]))
                rows.append(cells)
            rows += [[], *[[f] for f in sgb2_mod.FOOTER]]
            land.write_bytes(
                f"{rel_base}.xlsx",
                xlsx_bytes("SGB II", rows),
                kind="sgb2",
                period=f"{y}-{m:02d}",
                rows=len(keys) + 1,
                encoding="xlsx",
                fmt="xlsx",
            )
            continue
        rel = f"{rel_base}.csv"
        data_lines = [";".join([key, names[i], *text[i]]) for i, key in enumerate(keys)]
        city_line = ";".join([city_key, city_name, *city_text])
        first_line = len(title) + 3  # 1-based line of the first finest area (after the city)
        if (y, m) in defect_months:
            # rlb != elb + nef where all three are numbers
            ok = np.flatnonzero((vals[:, M.index("nef")] >= 3) & (vals[:, M.index("elb")] >= 3))
            if len(ok):
                i = int(rng.choice(ok))
                row = list(text[i])
                row[M.index("rlb")] = count_text(
                    int(vals[i, M.index("rlb")]) + int(rng.integers(2, 9))
                )
                data_lines[i] = ";".join([keys[i], names[i], *row])
                land.defect(rel, first_line + i, "rlb", "summe_widerspruch")
        header = [*title, ";".join(sgb2_mod.HEADERS), city_line]
        lines = [*header, *data_lines, "", *sgb2_mod.FOOTER]
        body = "\r\n".join(lines) + "\r\n"
        n_rows = len(keys) + 1
        if plan.enabled and (y, m) == plan.truncated:
            # cut in the middle of the second-to-last data row, no footer
            head = "\r\n".join([*header, *data_lines[:-2]]) + "\r\n"
            body = head + data_lines[-2][: max(1, len(data_lines[-2]) // 2)]
            n_rows = len(keys)
            land.defect(rel, None, None, "datei_unvollstaendig", "file")
        land.write_text(
            rel, body, kind="sgb2", period=f"{y}-{m:02d}", rows=n_rows, encoding="cp1252"
        )
    summary = {
        "by_year": by_year,
        "city": {
            "sgb2_quote_dezember_letztes_jahr": round(by_year[sc.last_year]["quote"], 4),
            "sgb2_kinderarmut_dezember_letztes_jahr": round(
                by_year[sc.last_year]["kinderarmut"], 4
            ),
        },
    }
    return {y: float(np.mean(v)) for y, v in bg_by_year.items()}, summary


# --- sgb12 -----------------------------------------------------------------------------


def _write_sgb12(
    land: Landing, geo: Geography, spells: Spells, sc: Scale, seed: int, plan: FilePlan
) -> dict[int, dict[str, float]]:
    rng = rng_for(seed, "sgb12_defects")
    bad_street = unknown_street(geo, rng)
    need: dict[int, dict[str, float]] = {}
    for yi, y in enumerate(sc.years):
        variant = yi % 3
        style = "iso" if variant == 1 else "de"
        enc = ("cp1252", "utf-8-sig", "utf-8")[variant]
        cols = (
            _shuffled(seed, SGB12_COLUMNS, "sgb12", str(y)) if variant == 1 else list(SGB12_COLUMNS)
        )
        sums = {a: 0.0 for a in LEISTUNGSARTEN}
        for m in range(1, 13):
            day = sgb2_mod.month_end(y, m)
            idx = spells.active(day)
            cents = spells.need_cents(idx, y)
            art = spells.art[idx]
            for k, a in enumerate(LEISTUNGSARTEN):
                sums[a] += float(cents[art == k].sum()) / 100
            df = (
                spells.frame[idx]
                .with_columns(
                    pl.Series("_cents", cents),
                )
                .with_columns(
                    pl.lit(date_text(day, style)).alias("stichtag"),
                    date_expr(pl.col("geburtsdatum"), style),
                    money_expr(pl.col("_cents"), thousands=variant != 1).alias(
                        "bruttobedarf_monat"
                    ),
                )
            )
            rel = f"sgb12/sgb12_{day.isoformat()}.csv"
            out_cols = cols
            if plan.enabled and day == plan.missing_column[0]:
                out_cols = [c for c in cols if c != plan.missing_column[1]]
                land.defect(rel, None, plan.missing_column[1], "spalte_fehlt", "file")
            elif plan.enabled and df.height > 20:
                df = _sgb12_defects(land, rel, df, day, style, m, plan, rng, bad_street)
            land.write_frame(
                rel, df.select(out_cols), kind="sgb12", period=day.isoformat(), encoding=enc
            )
        need[y] = sums
    return need


def _sgb12_defects(land, rel, df, day, style, month, plan, rng, bad_street) -> pl.DataFrame:
    edits = RowEdits()
    n = df.height
    picks = [int(x) for x in rng.choice(n, size=5, replace=False)]
    if month == 6:
        edits.set(picks[0], "strasse", bad_street, "adresse_unbekannt")
        edits.set(picks[1], "hausnummer", "999", "adresse_unbekannt")
        born = day + dt.timedelta(days=int(rng.integers(10, 400)))
        edits.set(picks[2], "geburtsdatum", date_text(born, style), "alter_unplausibel")
    if month == 11:
        edits.set(
            picks[0],
            "geburtsdatum",
            date_text(day.replace(year=day.year - 130), style),
            "alter_unplausibel",
        )
        value = df["bruttobedarf_monat"][picks[1]]
        edits.set(picks[1], "bruttobedarf_monat", "-" + value, "betrag_negativ")
    if day == plan.duplicate_person:
        source = min(picks[3], n - 2)
        edits.insert_copy(source, int(rng.integers(source + 1, n)))
    df, found = edits.apply(df)
    for pos, col, reason in found:
        land.defect(rel, pos + 2, col, reason)
    return df


# --- sgb8 ------------------------------------------------------------------------------


def _write_sgb8(
    land: Landing,
    geo: Geography,
    cases: Cases,
    pop: PopulationSeries,
    sc: Scale,
    seed: int,
    plan: FilePlan,
) -> tuple[dict[int, dict[str, float]], dict]:
    rng = rng_for(seed, "sgb8_defects")
    bad_street = unknown_street(geo, rng)
    costs: dict[int, dict[str, float]] = {}
    hze_code_idx = [SGB8_CODES.index(c) for c in HZE_CODES]
    worst: tuple[str, float] = ("", -1.0)
    for yi, y in enumerate(sc.years):
        variant = yi % 3
        style = "de" if variant == 1 else "iso"
        enc = ("utf-8", "cp1252", "utf-8-sig")[variant]
        cols = _shuffled(seed, SGB8_COLUMNS, "sgb8", str(y)) if variant == 1 else list(SGB8_COLUMNS)
        idx = cases.in_year(y)
        cents = cases.cost_cents(idx, y)
        code = cases.code[idx]
        inob = code == SGB8_CODES.index("42")
        foster = code == SGB8_CODES.index("33")
        costs[y] = {
            "hze_einrichtung": float(cents[~inob & ~foster].sum()) / 100,
            "hze_personen": float(cents[foster].sum()) / 100,
            "inobhut": float(cents[inob].sum()) / 100,
        }
        if y == sc.last_year:
            worst = _hze_worst_stadtteil(geo, cases, idx, hze_code_idx, pop, y)
        year_end = to_days(dt.date(y, 12, 31))
        df = (
            cases.frame[idx]
            .with_columns(
                pl.Series("_cents", cents),
                pl.when(pl.Series(cases.ende[idx] <= year_end))
                .then(pl.col("ende"))
                .otherwise(None)
                .alias("ende"),
            )
            .with_columns(
                date_expr(pl.col("geburtsdatum"), style),
                date_expr(pl.col("beginn"), style),
                date_expr(pl.col("ende"), style),
                money_expr(pl.col("_cents"), thousands=variant != 2).alias("kosten_jahr"),
            )
        )
        rel = f"sgb8/sgb8_{y}.csv"
        if plan.enabled and df.height > 20:
            df = _sgb8_defects(land, rel, df, cases, idx, y, style, rng, bad_street)
        land.write_frame(rel, df.select(cols), kind="sgb8", period=str(y), encoding=enc)
    return costs, {"worst_stadtteil": worst}


def _hze_worst_stadtteil(geo, cases, idx, hze_code_idx, pop, y) -> tuple[str, float]:
    """Stadtteil with the highest hze_quote (cases per 10,000 under 21)."""
    counted = idx[np.isin(cases.code[idx], hze_code_idx)]
    st = np.array([a[:4] for a in geo.atom_id])
    dec = pop.dates.index(dt.date(y, 12, 31))
    u21 = pop.band(0, 20)[dec]
    best = ("", -1.0)
    for s in sorted(set(st)):
        atoms = np.flatnonzero(st == s)
        den = u21[atoms].sum()
        if den < 300:
            continue
        rate = np.isin(cases.atom[counted], atoms).sum() / den * 10_000
        if rate > best[1]:
            best = (s, float(rate))
    return best


def _sgb8_defects(land, rel, df, cases, idx, y, style, rng, bad_street) -> pl.DataFrame:
    edits = RowEdits()
    lo = to_days(dt.date(y, 1, 1))
    beg, end = cases.beginn[idx], cases.ende[idx]
    ended = np.flatnonzero((beg >= lo + 40) & (end <= to_days(dt.date(y, 12, 31))))
    heim = np.flatnonzero(cases.code[idx] == SGB8_CODES.index("34"))
    used: set[int] = set()

    def pick(pool: np.ndarray) -> int | None:
        pool = np.array([p for p in pool if p not in used])
        if not len(pool):
            return None
        p = int(rng.choice(pool))
        used.add(p)
        return p

    everyone = np.arange(df.height)
    if (p := pick(ended)) is not None:
        ende = dt.date(1970, 1, 1) + dt.timedelta(days=int(beg[p]) - int(rng.integers(5, 40)))
        edits.set(p, "ende", date_text(ende, style), "ende_vor_beginn")
    if (p := pick(everyone)) is not None:
        edits.set(p, "kosten_jahr", "-" + df["kosten_jahr"][p], "betrag_negativ")
    if (p := pick(everyone)) is not None:
        edits.set(p, "hilfeart", "27_3", "code_unbekannt")
    if (p := pick(everyone)) is not None:
        edits.set(p, "strasse", bad_street, "adresse_unbekannt")
    if (p := pick(heim)) is not None:
        born = dt.date(1970, 1, 1) + dt.timedelta(days=int(beg[p]) - int(30.4 * 365.25))
        edits.set(p, "geburtsdatum", date_text(born, style), "alter_unplausibel")
    df, found = edits.apply(df)
    for pos, col, reason in found:
        land.defect(rel, pos + 2, col, reason)
    return df


# --- finanzen --------------------------------------------------------------------------


def _write_finanzen(land, sc, seed, pop, bg_by_year, need_by_year, cost_by_year) -> None:
    """One file per year of the series (plan and Ist), and the plan of the year after it
    (the current budget, not yet closed: Ist empty)."""
    plan_year = sc.last_year + 1
    for k, y in enumerate([*sc.years, plan_year]):
        last = min(y, sc.last_year)
        dec = pop.dates.index(dt.date(last, 12, 31))
        drivers = {
            "bg_mean": bg_by_year[last],
            "HLU": need_by_year[last]["HLU"],
            "GRUSI": need_by_year[last]["GRUSI_ALTER"] + need_by_year[last]["GRUSI_EM"],
            "HZP": need_by_year[last]["HZP"],
            **cost_by_year[last],
        }
        if y == plan_year:
            drivers = plan_drivers(drivers, y)
        rows = finance_rows(
            y, drivers, int(pop.band(0, 100)[dec].sum()), seed, plan_only=y == plan_year
        )
        df = pl.DataFrame(rows, schema={c: pl.String for c in FIN_COLUMNS})
        cols = _shuffled(seed, FIN_COLUMNS, "finanzen", str(y)) if k % 2 == 1 else list(FIN_COLUMNS)
        land.write_frame(
            f"finanzen/finanzen_{y}.csv",
            df.select(cols),
            kind="finanzen",
            period=str(y),
            encoding=("utf-8", "cp1252", "utf-8-sig")[k % 3],
        )
