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
