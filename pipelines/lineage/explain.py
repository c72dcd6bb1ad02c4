"""`sozialmonitor explain INDIKATOR GEBIET PERIODE`: the lineage of one published figure.

Works for every published table with figures: `indikatoren` (and its wide form),
`controlling`, `sozialindex` and `zielerreichung`; the controlling tables over the budget
years (`controlling_haushalt`, `controlling_zerlegung`, `controlling_kennzahlen`) are
explained by `pipelines/lineage/controlling.py`. For a figure it shows the formula with
its values, the finest areas summed, the delivered files (name, sha256, load time, run),
the dbt model chain, and what was published: for `/` the bounds and the finest areas whose
source cell was `*`, for `*` and `.` the reason (from the disclosure log
`audit.geheimhaltung`). An unknown area or date names the closest keys and the dates that
exist.

Everything printed comes from the warehouse itself (marts, raw load ids, audit.loads,
audit.geheimhaltung) and the dbt manifest; no personal data is involved at any step.
This is the planning unit's view: it shows unsuppressed values beside the published ones.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.publish.tables import SYMBOLS
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.raw_tables import PERIOD_COLUMN

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
SOURCE_TABLES = {"transfer": ["sgb2", "sgb12"]}
# delivery kinds behind a controlling figure (finance plus the case counts it divides by)
CONTROLLING_SOURCES = {
    "kdu_je_bg": ["finanzen", "sgb2"],
    "grusi_kosten_je_empfaenger": ["finanzen", "sgb12"],
    "hze_kosten_je_fall": ["finanzen", "sgb8"],
    "hze_kosten_abgleich": ["finanzen", "sgb8"],
}
EXPLAINED_TABLES = (
    "indikatoren",
    "indikatoren_breit",
    "controlling",
    "controlling_haushalt",
    "controlling_zerlegung",
    "controlling_kennzahlen",
    "sozialindex",
    "zielerreichung",
)
# further tables explained by their own modules (pipelines/lineage/__init__.py imports
# them; they register here, so this module imports none of them): tables -> (the table of
# a column when none is named, the explanation)
EXPLAINERS: dict[tuple[str, ...], tuple] = {}


def register(tables: tuple[str, ...], find, explain_table) -> None:
    EXPLAINERS[tables] = (find, explain_table)


# the disclosure log's rules in words
RULES = {
    "primaer": "primär gesperrt: Anzahl unter der Mindestfallzahl (offenlegung.min_fallzahl)",
    "sekundaer_hierarchie": "sekundär gesperrt: sonst aus übergeordnetem Gebiet minus "
    "Teilgebieten rückrechenbar",
    "sekundaer_identitaet": "sekundär gesperrt: sonst aus einer Summenbeziehung rückrechenbar",
    "quelle": "an der Quelle gesperrt (`*` in der Lieferung)",
    "einwohner_unter_min": "Gebiet unter der Mindesteinwohnerzahl (offenlegung.min_einwohner): "
    "Quoten werden nicht veröffentlicht",
    "einwohner_fehlt": "keine Einwohnerzahl des Gebiets zu diesem Stichtag (Bevölkerung nicht "
    "geliefert oder Gebiet nicht gültig): ob es die Mindesteinwohnerzahl erreicht, ist unbekannt, "
    "Quoten werden nicht veröffentlicht",
    "unbekannt_an_der_quelle": "Zähler oder Nenner an der Quelle unbekannt (`.` in der Lieferung)",
    "zaehler_oder_nenner_gesperrt": "Zähler oder Nenner ist gesperrt (siehe Anzahlen)",
    "nur_grenzen": "nur eingegrenzt bekannt: Summe über an der Quelle gesperrte Zellen",
    "nicht_geliefert": "kein Wert geliefert: die Zeile vervollständigt die Zeitreihe",
    "prognose_unter_min": "geschätzte Zahl unter der Mindestfallzahl oder geschätzte "
    "Einwohnerzahl des Gebiets unter der Mindesteinwohnerzahl (offenlegung.min_fallzahl, "
    "min_einwohner)",
    "ohne_zelle": "zu diesem Stichtag keine Zelle der Geheimhaltung (Bevölkerung auf einem "
    "älteren Gebietsstand geliefert): nicht veröffentlicht",
}


class ExplainError(LookupError):
    pass


@dataclass
class SourceFile:
    quelle: str
    datei: str
    sha256: str
    geladen_am: str
    run_id: str
    periode: str


@dataclass
class Explanation:
    indikator_id: str
    bezeichnung: str
    gebiet_id: str
    gebiet_name: str
    ebene: str
    periode: date
    formel: str
    zaehler: float | None
    nenner: float | None
    wert: float | None
    symbol: str | None
    einheit: str
    faktor: float
    nenner_stichtag: date | None
    umgerechnet: bool
    veroeffentlicht: tuple | None  # (wert, symbol, untergrenze, obergrenze) in publish.duckdb
    summiert: list[tuple] = field(default_factory=list)  # (gebiet_id, name, zaehler, nenner)
    dateien: list[SourceFile] = field(default_factory=list)
    modelle: list[str] = field(default_factory=list)
    definition: str = ""
    untergrenze: float | None = None
    obergrenze: float | None = None
    gruende: list[str] = field(default_factory=list)  # why withheld / not published
    quelle_gesperrt: list[tuple] = field(default_factory=list)  # (gebiet_id, name, merkmal)


def _num(v, digits=4) -> str:
    if v is None:
        return "–"
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def _paths(warehouse: Path) -> WarehousePaths:
    paths = WarehousePaths(Path(warehouse))
    if not paths.warehouse_db.exists():
        raise ExplainError(f"Kein Warehouse unter {paths.root}")
    return paths


def _published(paths: WarehousePaths, sql: str, params: list) -> tuple | None:
    if not paths.publish_db.exists():
        return None
    con = _connect(paths.publish_db)
    try:
        return con.execute(sql, params).fetchone()
    finally:
        con.close()


# --- unknown keys and dates -----------------------------------------------------------------


def _closest(value: str, candidates: dict[str, str]) -> str:
    """The keys closest to `value`, by key and by name: '0102 (Nord), 0103 (Süd)'."""
    keys = difflib.get_close_matches(value, list(candidates), n=5, cutoff=0.4)
    lowered = value.lower()
    keys += [k for k, name in candidates.items() if name and lowered in name.lower()][:5]
    keys = list(dict.fromkeys(keys))[:6] or sorted(candidates)[:6]
    return ", ".join(f"{k} ({candidates[k]})" if candidates[k] else k for k in keys)


def _area_names(con) -> dict[str, str]:
    return {
        str(g): n or ""
        for g, n in con.execute(
            "select gebiet_id, any_value(name order by ist_aktuell desc) from marts.gebiete "
            "group by 1 order by 1"
        ).fetchall()
    }


def _check_area(con, gebiet: str) -> dict[str, str]:
    names = _area_names(con)
    if gebiet not in names:
        raise ExplainError(f"Unbekanntes Gebiet '{gebiet}'. Am nächsten: {_closest(gebiet, names)}")
    return names


def _dates_text(days: list, show=lambda d: f"{d:%d.%m.%Y}") -> str:
    days = sorted(days)
    if len(days) <= 8:
        return ", ".join(show(d) for d in days)
    return f"{show(days[0])} bis {show(days[-1])} ({len(days)} Stichtage)"


def _unknown_date(what: str, wanted, days: list, show=lambda d: f"{d:%d.%m.%Y}") -> ExplainError:
    if not days:
        return ExplainError(f"Für {what} gibt es im Warehouse keinen Stichtag.")

    def distance(d):
        return abs((d - wanted).days) if isinstance(wanted, date) else abs(d - wanted)

    nearest = sorted(days, key=distance)[:2]
    return ExplainError(
        f"Kein Stichtag {show(wanted)} für {what}. Vorhanden: {_dates_text(days, show)}; "
        f"am nächsten: {', '.join(show(d) for d in sorted(nearest))}"
    )


# --- indikatoren ----------------------------------------------------------------------------


def explain(warehouse: Path, indikator: str, gebiet: str, periode: date) -> Explanation:
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        kat = con.execute(
            "select bezeichnung, zaehler_merkmal, nenner_merkmal, faktor, einheit, definition, "
            "berechnung from marts.indikatorkatalog where indikator_id = ?",
            [indikator],
        ).fetchone()
        if kat is None:
            known = {
                r[0]: ""
                for r in con.execute("select indikator_id from marts.indikatorkatalog").fetchall()
            }
            raise ExplainError(
                f"Unbekannter Indikator '{indikator}'. Am nächsten: {_closest(indikator, known)}"
            )
        bezeichnung, z_m, n_m, faktor, einheit, definition, berechnung = kat
        if berechnung == "controlling":
            raise ExplainError(
                f"{indikator} ist eine Kennzahl des Controllings (je Haushaltsjahr): "
                f"sozialmonitor explain {indikator} SCHLUESSEL JAHR --tabelle controlling"
            )
        names = _check_area(con, gebiet)
        row = con.execute(
            """select ebene, zaehler, nenner, wert, symbol, nenner_stichtag, umgerechnet,
                      gebietsstand, untergrenze, obergrenze
               from marts.indikatoren where indikator_id = ? and gebiet_id = ? and periode = ?
               order by aktueller_gebietsstand desc limit 1""",
            [indikator, gebiet, periode],
        ).fetchone()
        if row is None:
            added = _published(
                paths,
                "select wert, symbol, untergrenze, obergrenze, ebene from indikatoren "
                "where indikator_id = ? and gebiet_id = ? and periode = ?",
                [indikator, gebiet, periode],
            )
            if added is not None:
                # a period the publish step completed: nothing delivered for it
                return Explanation(
                    indikator, bezeichnung, gebiet, names.get(gebiet, ""), added[4], periode,
                    f"{bezeichnung} = {z_m}" + (f" / {n_m} × {_num(faktor)}" if n_m else ""),
                    None, None, None, None, einheit, faktor, None, False, tuple(added[:4]),
                    definition=definition or "",
                    gruende=[f"`.` {SYMBOLS['.']}.", *_not_delivered(con, z_m, n_m, periode)],
                )  # fmt: skip
            days = [
                r[0]
                for r in con.execute(
                    "select distinct periode from marts.indikatoren "
                    "where indikator_id = ? and gebiet_id = ?",
                    [indikator, gebiet],
                ).fetchall()
            ]
            if days:
                raise _unknown_date(f"{indikator} in Gebiet {gebiet}", periode, days)
            levels = [
                r[0]
                for r in con.execute(
                    "select distinct ebene from marts.indikatoren where indikator_id = ? order by 1",
                    [indikator],
                ).fetchall()
            ]
            raise ExplainError(
                f"{indikator} hat für Gebiet {gebiet} ({names[gebiet]}) keinen Wert; "
                f"berechnet wird er auf den Ebenen {', '.join(levels) or 'keiner'}."
            )
        (ebene, zaehler, nenner, wert, symbol, n_date, umgerechnet, gebietsstand, low, high) = row
        quellen = dict(
            con.execute(
                "select merkmal, any_value(quelle) from marts.basiszahlen "
                "where merkmal in (?, ?) group by 1",
                [z_m, n_m],
            ).fetchall()
        )
        leaves_sql = """select gebiet_id, name from marts.gebiete
             where ist_feinste_ebene and (pfad like '%' || ? || '%')"""
        summiert = con.execute(
            f"""with leaves as ({leaves_sql} and gebiet_id <> ?)
               select l.gebiet_id, l.name,
                 max(case when b.merkmal = ? and b.periode = ? then b.wert end),
                 max(case when b.merkmal = ? and b.periode = ? then b.wert end)
               from leaves l left join marts.basiszahlen b on b.gebiet_id = l.gebiet_id
                 and b.gebietsstand = ?
               group by all order by 1""",
            [gebiet, gebiet, z_m, periode, n_m, n_date or periode, gebietsstand],
        ).fetchall()
        starred = con.execute(
            f"""with leaves as ({leaves_sql})
               select distinct l.gebiet_id, l.name, b.merkmal from leaves l
               join marts.basiszahlen b on b.gebiet_id = l.gebiet_id and b.gebietsstand = ?
               where b.quell_symbol = '*' and ((b.merkmal = ? and b.periode = ?)
                 or (b.merkmal = ? and b.periode = ?))
               order by 1, 3""",
            [gebiet, gebietsstand, z_m, periode, n_m, n_date or periode],
        ).fetchall()
        files = _files(con, [(quellen.get(z_m), periode), (quellen.get(n_m), n_date)])
        published = _published(
            paths,
            "select wert, symbol, untergrenze, obergrenze from indikatoren "
            "where indikator_id = ? and gebiet_id = ? and periode = ?",
            [indikator, gebiet, periode],
        )
        gruende = _reasons(con, indikator, gebiet, periode, n_date, z_m, n_m, published, symbol)
    finally:
        con.close()
    formel = (
        f"{bezeichnung} = {z_m}"
        if n_m is None
        else f"{bezeichnung} = {z_m} / {n_m} × {_num(faktor)}"
    )
    return Explanation(
        indikator, bezeichnung, gebiet, names.get(gebiet, ""), ebene, periode, formel, zaehler,
        nenner, wert, symbol, einheit, faktor, n_date, bool(umgerechnet), published,
        [tuple(r) for r in summiert if r[2] is not None or r[3] is not None], files,
        model_chain("indikatoren", {q for q in quellen.values() if q}), definition or "",
        low, high, gruende, [tuple(r) for r in starred],
    )  # fmt: skip


def _files(con, wanted: list[tuple[str | None, date | int | None]]) -> list[SourceFile]:
    """Delivered files of each (kind, period), once each."""
    out: list[SourceFile] = []
    seen = set()
    for quelle, per in wanted:
        if quelle is None or per is None:
            continue
        for table in SOURCE_TABLES.get(quelle, [quelle]):
            pcol = PERIOD_COLUMN.get(table)
            if pcol is None:
                continue
            if isinstance(per, date):
                value = per.year if pcol in ("jahr", "haushaltsjahr") else per
            else:
                value = per
            for r in con.execute(
                f"""select a.quelle, a.datei, a.sha256,
                           strftime(a.beendet_am, '%d.%m.%Y %H:%M:%S'), a.run_id, a.periode
                    from audit.loads a
                    where a.load_id in (select distinct load_id from raw.{table} where {pcol} = ?)
                    order by a.datei""",
                [value],
            ).fetchall():
                f = SourceFile(*r)
                if (f.datei, f.sha256) not in seen:
                    seen.add((f.datei, f.sha256))
                    out.append(f)
    return out


def _inhabitants(con, gebiet: str, periode: date) -> str:
    """The population the minimum was checked against (latest date up to the figure's)."""
    row = con.execute(
        "select periode, wert from marts.basiszahlen where merkmal = 'ew' and gebiet_id = ? "
        "and aktueller_gebietsstand and periode <= ? order by periode desc limit 1",
        [gebiet, periode],
    ).fetchone()
    if row is None:
        return (
            "Einwohnerzahl des Gebiets: keine an diesem oder einem früheren Stichtag "
            "(vor dem ersten Bevölkerungsstichtag ist die Mindestzahl nicht prüfbar)."
        )
    return f"Einwohnerzahl des Gebiets am {row[0]:%d.%m.%Y}: {_num(row[1])}."


def _not_delivered(con, z_m: str | None, n_m: str | None, periode: date) -> list[str]:
    """Why a period has no value at all: the refused files of its kinds, if any."""
    kinds = {
        q
        for (q,) in con.execute(
            "select distinct quelle from marts.basiszahlen where merkmal in (?, ?)", [z_m, n_m]
        ).fetchall()
    }
    tables = sorted({t for q in kinds for t in SOURCE_TABLES.get(q, [q])})
    marks = ", ".join("?" for _ in tables) or "null"
    refused = con.execute(
        f"""select datei, meldung from audit.loads
            where status = 'abgewiesen' and quelle in ({marks}) and periode in (?, ?, ?)
            order by datei""",
        [*tables, f"{periode:%Y-%m}", periode.isoformat(), str(periode.year)],
    ).fetchall()
    out = ["Für diesen Stichtag ist keine Lieferung geladen; die Zeile steht, damit die "
           "Zeitreihe eine Lücke zeigt."]  # fmt: skip
    out += [f"Abgewiesen: {datei}: {meldung}" for datei, meldung in refused]
    return out


def _log(con, tabelle: str | None, merkmale: list, gebiet: str, periods: list) -> list[tuple]:
    if not con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' "
        "and table_name = 'geheimhaltung'"
    ).fetchone()[0]:
        return []
    marks = ", ".join("?" for _ in merkmale)
    pmarks = ", ".join("?" for _ in periods)
    where = "tabelle = ? and " if tabelle else ""
    return con.execute(
        f"""select merkmal, periode, regel, ausgeloest_durch from audit.geheimhaltung
            where {where}merkmal in ({marks}) and gebiet_id = ? and periode in ({pmarks})
            order by 1, 2, 3""",
        [*([tabelle] if tabelle else []), *merkmale, gebiet, *periods],
    ).fetchall()


