"""`explain` for the controlling tables over the budget years: `controlling_haushalt`
(Plan/Ist), `controlling_zerlegung` (the decomposition of the change of Ist) and
`controlling_kennzahlen` (the Kennzahlenbericht).

A figure is named by its column (`mengeneffekt`, `kosten_je_fall`, `ausfuehrungsquote`,
...), its key (a Bereich, a product key or `gesamt`) and the budget year. The text shows
the formula with the warehouse's values, the city's case counts behind it (which reference
dates were averaged), the accounts of the budget, what publish.duckdb shows and why a
figure is withheld, the delivered files and the dbt model chain.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.publish.tables import SYMBOLS

from .explain import (
    RULES,
    ExplainError,
    _chain_lines,
    _closest,
    _connect,
    _files,
    _files_lines,
    _num,
    _paths,
    _published,
    _unknown_date,
    model_chain,
    register,
)

TABLES = ("controlling_haushalt", "controlling_zerlegung", "controlling_kennzahlen")
KEY = {
    "controlling_haushalt": "schluessel",
    "controlling_zerlegung": "bereich",
    "controlling_kennzahlen": "produkt",
}
# the delivery kind of each case count
CASE_SOURCES = {
    "bg": "sgb2",
    "grusi_empfaenger": "sgb12",
    "hzp": "sgb12",
    "hze_faelle": "sgb8",
    "inobhutnahmen": "sgb8",
}
FORMULAS = {
    "controlling_haushalt": {
        "plan": "Σ Plan der Aufwandskonten (fortgeschriebener Ansatz, sonst Ansatz)",
        "ist": "Σ Ist der Aufwandskonten",
        "abweichung": "Ist − Plan",
        "ausfuehrungsquote": "Ist / Plan × 100",
    },
    "controlling_zerlegung": {
        "veraenderung": "Ist − Ist Vorjahr = Mengeneffekt + Preiseffekt + Restglied",
        "mengeneffekt": "(Fälle − Fälle Vorjahr) × Kosten je Fall Vorjahr",
        "preiseffekt": "(Kosten je Fall − Kosten je Fall Vorjahr) × Fälle Vorjahr",
        "restglied": "(Fälle − Fälle Vorjahr) × (Kosten je Fall − Kosten je Fall Vorjahr)",
        "kosten_je_fall": "Ist / Fälle",
        "kosten_je_fall_vorjahr": "Ist Vorjahr / Fälle Vorjahr",
        "faelle": "Fälle der Gesamtstadt (Jahresmittel der Stichtage bzw. Fälle des Jahres)",
        "faelle_vorjahr": "Fälle der Gesamtstadt im Vorjahr",
        "ist": "Σ Ist der Aufwandskonten des Bereichs",
        "ist_vorjahr": "Σ Ist der Aufwandskonten des Bereichs im Vorjahr",
    },
    "controlling_kennzahlen": {
        "faelle": "Fälle der Gesamtstadt (die des Bereichs des Produkts)",
        "ist": "Σ Ist der Aufwandskonten des Produkts",
        "kosten_je_fall": "Ist / Fälle",
        "faelle_je_1000_ew": "Fälle / Einwohner × 1.000",
        "faelle_veraenderung_prozent": "(Fälle / Fälle Vorjahr − 1) × 100",
        "kosten_je_fall_veraenderung_prozent": "(Kosten je Fall / Kosten je Fall Vorjahr − 1) × 100",
    },
}
EXPLAINABLE = {t: tuple(f) for t, f in FORMULAS.items()}


def table_for(column: str, key: str, warehouse: Path) -> str | None:
    """The table a column belongs to when none is named (None: not a column of these)."""
    owners = [t for t in TABLES if column in FORMULAS[t]]
    if len(owners) <= 1:
        return owners[0] if owners else None
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        for t in owners:
            hit = con.execute(
                f"select count(*) from marts.{t} where {KEY[t]} = ?", [key]
            ).fetchone()[0]
            if hit:
                return t
    finally:
        con.close()
    return owners[0]


def explain_controlling_table(warehouse: Path, table: str, column: str, key: str, jahr: int) -> str:
    if column not in FORMULAS[table]:
        raise ExplainError(
            f"Keine erklärbare Spalte '{column}' in {table}. Am nächsten: "
            f"{_closest(column, {c: '' for c in FORMULAS[table]})}"
        )
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        keycol = KEY[table]
        keys = {
            str(k): str(b or "")
            for k, b in con.execute(
                f"select {keycol}, any_value({'bereich_bezeichnung' if table == 'controlling_zerlegung' else 'bezeichnung'}) "
                f"from marts.{table} group by 1 order by 1"
            ).fetchall()
        }
        if key not in keys:
            raise ExplainError(
                f"Unbekannter Schlüssel '{key}' in {table}. Am nächsten: {_closest(key, keys)}"
            )
        years = [
            r[0]
            for r in con.execute(
                f"select distinct haushaltsjahr from marts.{table} where {keycol} = ? order by 1",
                [key],
            ).fetchall()
        ]
        if jahr not in years:
            raise _unknown_date(f"{table} / {key}", jahr, years, show=str)
        cur = con.execute(
            f"select * from marts.{table} where {keycol} = ? and haushaltsjahr = ?", [key, jahr]
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        comment = con.execute(
            "select comment from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ? and column_name = ?",
            [table, column],
        ).fetchone()
        lines: list[str] = []
        sources: set[str] = {"finanzen"}
        wanted: list[tuple] = [("finanzen", jahr)]
        for row in rows:
            lines += _row_lines(con, table, column, key, keys.get(key, ""), jahr, row)
            merkmal = row.get("fall_merkmal")
            if merkmal:
                kind = CASE_SOURCES.get(merkmal)
                if kind:
                    sources.add(kind)
                years = [jahr]
                if (
                    table == "controlling_zerlegung"
                    or "vorjahr" in column
                    or "veraenderung" in column
                ):
                    years.insert(0, jahr - 1)
                    wanted.append(("finanzen", jahr - 1))
                for y in years:
                    case_lines, days = _case_lines(con, merkmal, y)
                    lines += case_lines
                    wanted += [(kind, d) for d in days]
            if table != "controlling_kennzahlen" or column == "ist":
                lines += _account_lines(con, table, row, jahr)
        files = _files(con, wanted)
    finally:
        con.close()
    lines += _published_lines(paths, table, column, key, jahr, rows)
    lines += _files_lines(files)
    lines += _chain_lines(model_chain(table, sources, table))
    if comment and comment[0]:
        lines += ["", f"Definition: {comment[0]}"]
    return "\n".join(lines)


def _row_lines(con, table, column, key, name, jahr, row) -> list[str]:
    label = f"{name} " if name else ""
    head = f"{column} ({table}), {label}[{key}], Haushaltsjahr {jahr}"
    if table == "controlling_haushalt":
        head += f", Gliederung {row['gliederung']}"
    out = [head, "", f"Formel:  {column} = {FORMULAS[table][column]}"]
    v = row

    def m(key: str) -> str:
        return _num(v.get(key), 2)

    calc = {
        "abweichung": f"{m('ist')} − {m('plan')}",
        "ausfuehrungsquote": f"{m('ist')} / {m('plan')} × 100",
        "veraenderung": f"{m('ist')} − {m('ist_vorjahr')}",
        "mengeneffekt": f"({_num(v.get('faelle'))} − {_num(v.get('faelle_vorjahr'))}) × "
        f"{m('kosten_je_fall_vorjahr')}",
        "preiseffekt": f"({m('kosten_je_fall')} − "
        f"{m('kosten_je_fall_vorjahr')}) × {_num(v.get('faelle_vorjahr'))}",
        "restglied": f"({_num(v.get('faelle'))} − {_num(v.get('faelle_vorjahr'))}) × "
        f"({m('kosten_je_fall')} − {m('kosten_je_fall_vorjahr')})",
        "kosten_je_fall": f"{m('ist')} / {_num(v.get('faelle'))}",
        "kosten_je_fall_vorjahr": f"{m('ist_vorjahr')} / {_num(v.get('faelle_vorjahr'))}",
        "faelle_je_1000_ew": f"{_num(v.get('faelle'))} / {_num(v.get('einwohner'))} × 1.000",
        "faelle_veraenderung_prozent": f"({_num(v.get('faelle'))} / "
        f"{_num(v.get('faelle_vorjahr'))} − 1) × 100",
        "kosten_je_fall_veraenderung_prozent": f"({m('kosten_je_fall')} / "
        f"{m('kosten_je_fall_vorjahr')} − 1) × 100",
    }.get(column)
    value = v.get(column)
    shown = _num(value, 2 if column not in ("faelle", "faelle_vorjahr") else 4)
    out.append(f"         = {calc} = {shown}" if calc else f"         = {shown}")
    if table == "controlling_zerlegung" and v.get("restglied") is not None:
        total = v["mengeneffekt"] + v["preiseffekt"] + v["restglied"]
        out.append(
            f"Probe:   {_num(v['mengeneffekt'], 2)} + {_num(v['preiseffekt'], 2)} + "
            f"{_num(v['restglied'], 2)} = {_num(total, 2)} = Ist − Ist Vorjahr "
            f"{_num(v['ist'] - v['ist_vorjahr'], 2)}"
        )
    if v.get("unsicher"):
        out.append("Eine Fallzahl ist nur eingegrenzt bekannt (an der Quelle gesperrte Zellen).")
    if v.get("hinweis"):
        out.append(f"Hinweis: {v['hinweis']}")
    return out


def _case_lines(con, merkmal: str, jahr: int) -> tuple[list[str], list]:
    rows = con.execute(
        """select periode, round(wert), unsicher, untergrenze, obergrenze
           from marts.basiszahlen
           where merkmal = ? and ebene_rang = 0 and aktueller_gebietsstand
             and year(periode) = ? and wert is not null
           order by periode""",
        [merkmal, jahr],
    ).fetchall()
    if not rows:
        return ["", f"Fälle ({merkmal}) {jahr}: keine Lieferung"], []
    mean = sum(r[1] for r in rows) / len(rows)
    out = [
        "",
        f"Fälle ({merkmal}) {jahr}, Gesamtstadt: Mittel über {len(rows)} Stichtag(e) = "
        f"{_num(mean)}",
    ]
    shown = ", ".join(
        f"{p:%d.%m.%Y}: {_num(w)}" + (f" (zwischen {_num(lo)} und {_num(hi)})" if u else "")
        for p, w, u, lo, hi in rows
    )
    out.append(f"  {shown}")
    return out, [r[0] for r in rows]


def _account_lines(con, table, row, jahr) -> list[str]:
    if table == "controlling_haushalt":
        where, params = {
            "bereich": ("bereich = ?", [row["schluessel"]]),
            "produkt": ("produkt = ?", [row["schluessel"]]),
            "stadt": ("true", []),
        }[row["gliederung"]]
    elif table == "controlling_zerlegung":
        where, params = "bereich = ?", [row["bereich"]]
    else:
        where, params = "produkt = ?", [row["produkt"]]
    years = [jahr - 1, jahr] if table == "controlling_zerlegung" else [jahr]
    out = ["", "Aufwandskonten (Haushaltsjahr, Produkt, Konto: Plan / Ist):"]
    for y in years:
        for produkt, konto, plan, ist in con.execute(
            f"""select produkt, konto, plan, ist from intermediate.int_controlling_aufwand
                where haushaltsjahr = ? and {where} order by produkt, konto""",
            [y, *params],
        ).fetchall():
            out.append(f"  {y}  {produkt:<10} {konto}: {_num(plan, 2)} / {_num(ist, 2)}")
    return out


def _published_lines(paths, table, column, key, jahr, rows) -> list[str]:
    keycol = KEY[table]
    has_symbol = table != "controlling_haushalt"
    extra = " and gliederung = ?" if table == "controlling_haushalt" else ""
    out = []
    for row in rows:
        params = [key, jahr] + ([row["gliederung"]] if extra else [])
        sel = f"{column}, symbol" if has_symbol else f"{column}, null"
        pub = _published(
            paths,
            f"select {sel} from {table} where {keycol} = ? and haushaltsjahr = ?{extra}",
            params,
        )
        if pub is None:
            out.append("Veröffentlicht (publish.duckdb): keine Zeile")
            continue
        value, symbol = pub
        text = _num(value) if value is not None else (symbol or "leer")
        out.append(f"Veröffentlicht (publish.duckdb): {text}")
        if value is None and symbol in SYMBOLS:
            out.append(f"  `{symbol}` {SYMBOLS[symbol]}.")
            merkmal = row.get("fall_merkmal")
            if merkmal and symbol in ("*", "/"):
                out += _withheld_lines(paths, merkmal, jahr, table)
    return out


def _withheld_lines(paths, merkmal: str, jahr: int, table: str) -> list[str]:
    con = _connect(paths.warehouse_db)
    try:
        root = con.execute(
            "select gebiet_id from marts.gebiete where ebene_rang = 0 and ist_aktuell limit 1"
        ).fetchone()
        if root is None:
            return []
        years = [jahr - 1, jahr] if table != "controlling_haushalt" else [jahr]
        rows = con.execute(
            """select merkmal, periode, regel, ausgeloest_durch from audit.geheimhaltung
               where merkmal = ? and gebiet_id = ? and year(periode) in (?, ?)
               order by periode, regel""",
            [merkmal, root[0], years[0], years[-1]],
        ).fetchall()
    finally:
        con.close()
    out = [
        "  Fallzahlen, Kosten je Fall, Dichte und Effekte folgen der Fallzahl der Gesamtstadt: "
        "mit dem öffentlichen Ist gäben sie sie zurück."
    ]
    for m, per, regel, by in rows:
        cause = f", ausgelöst durch {by}" if by else ""
        out.append(f"  Anzahl {m} ({per:%d.%m.%Y}), Gesamtstadt: {RULES.get(regel, regel)}{cause}")
    return out


register(TABLES, table_for, explain_controlling_table)
