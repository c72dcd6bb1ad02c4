"""`explain` for the Kontraktmanagement table `kontrakte`.

A figure is named by its column (`ist`, `kosten_je_einheit`, `ausfuehrungsquote`,
`status`, ...), its measure (`M-01`, or `M-01:teilnehmende` for one output) and the year.
The text shows the formula with the warehouse's values, the status rule applied, what
publish.duckdb shows and why a figure is withheld, the delivered files (contracts, budget,
the Träger's report) and the dbt model chain.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.publish.tables import SYMBOLS

from .explain import (
    RULES,
    ExplainError,
    SourceFile,
    _chain_lines,
    _closest,
    _connect,
    _files_lines,
    _num,
    _paths,
    _published,
    _unknown_date,
    model_chain,
    register,
)

TABLES = ("kontrakte",)
FORMULAS = {
    "soll": "vereinbarter Zielwert (massnahmen/ziele.csv, art leistung)",
    "ist": "berichtete Leistung (leistungsberichte/leistungsberichte_<jahr>.csv)",
    "zielerreichung": "Ist / Soll × 100",
    "plan_eur": "vereinbartes Budget (massnahmen/budget.csv)",
    "ist_eur": "berichtete Ausgabe der Maßnahme im Jahr (Leistungsbericht)",
    "abweichung_eur": "Ist EUR − Plan EUR",
    "ausfuehrungsquote": "Ist EUR / Plan EUR × 100",
    "kosten_je_einheit": "Ist EUR / Ist (die ganze Ausgabe je Einheit dieser Leistung)",
    "status": "Regel: offen ohne Istwert; erfuellt bei mindestens Ist >= Soll bzw. "
    "hoechstens Ist <= Soll; sonst verfehlt",
}
KINDS = ("massnahmen", "massnahmen_ziele", "massnahmen_budget", "leistungsberichte")


def table_for(column: str, key: str, warehouse: Path) -> str | None:
    """`kontrakte` when the key names a measure of it (a column of FORMULAS)."""
    if column not in FORMULAS:
        return None
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        hit = con.execute(
            "select count(*) from marts.kontrakte where massnahme_id = ?", [key.split(":")[0]]
        ).fetchone()[0]
    finally:
        con.close()
    return "kontrakte" if hit else None


def explain_kontrakte(warehouse: Path, table: str, column: str, key: str, jahr: int) -> str:
    if column not in FORMULAS:
        raise ExplainError(
            f"Keine erklärbare Spalte '{column}' in {table}. Am nächsten: "
            f"{_closest(column, {c: '' for c in FORMULAS})}"
        )
    massnahme, _, kennzahl = key.partition(":")
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        names = dict(
            con.execute(
                "select massnahme_id, any_value(titel) from marts.kontrakte group by 1 order by 1"
            ).fetchall()
        )
        if massnahme not in names:
            raise ExplainError(
                f"Unbekannte Maßnahme '{massnahme}' in kontrakte. Am nächsten: "
                f"{_closest(massnahme, {k: v or '' for k, v in names.items()})}"
            )
        years = [
            r[0]
            for r in con.execute(
                "select distinct jahr from marts.kontrakte where massnahme_id = ? order by 1",
                [massnahme],
            ).fetchall()
        ]
        if jahr not in years:
            raise _unknown_date(f"kontrakte / {massnahme}", jahr, years, show=str)
        cur = con.execute(
            "select * from marts.kontrakte where massnahme_id = ? and jahr = ?"
            + (" and kennzahl = ?" if kennzahl else "")
            + " order by kennzahl nulls last",
            [massnahme, jahr, *([kennzahl] if kennzahl else [])],
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            known = [
                r[0]
                for r in con.execute(
                    "select distinct kennzahl from marts.kontrakte where massnahme_id = ? "
                    "and jahr = ? and kennzahl is not null order by 1",
                    [massnahme, jahr],
                ).fetchall()
            ]
            raise ExplainError(
                f"Keine Kennzahl '{kennzahl}' für {massnahme} {jahr}. Vorhanden: "
                f"{', '.join(known) or 'keine'}"
            )
        log = con.execute(
            "select merkmal, regel from audit.geheimhaltung where tabelle = 'kontrakte' "
            "and gebiet_id = ? and periode = ?",
            [massnahme, date(jahr, 12, 31)],
        ).fetchall()
        files = _kontrakte_files(con, massnahme, jahr)
        comment = con.execute(
            "select comment from duckdb_columns() where schema_name = 'marts' "
            "and table_name = 'kontrakte' and column_name = ?",
            [column],
        ).fetchone()
    finally:
        con.close()
    first = rows[0]
    lines = [
        f"{column} (kontrakte), {first['titel']} [{massnahme}], Träger {first['traeger']}, "
        f"Jahr {jahr}",
        f"Zielgebiete: {first['gebiete'] or '–'}",
        "",
        f"Formel:  {column} = {FORMULAS[column]}",
    ]
    withheld = {m: r for m, r in log}
    for row in rows:
        lines += _row_lines(column, row)
        lines += _published_lines(paths, column, row, withheld)
    lines += _files_lines(files)
    lines += _chain_lines(model_chain("kontrakte", set(KINDS), "kontrakte"))
    if comment and comment[0]:
        lines += ["", f"Definition: {comment[0]}"]
    return "\n".join(lines)


def _row_lines(column: str, v: dict) -> list[str]:
    label = v["kennzahl"] or "ohne Leistungsziel"
    calc = {
        "zielerreichung": f"{_num(v['ist'])} / {_num(v['soll'])} × 100",
        "abweichung_eur": f"{_num(v['ist_eur'], 2)} − {_num(v['plan_eur'], 2)}",
        "ausfuehrungsquote": f"{_num(v['ist_eur'], 2)} / {_num(v['plan_eur'], 2)} × 100",
        "kosten_je_einheit": f"{_num(v['ist_eur'], 2)} / {_num(v['ist'])}",
    }.get(column)
    value = v.get(column)
    shown = value if isinstance(value, str) else _num(value, 2)
    out = ["", f"Kennzahl {label} (Richtung {v['richtung'] or '–'}, Soll {_num(v['soll'])}):"]
    out.append(f"         = {calc} = {shown}" if calc else f"         = {shown}")
    out.append(f"  Status {v['status']}: {v['status_grund']}")
    return out


def _published_lines(paths, column: str, row: dict, withheld: dict) -> list[str]:
    kz = row["kennzahl"]
    pub = _published(
        paths,
        f"select {column}, symbol from kontrakte where massnahme_id = ? and jahr = ? "
        "and kennzahl is not distinct from ?",
        [row["massnahme_id"], row["jahr"], kz],
    )
    if pub is None:
        return ["Veröffentlicht (publish.duckdb): keine Zeile"]
    value, symbol = pub
    if isinstance(value, str):
        text = value
    else:
        text = _num(value, 2) if value is not None else (symbol or "leer")
    out = [f"Veröffentlicht (publish.duckdb): {text}"]
    if value is None and symbol in SYMBOLS:
        out.append(f"  `{symbol}` {SYMBOLS[symbol]}.")
    if kz in withheld:
        out.append(
            f"  Ist {kz}: {RULES.get(withheld[kz], withheld[kz])}; Zielerreichung und Kosten je "
            "Einheit gäben die Anzahl mit Soll und Ist EUR zurück."
        )
    return out


def _kontrakte_files(con, massnahme: str, jahr: int) -> list[SourceFile]:
    out: list[SourceFile] = []
    for table, where, params in (
        ("massnahmen", "massnahme_id = ?", [massnahme]),
        ("massnahmen_ziele", "massnahme_id = ?", [massnahme]),
        ("massnahmen_budget", "massnahme_id = ?", [massnahme]),
        ("leistungsberichte", "massnahme_id = ? and jahr = ?", [massnahme, jahr]),
    ):
        for r in con.execute(
            f"""select a.quelle, a.datei, a.sha256,
                       strftime(a.beendet_am, '%d.%m.%Y %H:%M:%S'), a.run_id, a.periode
                from audit.loads a
                where a.load_id in (select distinct load_id from raw.{table} where {where})
                order by a.datei""",
            params,
        ).fetchall():
            out.append(SourceFile(*r))
    return out


register(TABLES, table_for, explain_kontrakte)


# --- wirkungsanalyse and zielueberpruefung ---------------------------------------------------

WIRKUNG_COLUMNS = (
    "differenz_in_differenzen", "untergrenze", "obergrenze", "p_wert", "veraenderung_massnahme",
    "veraenderung_vergleich", "vorher_massnahme", "nachher_massnahme", "vorher_vergleich",
    "nachher_vergleich", "ergebnis",
)  # fmt: skip
ZIEL_COLUMNS = ("status", "trend_zieljahr", "trend_je_jahr", "letzter_wert", "reihe")


def _rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def explain_wirkung(warehouse: Path, table: str, column: str, key: str, jahr: int) -> str:
    """A figure of wirkungsanalyse: key `M-05` or `M-05:sgb2_kinderarmut`; `jahr` is not
    needed (one row per measure and indicator) and only shown."""
    from pipelines.wirkung import KONFIDENZ, VERGLEICH_JE_GEBIET

    if column not in WIRKUNG_COLUMNS:
        raise ExplainError(
            f"Keine erklärbare Spalte '{column}' in wirkungsanalyse. Am nächsten: "
            f"{_closest(column, {c: '' for c in WIRKUNG_COLUMNS})}"
        )
    massnahme, _, indikator = key.partition(":")
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        rows = _rows(
            con,
            "select * from marts.wirkungsanalyse where massnahme_id = ?"
            + (" and indikator_id = ?" if indikator else "")
            + " order by indikator_id",
            [massnahme, *([indikator] if indikator else [])],
        )
        if not rows:
            known = {
                m: t or ""
                for m, t in con.execute(
                    "select massnahme_id, any_value(titel) from marts.wirkungsanalyse group by 1"
                ).fetchall()
            }
            raise ExplainError(
                f"Keine Wirkungsanalyse für '{key}'. Vorhanden: {_closest(massnahme, known)}"
            )
        lines: list[str] = []
        files: list[SourceFile] = _kontrakte_files(con, massnahme, jahr)
        for r in rows:
            lines += [
                f"{column} (wirkungsanalyse), {r['titel']} [{r['massnahme_id']}], Indikator "
                f"{r['indikator_id']} ({r['einheit'] or ''})",
                "",
                f"Ergebnis: {r['ergebnis']}: {r['grund']}",
            ]
            if r["differenz_in_differenzen"] is not None:
                lines += _did_lines(con, r, KONFIDENZ, VERGLEICH_JE_GEBIET)
            files += _indicator_files(con, r)
            pub = _published(
                paths,
                f"select {column} from wirkungsanalyse where massnahme_id = ? and indikator_id = ?",
                [r["massnahme_id"], r["indikator_id"]],
            )
            shown = "keine Zeile" if pub is None else (
                pub[0] if isinstance(pub[0], str) else _num(pub[0], 4)
            )  # fmt: skip
            lines += [
                "",
                f"Veröffentlicht (publish.duckdb): {shown} (berechnet nur aus veröffentlichten "
                "Werten; ein gesperrtes Gebiet nimmt dort nicht teil)",
                f"Hinweis: {r['hinweis']}",
            ]
    finally:
        con.close()
    unique = list({(f.datei, f.sha256): f for f in files}.values())
    lines += _files_lines(unique)
    sources = {"sgb2", "einwohner", "sgb12", "sgb8", *KINDS}
    lines += _chain_lines(model_chain("wirkungsanalyse", sources, "wirkungsanalyse"))
    return "\n".join(lines)


def _indicator_files(con, r: dict) -> list[SourceFile]:
    """The delivered files of the indicator's source and of the population at both dates."""
    from .explain import _files

    row = con.execute(
        "select quelle from marts.indikatorkatalog where indikator_id = ?", [r["indikator_id"]]
    ).fetchone()
    days = [d for d in (r.get("vorher_periode"), r.get("nachher_periode")) if d is not None]
    kinds = [k for k in ((row[0] if row else None), "einwohner") if k]
    return _files(con, [(k, d) for k in kinds for d in days])