def _reasons(con, indikator, gebiet, periode, n_date, z_m, n_m, published, symbol) -> list[str]:
    """Why the published figure is a symbol, in words."""
    if published is None:
        return []
    _, pub_symbol, _, _ = published
    if pub_symbol not in ("*", ".", "/", "x"):
        return []
    out = [f"`{pub_symbol}` {SYMBOLS[pub_symbol]}."]
    own = _log(con, "indikatoren", [indikator], gebiet, [periode])
    out += [f"Regel: {RULES.get(regel, regel)}" for _, _, regel, _ in own]
    if any(regel in ("einwohner_unter_min", "einwohner_fehlt") for _, _, regel, _ in own):
        out.append(_inhabitants(con, gebiet, periode))
    if pub_symbol == "." and not own:
        if symbol == ".":
            out.append(
                "Im Warehouse ohne Wert: kein Nenner-Stichtag innerhalb der erlaubten Monate "
                "(indikatoren.nenner_max_alter_monate) oder Zähler/Nenner unbekannt."
            )
        elif symbol is None and published[0] is None:
            out.append("Für diesen Stichtag wurde kein Wert geliefert.")
    counts = [m for m in (z_m, n_m) if m]
    periods = [p for p in (periode, n_date) if p is not None]
    for merkmal, per, regel, by in _log(con, None, counts, gebiet, periods):
        cause = f", ausgelöst durch {by}" if by else ""
        out.append(f"Anzahl {merkmal} ({per:%d.%m.%Y}): {RULES.get(regel, regel)}{cause}")
    if pub_symbol == "x":
        out.append("Der Nenner ist null.")
    return out


