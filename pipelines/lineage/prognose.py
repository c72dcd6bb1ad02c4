"""`explain` for a projected figure: `bevoelkerungsprognose` and `bedarfsplanung`.

A figure is named by its column (`einwohner`; `bedarfsbevoelkerung`, `bedarf_plaetze`,
`versorgungsquote`, `platzsaldo`, `plaetze`), a key `GEBIET:GRUPPE[:VARIANTE[:BASISJAHR]]`
(GRUPPE: an age group of bevoelkerungsprognose such as `0-2` or `insgesamt`, or a facility
type of bedarfsplanung such as `kita_u3`; VARIANTE `mitte` unless named, `ist` for today's
rows of bedarfsplanung; BASISJAHR the latest base date unless named, an earlier one for a
back-test row) and the year. The text shows the base population, how the ratios were
obtained (base years, pooling with its weight for this area, damping, the average for young
children), the variant, the projected figure and the published one, and the back-test
quality of the method at this level and age group.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from pipelines.projection import cohort_component as cc
from pipelines.publish.tables import SYMBOLS

from .explain import (
    RULES,
    ExplainError,
    _closest,
    _connect,
    _num,
    _paths,
    _published,
    register,
)

TABLES = ("bevoelkerungsprognose", "bedarfsplanung")
PROGNOSE_COLUMNS = ("einwohner",)
BEDARF_COLUMNS = (
    "bedarfsbevoelkerung", "bedarf_plaetze", "versorgungsquote", "platzsaldo", "plaetze",
)  # fmt: skip
VARIANTS = {
    "mitte": "die Raten wie geschätzt",
    "unten": "jede Rate um eine Standardabweichung des jährlichen Wachstumsfaktors der Stadt "
    "in den Basisjahren niedriger, in jedem Prognosejahr",
    "oben": "jede Rate um eine Standardabweichung des jährlichen Wachstumsfaktors der Stadt "
    "in den Basisjahren höher, in jedem Prognosejahr",
    "ist": "gelieferte Einwohner (keine Prognose)",
}


def table_for(column: str, key: str, warehouse: Path) -> str | None:
    """The table when the key has the form GEBIET:GRUPPE (only these tables use it)."""
    if ":" not in key:
        return None
    if column in PROGNOSE_COLUMNS:
        return "bevoelkerungsprognose"
    if column in BEDARF_COLUMNS:
        return "bedarfsplanung"
    return None


def _settings(paths) -> dict:
    """The `prognose` block the warehouse was built with (dbt manifest), else the defaults."""
    manifest = paths.root / "dbt_ziel" / "manifest.json"
    try:
        node = json.loads(manifest.read_text(encoding="utf-8"))["nodes"][
            "model.sozialmonitor.bevoelkerungsprognose"
        ]
        given = json.loads(node["config"].get("prognose_json") or "{}")
    except (OSError, KeyError, ValueError):
        given = {}
    if given:
        return given
    from pipelines.config import load_config

    return load_config(None)["prognose"]


def _group_bounds(con, gruppe: str) -> tuple[int, int] | None:
    row = con.execute(
        "select any_value(alter_von), any_value(alter_bis) from publish.bevoelkerungsprognose "
        "where altersgruppe = ?",
        [gruppe],
    ).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


def _leaves(con, gebiet: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select gebiet_id from marts.gebiete where ist_aktuell and ist_feinste_ebene and "
            "(gebiet_id = ? or pfad like ? or pfad like ?)",
            [gebiet, f"%/{gebiet}/%", f"{gebiet}/%"],
        ).fetchall()
    ]


def _target_group(lo: int, hi: int) -> str:
    """The age group of prognose_guete whose back-test quality applies."""
    if hi <= 5:
        return "0-5"
    if lo >= 6 and hi <= 9:
        return "6-9"
    return "gesamt"


def _size_class(total: float) -> str:
    if total < 1000:
        return "unter 1.000"
    if total < 5000:
        return "1.000 bis unter 5.000"
    return "5.000 und mehr"


def explain_prognose(warehouse: Path, table: str, column: str, key: str, jahr: int) -> str:
    allowed = PROGNOSE_COLUMNS if table == "bevoelkerungsprognose" else BEDARF_COLUMNS
    if column not in allowed:
        raise ExplainError(
            f"Keine erklärbare Spalte '{column}' in {table}. Am nächsten: "
            f"{_closest(column, {c: '' for c in allowed})}"
        )
    parts = key.split(":")
    if len(parts) < 2 or len(parts) > 4:
        raise ExplainError(
            f"Schlüssel '{key}' für {table}: erwartet GEBIET:GRUPPE[:VARIANTE[:BASISJAHR]] "
            "(z. B. 010101:kita_u3:mitte)"
        )
    gebiet, gruppe = parts[0], parts[1]
    variante = parts[2] if len(parts) > 2 else "mitte"
    basisjahr = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
    if variante not in VARIANTS:
        raise ExplainError(f"Unbekannte Variante '{variante}'; erlaubt: {', '.join(VARIANTS)}")
    paths = _paths(warehouse)
    stichtag = date(jahr, 12, 31)
    con = _connect(paths.warehouse_db)
    try:
        if not paths.publish_db.exists():
            raise ExplainError(f"Keine Veröffentlichung unter {paths.root} (publish.duckdb fehlt)")
        con.execute(f"attach '{paths.publish_db}' as publish (read_only)")
        names = dict(con.execute("select gebiet_id, name from marts.gebiete").fetchall())
        if gebiet not in names:
            raise ExplainError(
                f"Unbekanntes Gebiet '{gebiet}'. Am nächsten: {_closest(gebiet, names)}"
            )
        if table == "bedarfsplanung":
            row = _bedarf_row(con, gebiet, gruppe, jahr, variante, basisjahr)
            lo, hi = row["alter_von"], row["alter_bis"]
            basis = row["basis_stichtag"]
        else:
            bounds = _group_bounds(con, gruppe)
            if bounds is None:
                known = [
                    r[0]
                    for r in con.execute(
                        "select distinct altersgruppe from publish.bevoelkerungsprognose"
                    ).fetchall()
                ]
                raise ExplainError(
                    f"Unbekannte Altersgruppe '{gruppe}'. Vorhanden: {', '.join(sorted(known))}"
                )
            lo, hi = bounds
            row, basis = None, _basis(con, gebiet, stichtag, variante, basisjahr)
        lines = [f"{table} / {column}: {gebiet} {names[gebiet]}, {gruppe}, {jahr}, {variante}"]
        if basis is None:
            lines += _ist_lines(con, row, column, gebiet, stichtag)
            return "\n".join(lines)
        method = _method(con, gebiet, basis)
        projected = con.execute(
            "select sum(einwohner), any_value(ebene) from marts.bevoelkerungsprognose where "
            "gebiet_id = ? and basis_stichtag = ? and stichtag = ? and variante = ? and "
            "alter between ? and ?",
            [gebiet, basis, stichtag, variante, lo, hi],
        ).fetchone()
        total_base = _base_population(con, gebiet, basis, 0, 200)
        base = _base_population(con, gebiet, basis, lo, hi)
        lines += [
            f"Altersgruppe: {lo} bis {hi if hi < 100 else '100 und älter'} Jahre",
            f"Basisstichtag: {basis:%d.%m.%Y}; Ausgangsbestand der Altersgruppe: {_num(base, 0)} "
            f"(Gebiet insgesamt {_num(total_base, 0)})",
            f"Verfahren: {METHOD_NAMES[method]}",
            f"Variante {variante}: "
            + (COMPONENT_VARIANTS[variante] if method == "kohorten" else VARIANTS[variante]),
        ]
        leaves = _leaves(con, gebiet)
        if leaves != [gebiet]:
            lines.append(
                f"Gröbere Ebene: Summe der Prognosen von {len(leaves)} feinsten Gebieten "
                "(Raten und Pooling je feinstem Gebiet)"
            )
            base_for_weight = None
        else:
            base_for_weight = base
        if method == "kohorten":
            lines += _component_lines(con, _settings(paths), leaves, basis, lo, hi)
        else:
            lines += _method_lines(_settings(paths), base_for_weight, lo, hi)
        lines.append(
            f"Prognose (Warehouse, ungerundet): {_num(projected[0], 2)}"
            + (
                f"; Veränderung gegenüber dem Ausgangsbestand {_num((projected[0] / base - 1) * 100, 1)} %"
                if base
                else ""
            )
        )
        if table == "bedarfsplanung":
            lines += _bedarf_lines(con, row, column, gebiet)
        else:
            pub = _published(
                paths,
                "select einwohner, symbol from bevoelkerungsprognose where gebiet_id = ? and "
                "basis_stichtag = ? and stichtag = ? and variante = ? and altersgruppe = ?",
                [gebiet, basis, stichtag, variante, gruppe],
            )
            lines.append(_published_line(pub))
            if pub is not None and pub[1] is not None:
                lines += _audit_lines(
                    con, "bevoelkerungsprognose", f"{gruppe}:{variante}", gebiet, stichtag
                )
        lines += _quality_lines(
            con, projected[1], _target_group(lo, hi), _size_class(total_base), jahr - basis.year
        )
        lines.append(
            f"Berechnung: pipelines/projection ({METHOD_NAMES[method]}), "
            "docs/projection.md; Modelle marts.bevoelkerungsprognose, marts.prognose_guete"
            + (", marts.bedarfsplanung" if table == "bedarfsplanung" else "")
        )
        return "\n".join(lines)
    finally:
        con.close()


METHOD_NAMES = {
    "kohorten": "Komponentenmethode (Geburten, Sterbefälle, Zu- und Fortzüge nach Alter und "
    "Geschlecht aus den Bewegungsdaten)",
    "hamilton_perry": "Kohortenveränderungsraten nach Hamilton–Perry",
}
COMPONENT_VARIANTS = cc.VARIANTS  # the variants of the cohort-component method


def _method(con, gebiet: str, basis: date) -> str:
    """The method of the projection from `basis` (a warehouse without the column: HP)."""
    try:
        row = con.execute(
            "select any_value(methode) from marts.bevoelkerungsprognose where gebiet_id = ? "
            "and basis_stichtag = ?",
            [gebiet, basis],
        ).fetchone()
    except duckdb.Error:  # a warehouse built before the method column
        return "hamilton_perry"
    return row[0] if row and row[0] in METHOD_NAMES else "hamilton_perry"


def _component_lines(con, s: dict, leaves: list[str], basis: date, lo: int, hi: int) -> list[str]:
    """The rates of the cohort-component method for the area (its finest areas), re-estimated
    by the same code from the warehouse's staging tables."""
    from pipelines.projection.frames import (
        _consecutive_until,
        _moves_subset,
        _present,
        _subset,
        finest_population,
        moves_from_frame,
        pooling_matrix,
        population,
        settings_from_config,
    )

    settings, levels_up = settings_from_config(s)
    gebiete = con.execute(
        "select gebiet_id, ebene, ebene_rang, parent_id, ist_feinste_ebene from marts.gebiete"
    ).pl()
    einwohner = finest_population(
        con.execute(
            "select gebiet_id, periode, alter, geschlecht, anzahl from staging.stg_einwohner "
            "where periode <= ?",
            [basis],
        ).pl(),
        gebiete,
    )
    pop = population(einwohner)
    moves = moves_from_frame(
        con.execute(
            "select gebiet_id, jahr, art, alter, geschlecht, anzahl from staging.stg_bewegungen"
        ).pl(),
        pop.areas,
        pop.open_age,
    )
    idx = _present(pop, basis.year)
    base_pop, base_moves = _subset(pop, idx), _moves_subset(moves, idx)
    chain = _consecutive_until(list(pop.years), basis.year)
    window = chain[-(settings.base_years + 1) :]
    rates = cc.estimate(
        [base_pop.years[y] for y in window],
        [base_moves[y] for y in window[1:]],
        pooling_matrix(
            base_pop.areas, gebiete.select("gebiet_id", "ebene", "parent_id"), levels_up
        ),
        settings,
    )
    rows = [base_pop.areas.index(a) for a in leaves if a in base_pop.areas]
    snap = base_pop.years[basis.year]
    women = cc._women(snap)[rows, 15:50].sum(axis=1)
    tfr = rates.fertility[rows].sum(axis=1)
    area_tfr = float((tfr * women).sum() / women.sum()) if women.sum() > 0 else float(tfr.mean())
    top = hi + 1 if hi < pop.open_age else pop.open_age + 1
    weight = {sex: p[rows, lo:top] for sex, p in snap.items()}
    persons = sum(float(w.sum()) for w in weight.values()) or 1.0

    def per_1000(r: dict) -> str:
        value = sum(float((r[sex][rows, lo:top] * w).sum()) for sex, w in weight.items())
        return _num(value / persons * 1000, 1)

    pooling = float(s.get("pooling_personen", 1000))
    shares = rates.sex_at_birth
    split = (
        f"Jungen {_num(shares.get('m', 0) * 100, 1)} %, Mädchen {_num(shares.get('w', 0) * 100, 1)} %"
        if "m" in shares and "w" in shares
        else "nicht nach Geschlecht"
    )
    return [
        f"Raten: je Person der mittleren Bevölkerung der Kohorte, gepoolt über die letzten "
        f"{len(window) - 1} Jahre vor dem Basisstichtag ({window[1]}–{window[-1]}); Alter am "
        "31.12. (Berichtsjahr minus Geburtsjahr), Geburten nach Alter der Mutter",
        f"Raten des Gebiets: zusammengefasste Geburtenziffer {_num(area_tfr, 2)} Kinder je Frau; "
        f"Altersgruppe je 1.000 Einwohner und Jahr: Sterbefälle {per_1000(rates.mortality)}, "
        f"Zuzüge (von außerhalb und innerhalb der Stadt) {per_1000(rates.inflow)}, "
        f"Fortzüge {per_1000(rates.outflow)}",
        f"Pooling: Raten des Gebiets zur Rate des Gebiets {levels_up} Ebenen höher hin gezogen "
        f"mit {int(pooling)} Personen Gewicht",
        f"Geburten nach Geschlecht: {split}",
        "Bewegungen ohne Altersangabe: verteilt nach "
        + ("dem Altersprofil der Stadt aus den Jahren mit Altersangaben"
           if rates.profile_source == "Stadtprofil"
           else "festen Standardprofilen (docs/projection.md)"),
    ]  # fmt: skip