def _did_lines(con, r: dict, konfidenz: float, per_area: int) -> list[str]:
    def area_lines(areas: str, label: str) -> list[str]:
        out = [f"{label}:"]
        for g in areas.split(","):
            vals = dict(
                con.execute(
                    "select periode, wert from marts.indikatoren where indikator_id = ? "
                    "and gebiet_id = ? and periode in (?, ?) and aktueller_gebietsstand",
                    [r["indikator_id"], g, r["vorher_periode"], r["nachher_periode"]],
                ).fetchall()
            )
            before, after = vals.get(r["vorher_periode"]), vals.get(r["nachher_periode"])
            change = None if before is None or after is None else after - before
            out.append(f"  {g}: {_num(before)} -> {_num(after)}  (Veränderung {_num(change)})")
        return out

    return [
        "",
        f"Vorher {r['vorher_periode']:%d.%m.%Y} (Jahr vor Beginn {r['beginn']:%d.%m.%Y}), "
        f"nachher {r['nachher_periode']:%d.%m.%Y}",
        *area_lines(r["gebiete"], f"Zielgebiete ({r['anzahl_gebiete']})"),
        *area_lines(
            r["vergleichsgebiete"],
            f"Vergleichsgebiete ({r['anzahl_vergleichsgebiete']}; je Zielgebiet die {per_area} "
            "derselben Statusklasse mit dem nächsten Ausgangswert, in keiner Maßnahme)",
        ),
        "",
        "Formel:  Differenz der Differenzen = mittlere Veränderung Zielgebiete − mittlere "
        "Veränderung Vergleichsgebiete",
        f"         = {_num(r['veraenderung_massnahme'])} − {_num(r['veraenderung_vergleich'])}"
        f" = {_num(r['differenz_in_differenzen'])}",
        f"Intervall ({int(konfidenz * 100)} %): Differenz minus das 97,5- und 2,5-%-Quantil der "
        f"Differenzen aller {r['permutationen']} Aufteilungen der Gebiete = "
        f"[{_num(r['untergrenze'])}; {_num(r['obergrenze'])}], p = {_num(r['p_wert'])}",
    ]