def model_chain(model: str, quellen: set[str], published: str = "indikatoren") -> list[str]:
    """dbt nodes between the raw sources of `quellen` and `model`, upstream first."""
    if not MANIFEST.exists():
        return []
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    nodes = {**manifest["nodes"], **manifest["sources"]}
    parents = {k: v.get("depends_on", {}).get("nodes", []) for k, v in nodes.items()}
    target = f"model.sozialmonitor.{model}"
    wanted_sources = set()
    for q in quellen:
        for t in SOURCE_TABLES.get(q, [q]):
            wanted_sources.add(f"source.sozialmonitor.raw.{t}")

    memo: dict[str, bool] = {}

    def reaches_source(node: str) -> bool:
        if node in memo:
            return memo[node]
        memo[node] = False
        memo[node] = node in wanted_sources or any(reaches_source(p) for p in parents.get(node, []))
        return memo[node]

    depth: dict[str, int] = {}

    def walk(node: str, d: int) -> None:
        if not reaches_source(node) or node.startswith("seed."):
            return
        depth[node] = max(depth.get(node, 0), d)
        for p in parents.get(node, []):
            walk(p, d + 1)

    walk(target, 0)
    order = sorted(depth, key=lambda n: (-depth[n], n))
    out = []
    for n in order:
        if n.startswith("source."):
            out.append(f"raw.{n.rsplit('.', 1)[-1]} (Rohdaten, geladen von Dagster)")
        else:
            node = nodes[n]
            out.append(
                f"{node.get('schema', '')}.{node['name']} ({node.get('original_file_path', '')})"
            )
    out.append(f"publish.{published} (Geheimhaltung: pipelines/publish, pipelines/disclosure)")
    return out