def _basis(con, gebiet, stichtag, variante, basisjahr):
    days = [
        r[0]
        for r in con.execute(
            "select distinct basis_stichtag from marts.bevoelkerungsprognose where gebiet_id = ? "
            "and stichtag = ? and variante = ? order by 1",
            [gebiet, stichtag, variante],
        ).fetchall()
    ]
    if basisjahr is not None:
        days = [d for d in days if d.year == basisjahr]
    if not days:
        raise ExplainError(
            f"Keine Prognose für {gebiet} zum {stichtag:%d.%m.%Y} in der Variante {variante}"
            + (f" vom Basisjahr {basisjahr}" if basisjahr else "")
        )
    return days[-1]


def _bedarf_row(con, gebiet, art, jahr, variante, basisjahr) -> dict:
    cur = con.execute(
        "select * from marts.bedarfsplanung where gebiet_id = ? and art = ? and jahr = ? "
        "and variante = ?",
        [gebiet, art, jahr, variante],
    )
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    if not rows:
        arts = [
            r[0] for r in con.execute("select distinct art from marts.bedarfsplanung").fetchall()
        ]
        raise ExplainError(
            f"Keine Zeile der bedarfsplanung für {gebiet}, {art}, {jahr}, {variante}. "
            f"Einrichtungsarten: {', '.join(sorted(arts))}"
        )
    row = rows[0]
    if basisjahr is not None and row["basis_stichtag"] and row["basis_stichtag"].year != basisjahr:
        raise ExplainError(f"bedarfsplanung rechnet nur vom Basisstichtag {row['basis_stichtag']}")
    return row