def explain_ziel(warehouse: Path, table: str, column: str, key: str, jahr: int) -> str:
    """A target of zielueberpruefung: key = the measure (`M-01`, `M-01:teilnehmende`) or
    the area of a city goal (`00:sgb2_quote`), `jahr` the target year."""
    if column not in ZIEL_COLUMNS:
        raise ExplainError(
            f"Keine erklärbare Spalte '{column}' in zielueberpruefung. Am nächsten: "
            f"{_closest(column, {c: '' for c in ZIEL_COLUMNS})}"
        )
    who, _, kennzahl = key.partition(":")
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        rows = _rows(
            con,
            "select * from marts.zielueberpruefung where (massnahme_id = ? or gebiet_id = ?) "
            "and jahr = ?"
            + (" and kennzahl = ?" if kennzahl else "")
            + " order by ziel_art, kennzahl",
            [who, who, jahr, *([kennzahl] if kennzahl else [])],
        )
        if not rows:
            known = {
                f"{m or g}:{k} {j}": ""
                for m, g, k, j in con.execute(
                    "select massnahme_id, gebiet_id, kennzahl, jahr from marts.zielueberpruefung "
                    "order by 1, 2, 3, 4"
                ).fetchall()
            }
            raise ExplainError(
                f"Kein Ziel '{key}' im Jahr {jahr}. Am nächsten: {_closest(f'{key} {jahr}', known)}"
            )
    finally:
        con.close()
    lines: list[str] = []
    for r in rows:
        lines += [
            f"{column} (zielueberpruefung), Ziel {r['ziel_art']} {r['kennzahl']}"
            + (f", Maßnahme {r['massnahme_id']}" if r["massnahme_id"] else "")
            + (f", Gebiet(e) {r['gebiet_id']}" if r["gebiet_id"] else "")
            + f", Zieljahr {r['jahr']}",
            "",
            f"Ziel: {r['richtung']} {_num(r['zielwert'], 2)} {r['einheit'] or ''}".rstrip(),
            f"Reihe: {r['reihe'] or 'keine Werte'}",
            f"Status {r['status']}: {r['grund']}",
        ]
        pub = _published(
            paths,
            f"select {column}, grund from zielueberpruefung where ziel_art = ? and jahr = ? "
            "and kennzahl = ? and massnahme_id is not distinct from ? "
            "and gebiet_id is not distinct from ?",
            [r["ziel_art"], r["jahr"], r["kennzahl"], r["massnahme_id"], r["gebiet_id"]],
        )
        if pub is None:
            lines.append("Veröffentlicht (publish.duckdb): keine Zeile")
        else:
            value = pub[0] if isinstance(pub[0], str) or pub[0] is None else _num(pub[0])
            lines.append(f"Veröffentlicht (publish.duckdb): {value or 'leer'} ({pub[1]})")
        lines.append("")
    lines += _chain_lines(
        model_chain("zielueberpruefung", {"sgb2", "sgb12", "sgb8", "einwohner", "ziele", *KINDS},
                    "zielueberpruefung")
    )  # fmt: skip
    return "\n".join(lines)


register(("wirkungsanalyse",), lambda column, key, warehouse: None, explain_wirkung)
register(("zielueberpruefung",), lambda column, key, warehouse: None, explain_ziel)