def _published_text(wert, symbol, low=None, high=None) -> str:
    if symbol == "/" and low is not None and high is not None:
        return f"/ (zwischen {_num(low)} und {_num(high)})"
    if symbol:
        return symbol
    return _num(wert)


def render(e: Explanation) -> str:
    lines = [
        f"{e.bezeichnung} ({e.indikator_id}), {e.gebiet_name or e.gebiet_id} [{e.gebiet_id}, {e.ebene}], "
        f"Stichtag {e.periode:%d.%m.%Y}",
        "",
        f"Formel:  {e.formel}",
    ]
    if e.nenner is not None or e.zaehler is not None:
        calc = (
            f"         = {_num(e.zaehler)} / {_num(e.nenner)} × {_num(e.faktor)} = {_num(e.wert)} {e.einheit}"
            if e.nenner is not None
            else f"         = {_num(e.zaehler)}"
        )
        lines.append(calc)
    if e.symbol:
        lines.append(f"Zeichen im Warehouse: {e.symbol}")
    if e.untergrenze is not None and e.obergrenze is not None and e.untergrenze != e.obergrenze:
        lines.append(f"Grenzen im Warehouse: {_num(e.untergrenze)} bis {_num(e.obergrenze)}")
    if e.nenner_stichtag and e.nenner_stichtag != e.periode:
        lines.append(
            f"Nenner vom Stichtag {e.nenner_stichtag:%d.%m.%Y} (letzter Bevölkerungsstand davor)"
        )
    if e.umgerechnet:
        lines.append(
            "Umgerechnet auf den heutigen Gebietsstand (Umschlüsselung mit Bevölkerungsanteilen)."
        )
    if e.veroeffentlicht is not None:
        lines.append(f"Veröffentlicht (publish.duckdb): {_published_text(*e.veroeffentlicht)}")
    else:
        lines.append("Veröffentlicht (publish.duckdb): keine Zeile")
    lines += [f"  {g}" for g in e.gruende]
    if e.quelle_gesperrt:
        lines += ["", "Feinste Gebiete mit an der Quelle gesperrter Zelle (`*`):"]
        lines += [f"  {gid:<12} {name[:30]:<30} {m}" for gid, name, m in e.quelle_gesperrt]
    if e.summiert:
        lines += [
            "",
            f"Summiert aus {len(e.summiert)} Gebieten der feinsten Ebene (Zähler / Nenner):",
        ]
        for gid, name, z, n in e.summiert:
            lines.append(f"  {gid:<12} {name[:30]:<30} {_num(z):>10} / {_num(n):>10}")
    lines += _files_lines(e.dateien)
    lines += _chain_lines(e.modelle)
    if e.definition:
        lines += ["", f"Definition: {e.definition}"]
    return "\n".join(lines)