def _base_population(con, gebiet: str, basis: date, lo: int, hi: int) -> float:
    leaves = _leaves(con, gebiet)
    if not leaves:
        return 0.0
    value = con.execute(
        "select coalesce(sum(anzahl), 0) from staging.stg_einwohner where periode = ? and "
        "alter between ? and ? and list_contains(?, gebiet_id)",
        [basis, lo, hi, leaves],
    ).fetchone()[0]
    return float(value)


def _method_lines(s: dict, base: float | None, lo: int, hi: int) -> list[str]:
    pooling = float(s.get("pooling_personen", 1000))
    own = ""
    if base is not None:
        weight = base / (base + pooling) if base + pooling > 0 else 0.0
        own = (
            f"; bei {_num(base, 0)} Personen der Altersgruppe zählt die eigene Rate etwa "
            f"{_num(weight * 100, 0)} %"
        )
    lines = [
        "Raten: Kohortenveränderungsraten (Einwohner eines Alters zum 31.12. durch Einwohner "
        "des Vorjahresalters ein Jahr zuvor; Geburten: Kinder unter 1 durch Personen "
        f"{s.get('geburten_bezug_von_alter', 20)}–{s.get('geburten_bezug_bis_alter', 39)} Jahre), "
        f"gepoolt über die letzten {s.get('basisjahre', 3)} Übergänge vor dem Basisstichtag",
        f"Pooling: Raten des Gebiets zur Rate des Gebiets {s.get('pooling_ebenen_hoeher', 2)} "
        f"Ebenen höher hin gezogen mit {int(pooling)} Personen Gewicht{own}",
    ]
    damp_from = int(s.get("daempfung_ab_alter", 6))
    if hi >= damp_from:
        lines.append(
            f"Dämpfung: ab Alter {damp_from} wird die Rate um {_num(float(s.get('daempfung', 0.5)) * 100, 0)} % "
            "zur Rate der Stadt gezogen"
        )
    young = int(s.get("kinder_mittel_unter_alter", 6))
    if lo < young:
        lines.append(
            f"Kinder unter {young}: Mittel (Gewicht {s.get('kinder_mittel_gewicht', 0.5)}) aus "
            "Kohortenprojektion und Kindern gleichen Alters im Basisjahr (mit dem Wachstum der "
            "Variante)"
        )
    return lines