def _files_lines(files: list[SourceFile]) -> list[str]:
    lines = ["", "Gelieferte Dateien (Datei, SHA-256, geladen am, Lauf):"]
    for f in files:
        lines.append(
            f"  {f.datei}\n      sha256 {f.sha256}\n      geladen {f.geladen_am}, Lauf {f.run_id}"
        )
    return lines


def _chain_lines(models: list[str]) -> list[str]:
    if not models:
        return []
    return [
        "",
        "Modellkette (dbt, von den Rohdaten zur Veröffentlichung):",
        *[f"  {i + 1:>2}. {m}" for i, m in enumerate(models)],
    ]


# --- controlling ----------------------------------------------------------------------------


def explain_controlling(warehouse: Path, kennzahl: str, schluessel: str, jahr: int) -> str:
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        known = {
            k: ""
            for (k,) in con.execute(
                "select distinct kennzahl from marts.controlling order by 1"
            ).fetchall()
        }
        if kennzahl not in known:
            raise ExplainError(
                f"Keine Kennzahl '{kennzahl}' im Controlling. Am nächsten: "
                f"{_closest(kennzahl, known)}"
            )
        keys = {
            str(k): f"{art}{', ' + b if b else ''}"
            for k, art, b in con.execute(
                "select schluessel, any_value(schluessel_art), any_value(bezeichnung) "
                "from marts.controlling where kennzahl = ? group by 1 order by 1",
                [kennzahl],
            ).fetchall()
        }
        if schluessel not in keys:
            raise ExplainError(
                f"Unbekannter Schlüssel '{schluessel}' für {kennzahl}. Am nächsten: "
                f"{_closest(schluessel, keys)}"
            )
        years = [
            r[0]
            for r in con.execute(
                "select distinct haushaltsjahr from marts.controlling "
                "where kennzahl = ? and schluessel = ? order by 1",
                [kennzahl, schluessel],
            ).fetchall()
        ]
        if jahr not in years:
            raise _unknown_date(f"{kennzahl} / {schluessel}", jahr, years, show=str)
        rows = con.execute(
            """select schluessel_art, bezeichnung, ebene, zaehler, nenner, wert, einheit, symbol,
                      unsicher, hinweis
               from marts.controlling
               where kennzahl = ? and schluessel = ? and haushaltsjahr = ? order by 1""",
            [kennzahl, schluessel, jahr],
        ).fetchall()
        kat = con.execute(
            "select bezeichnung, definition, zaehler_definition, nenner_definition "
            "from marts.indikatorkatalog where indikator_id = ?",
            [kennzahl],
        ).fetchone() or (kennzahl, "", "", "")
        sources = CONTROLLING_SOURCES.get(kennzahl, ["finanzen"])
        files = _files(con, [(s, jahr) for s in sources])
    finally:
        con.close()
    lines = [f"{kat[0]} ({kennzahl}), Schlüssel {schluessel}, Haushaltsjahr {jahr}", ""]
    for art, bez, ebene, z, n, w, einheit, symbol, unsicher, hinweis in rows:
        lines.append(
            f"Art: {art}{' (' + bez + ')' if bez else ''}{', Ebene ' + ebene if ebene else ''}"
        )
        lines.append(
            f"Formel:  Wert = Zähler / Nenner  ({kat[2] or 'Zähler'} / {kat[3] or 'Nenner'})"
        )
        lines.append(f"         = {_num(z)} / {_num(n)} -> {_num(w)} {einheit or ''}".rstrip())
        if symbol:
            lines.append(f"Zeichen im Warehouse: {symbol} ({SYMBOLS.get(symbol, '')})")
        if unsicher:
            lines.append("Fallzahl nur eingegrenzt (an der Quelle gesperrte Zellen).")
        if hinweis:
            lines.append(f"Hinweis: {hinweis}")
        pub = _published(
            paths,
            "select wert, symbol from controlling where kennzahl = ? and schluessel = ? "
            "and haushaltsjahr = ? and schluessel_art = ?",
            [kennzahl, schluessel, jahr, art],
        )
        if pub is None:
            lines.append("Veröffentlicht (publish.duckdb): keine Zeile")
        else:
            lines.append(f"Veröffentlicht (publish.duckdb): {_published_text(*pub)}")
            if pub[1] == "*":
                lines.append(
                    "  `*`: Kosten je Fall über weniger Fälle als die Mindestfallzahl "
                    "(offenlegung.min_fallzahl) werden nicht veröffentlicht."
                )
    lines += _files_lines(files)
    lines += _chain_lines(model_chain("controlling", set(sources), "controlling"))
    if kat[1]:
        lines += ["", f"Definition: {kat[1]}"]
    return "\n".join(lines)


# --- sozialindex ----------------------------------------------------------------------------


def explain_sozialindex(warehouse: Path, gebiet: str, periode: date) -> str:
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        names = _check_area(con, gebiet)
        finest = {
            r[0]: names.get(r[0], "")
            for r in con.execute("select distinct gebiet_id from marts.sozialindex").fetchall()
        }
        if gebiet not in finest:
            raise ExplainError(
                f"Der Sozialindex steht nur für Gebiete der feinsten Ebene; {gebiet} "
                f"({names[gebiet]}) ist keines. Am nächsten: {_closest(gebiet, finest)}"
            )
        cur = con.execute(
            "select * from marts.sozialindex where gebiet_id = ? and periode = ?",
            [gebiet, periode],
        )
        cols = [d[0] for d in cur.description]
        row = cur.fetchone()
        if row is None:
            days = [
                r[0]
                for r in con.execute(
                    "select distinct periode from marts.sozialindex where gebiet_id = ?", [gebiet]
                ).fetchall()
            ]
            raise _unknown_date(f"den Sozialindex in Gebiet {gebiet}", periode, days)
        values = dict(zip(cols, row, strict=True))
    finally:
        con.close()
    pub = None
    if paths.publish_db.exists():
        pcon = _connect(paths.publish_db)
        try:
            cur = pcon.execute(
                "select * from sozialindex where gebiet_id = ? and periode = ?", [gebiet, periode]
            )
            pcols = [d[0] for d in cur.description]
            prow = cur.fetchone()
            pub = dict(zip(pcols, prow, strict=True)) if prow else None
        finally:
            pcon.close()
    lines = [f"Sozialindex, {names[gebiet] or gebiet} [{gebiet}], Stichtag {periode:%d.%m.%Y}", ""]
    fixed = ("periode", "gebiet_id")
    for col in cols:
        if col in fixed:
            continue
        w = values[col]
        shown = _num(w) if isinstance(w, int | float) and not isinstance(w, bool) else (w or "–")
        public = ""
        if pub is not None and col in pub and pub[col] != w:
            public = "   veröffentlicht: leer (Indikator dort nicht veröffentlicht)"
        lines.append(f"  {col:<36} {shown}{public}")
    # status and dynamics index are decided apart; the Gesamtindex needs both
    reasons = [
        (label, values.get(col))
        for label, col in (
            ("Ohne Status-Index", "ausschluss_grund_status"),
            ("Ohne Dynamik-Index", "ausschluss_grund_dynamik"),
        )
        if values.get(col)
    ]
    if not reasons and values.get("ausschluss_grund"):
        reasons = [("Ohne Gesamtindex", values["ausschluss_grund"])]
    if reasons:
        lines += ["", *(f"{label}: {reason}" for label, reason in reasons)]
    if pub is None:
        lines += ["", "Veröffentlicht (publish.duckdb): keine Zeile"]
    lines += [
        "",
        "Berechnung: pipelines/sozialindex (Rezept aus der Stadtkonfiguration, Schlüssel "
        "sozialindex): z-Werte der Anteile über die einbezogenen Gebiete, Summen, Indizes, "
        "Klassen. Herkunft eines Anteils: sozialmonitor explain INDIKATOR GEBIET PERIODE.",
    ]
    lines += _chain_lines(model_chain("sozialindex", {"sgb2", "einwohner"}, "sozialindex"))
    return "\n".join(lines)