PROJECTED_RULE = (
    "Prognosewerte stehen nur ab der Mindestfallzahl in Gebieten ab der Mindesteinwohnerzahl"
)
IST_RULE = (
    "die Bevölkerung der Altersgruppe ist eine Zählung: `*` unter der Mindestfallzahl oder "
    "aus übergeordnetem Gebiet und Nachbargebieten oder mit den Einwohnerzahlen anderer "
    "Altersgruppen rückrechenbar, `.` in Gebieten unter der "
    "Mindesteinwohnerzahl; benötigte Plätze, Saldo und Quote folgen ihr"
)


def _published_line(pub, rule: str = PROJECTED_RULE) -> str:
    if pub is None:
        return "Veröffentlicht: keine Zeile in publish.duckdb (noch nicht veröffentlicht?)"
    wert, symbol = pub[0], pub[1]
    if symbol is None:
        return f"Veröffentlicht: {_num(wert, 2)}"
    return f"Veröffentlicht: `{symbol}` ({SYMBOLS.get(symbol, symbol)}); {rule}"


def _bedarf_lines(con, row: dict, column: str, gebiet: str) -> list[str]:
    lines = [
        f"Plätze (öffentlich): {row['plaetze']}; Bedarfseckwert {_num(row['zielwert'], 2)} "
        f"Plätze je {row['je']} Einwohner der Altersgruppe",
        f"benötigte Plätze = Bevölkerung × {_num(row['zielwert'], 2)} / {row['je']} = "
        f"{_num(row['bedarf_plaetze'], 2)}; Platzsaldo = Plätze − benötigte Plätze = "
        f"{_num(row['platzsaldo'], 2)}; Versorgungsquote = Plätze × {row['je']} / Bevölkerung = "
        f"{_num(row['versorgungsquote'], 2)}",
    ]
    pub = con.execute(
        f"select {column}, symbol from publish.bedarfsplanung where gebiet_id = ? and art = ? "
        "and jahr = ? and variante = ?",
        [gebiet, row["art"], row["jahr"], row["variante"]],
    ).fetchone()
    lines.append(_published_line(pub, IST_RULE if row["variante"] == "ist" else PROJECTED_RULE))
    if pub is not None and pub[1] is not None:
        merkmal = row["art"] if row["variante"] == "ist" else f"{row['art']}:{row['variante']}"
        lines += _audit_lines(con, "bedarfsplanung", merkmal, gebiet, date(row["jahr"], 12, 31))
    return lines