# --- zielerreichung -------------------------------------------------------------------------


def explain_goal(warehouse: Path, indikator: str, gebiet: str, jahr: int) -> str:
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        goals = con.execute(
            "select distinct indikator_id, gebiet_id from marts.zielerreichung order by 1, 2"
        ).fetchall()
        if not goals:
            raise ExplainError("Es sind keine Ziele geliefert (reference/ziele.csv).")
        known = {f"{i} {g}": "" for i, g in goals}
        if (indikator, gebiet) not in goals:
            raise ExplainError(
                f"Kein Ziel für {indikator} in Gebiet {gebiet}. Ziele: {', '.join(known)}"
            )
        row = con.execute(
            """select periode, istwert, zielwert, abstand, richtung, erreicht, beschluss, symbol,
                      unsicher, einheit
               from marts.zielerreichung where indikator_id = ? and gebiet_id = ? and jahr = ?""",
            [indikator, gebiet, jahr],
        ).fetchone()
        if row is None:
            years = [
                r[0]
                for r in con.execute(
                    "select jahr from marts.zielerreichung where indikator_id = ? and gebiet_id = ?",
                    [indikator, gebiet],
                ).fetchall()
            ]
            raise _unknown_date(f"das Ziel {indikator} in {gebiet}", jahr, years, show=str)
    finally:
        con.close()
    periode, ist, ziel, abstand, richtung, erreicht, beschluss, _, unsicher, einheit = row
    pub = _published(
        paths,
        "select istwert, symbol, erreicht from zielerreichung "
        "where indikator_id = ? and gebiet_id = ? and jahr = ?",
        [indikator, gebiet, jahr],
    )
    rule = "Ist <= Ziel" if richtung == "hoechstens" else "Ist >= Ziel"
    lines = [
        f"Ziel {indikator}, Gebiet {gebiet}, Zieljahr {jahr} ({beschluss or 'ohne Beschluss'})",
        "",
        f"Regel: {richtung} ({rule}); Istwert vom {periode:%d.%m.%Y}" if periode else
        f"Regel: {richtung} ({rule}); kein Istwert im Zieljahr",
        f"  Istwert {_num(ist)} {einheit or ''}, Zielwert {_num(ziel)}, Abstand {_num(abstand)}",
        f"  erreicht: {'ja' if erreicht else 'nein' if erreicht is False else 'nicht entscheidbar'}"
        + (" (Istwert nur eingegrenzt)" if unsicher else ""),
    ]  # fmt: skip
    if pub is not None:
        pw, ps, pe = pub
        shown = ps or _num(pw)
        decided = {True: "ja", False: "nein"}.get(pe, "nicht entscheidbar")
        lines.append(f"Veröffentlicht (publish.duckdb): Istwert {shown}, erreicht: {decided}")
        if ps in SYMBOLS:
            lines.append(f"  `{ps}` {SYMBOLS[ps]} (wie in der Tabelle indikatoren)")
    if periode is not None:
        lines += ["", "Herkunft des Istwerts:", ""]
        lines.append(render(explain(warehouse, indikator, gebiet, periode)))
    return "\n".join(lines)


# --- the command's dispatcher ---------------------------------------------------------------

SOZIALINDEX_NAMES = ("sozialindex", "status_index", "dynamik_index", "gesamtindex", "gruppe")


def _year(periode: str) -> int:
    text = periode.strip()
    if text.isdigit() and len(text) == 4:
        return int(text)
    day = _parse_day(text)
    return day.year


def _parse_day(text: str) -> date:
    import polars as pl

    from pipelines.parsing.german import parse_date

    day = pl.select(parse_date(pl.lit(text.strip()))).item()
    if day is None:
        raise ExplainError(f"Ungültiger Stichtag '{text}' (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)")
    return day


def choose_table(warehouse: Path, indikator: str) -> str:
    """The table a figure is explained from when none is named."""
    if indikator in SOZIALINDEX_NAMES:
        return "sozialindex"
    paths = _paths(warehouse)
    con = _connect(paths.warehouse_db)
    try:
        row = con.execute(
            "select berechnung from marts.indikatorkatalog where indikator_id = ?", [indikator]
        ).fetchone()
    finally:
        con.close()
    return "controlling" if row and row[0] == "controlling" else "indikatoren"


def explain_text(
    warehouse: Path, indikator: str, gebiet: str, periode: str, tabelle: str | None = None
) -> str:
    """What `sozialmonitor explain` prints, for any published table with figures."""
    if tabelle is None:
        tabelle = next(
            (t for find, _ in EXPLAINERS.values() if (t := find(indikator, gebiet, warehouse))),
            None,
        )
    tabelle = tabelle or choose_table(warehouse, indikator)
    explained = (
        *EXPLAINED_TABLES,
        *(t for ts in EXPLAINERS for t in ts if t not in EXPLAINED_TABLES),
    )
    if tabelle not in explained:
        raise ExplainError(
            f"Tabelle '{tabelle}' hat keine Kennzahlen; erklärbar: {', '.join(explained)}"
        )
    if tabelle == "controlling":
        return explain_controlling(warehouse, indikator, gebiet, _year(periode))
    for tables, (_, explain_table) in EXPLAINERS.items():
        if tabelle in tables:
            return explain_table(warehouse, tabelle, indikator, gebiet, _year(periode))
    if tabelle == "zielerreichung":
        return explain_goal(warehouse, indikator, gebiet, _year(periode))
    if tabelle == "sozialindex":
        return explain_sozialindex(warehouse, gebiet, _parse_day(periode))
    return render(explain(warehouse, indikator, gebiet, _parse_day(periode)))