def _audit_lines(con, tabelle: str, merkmal: str, gebiet: str, stichtag: date) -> list[str]:
    """The rule of audit.geheimhaltung that withheld the figure (the planning unit's log)."""
    if not con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' "
        "and table_name = 'geheimhaltung'"
    ).fetchone()[0]:
        return []
    rows = con.execute(
        "select regel, ausgeloest_durch from audit.geheimhaltung where tabelle = ? and "
        "merkmal = ? and gebiet_id = ? and periode = ? order by 1",
        [tabelle, merkmal, gebiet, stichtag],
    ).fetchall()
    return [
        f"Regel (audit.geheimhaltung): {RULES.get(regel, regel)}"
        + (f", ausgelöst durch {by}" if by else "")
        for regel, by in rows
    ]


def _ist_lines(con, row: dict, column: str, gebiet: str, stichtag: date) -> list[str]:
    lines = [
        "Variante ist: gelieferte Einwohner der Altersgruppe "
        f"{row['alter_von']}–{row['alter_bis']} zum {stichtag:%d.%m.%Y}: "
        f"{_num(row['bedarfsbevoelkerung'], 0)} (eine Zählung, keine Prognose)"
    ]
    lines += _bedarf_lines(con, row, column, gebiet)
    return lines


def _quality_lines(con, ebene: str, zielgruppe: str, klasse: str, horizont: int) -> list[str]:
    horizont = max(1, min(horizont, 5))
    rows = con.execute(
        "select groessenklasse, methode, avg(mape), avg(gewichteter_fehler), avg(bias), "
        "count(distinct basis_stichtag) from marts.prognose_guete where ebene = ? and "
        "zielgruppe = ? and horizont_jahre = ? and groessenklasse in (?, 'alle') "
        "group by 1, 2 order by 1, 2",
        [ebene, zielgruppe, horizont, klasse],
    ).fetchall()
    if not rows:
        return [
            f"Güte der Rückrechnung ({ebene}, {zielgruppe}, {horizont} Jahre): keine "
            "Rückrechnung möglich (es braucht drei Übergänge vor und fünf Jahre nach einem "
            "31.12.)"
        ]
    out = [
        f"Güte der Rückrechnung ({ebene}, Altersgruppe {zielgruppe}, Horizont {horizont} Jahre, "
        f"Mittel über {max(r[5] for r in rows)} Basisstichtage):"
    ]
    for klasse_, methode, mape, weighted, bias, _ in rows:
        out.append(
            f"  {klasse_}, {methode}: MAPE {_num(mape, 1)} %, gewichteter Fehler "
            f"{_num(weighted, 1)} %, Verzerrung {_num(bias, 1)} %"
        )
    return out


register(TABLES, table_for, explain_prognose)
