"""`sozialmonitor explain INDIKATOR GEBIET PERIODE`: the lineage of one figure.

Everything printed comes from the warehouse itself (marts, raw load ids, audit.loads)
and the dbt manifest; no personal data is involved at any step, so nothing needs hiding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.raw_tables import PERIOD_COLUMN

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
SOURCE_TABLES = {"transfer": ["sgb2", "sgb12"]}


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
    veroeffentlicht: tuple | None
    summiert: list[tuple] = field(default_factory=list)  # (gebiet_id, name, zaehler, nenner)
    dateien: list[SourceFile] = field(default_factory=list)
    modelle: list[str] = field(default_factory=list)
    definition: str = ""


def _num(v, digits=4) -> str:
    if v is None:
        return "–"
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def explain(warehouse: Path, indikator: str, gebiet: str, periode: date) -> Explanation:
    paths = WarehousePaths(Path(warehouse))
    if not paths.warehouse_db.exists():
        raise ExplainError(f"Kein Warehouse unter {paths.root}")
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        kat = con.execute(
            "select bezeichnung, zaehler_merkmal, nenner_merkmal, faktor, einheit, definition "
            "from marts.indikatorkatalog where indikator_id = ?",
            [indikator],
        ).fetchone()
        if kat is None:
            known = [
                r[0]
                for r in con.execute(
                    "select indikator_id from marts.indikatorkatalog order by 1"
                ).fetchall()
            ]
            raise ExplainError(f"Unbekannter Indikator '{indikator}'. Bekannt: {', '.join(known)}")
        bezeichnung, z_m, n_m, faktor, einheit, definition = kat
        row = con.execute(
            """select ebene, zaehler, nenner, wert, symbol, nenner_stichtag, umgerechnet, gebietsstand
               from marts.indikatoren where indikator_id = ? and gebiet_id = ? and periode = ?
               order by aktueller_gebietsstand desc limit 1""",
            [indikator, gebiet, periode],
        ).fetchone()
        if row is None:
            raise ExplainError(
                f"Kein Wert für {indikator} in Gebiet {gebiet} zum {periode:%d.%m.%Y} im Warehouse."
            )
        ebene, zaehler, nenner, wert, symbol, n_date, umgerechnet, gebietsstand = row
        name = con.execute(
            "select name from marts.gebiete where gebiet_id = ? order by ist_aktuell desc limit 1",
            [gebiet],
        ).fetchone()
        quellen = dict(
            con.execute(
                "select merkmal, any_value(quelle) from marts.basiszahlen where merkmal in (?, ?) group by 1",
                [z_m, n_m],
            ).fetchall()
        )
        summiert = con.execute(
            """with leaves as (
                 select gebiet_id, name from marts.gebiete
                 where ist_feinste_ebene and (pfad like '%' || ? || '%') and gebiet_id <> ?
               )
               select l.gebiet_id, l.name,
                 max(case when b.merkmal = ? and b.periode = ? then b.wert end),
                 max(case when b.merkmal = ? and b.periode = ? then b.wert end)
               from leaves l left join marts.basiszahlen b on b.gebiet_id = l.gebiet_id
                 and b.gebietsstand = ?
               group by all order by 1""",
            [gebiet, gebiet, z_m, periode, n_m, n_date or periode, gebietsstand],
        ).fetchall()
        files = []
        for merkmal, per in ((z_m, periode), (n_m, n_date)):
            if merkmal is None or per is None:
                continue
            for table in SOURCE_TABLES.get(quellen.get(merkmal, ""), [quellen.get(merkmal)]):
                if table not in PERIOD_COLUMN or PERIOD_COLUMN[table] is None:
                    continue
                pcol = PERIOD_COLUMN[table]
                value = per.year if pcol in ("jahr", "haushaltsjahr") else per
                for r in con.execute(
                    f"""select a.quelle, a.datei, a.sha256, strftime(a.beendet_am, '%d.%m.%Y %H:%M:%S'),
                               a.run_id, a.periode
                        from audit.loads a
                        where a.load_id in (select distinct load_id from raw.{table} where {pcol} = ?)
                        order by a.datei""",
                    [value],
                ).fetchall():
                    files.append(SourceFile(*r))
    finally:
        con.close()
    published = None
    if paths.publish_db.exists():
        pcon = duckdb.connect(str(paths.publish_db), read_only=True)
        try:
            published = pcon.execute(
                "select wert, symbol from indikatoren where indikator_id = ? and gebiet_id = ? and periode = ?",
                [indikator, gebiet, periode],
            ).fetchone()
        finally:
            pcon.close()
    formel = (
        f"{bezeichnung} = {z_m}"
        if n_m is None
        else f"{bezeichnung} = {z_m} / {n_m} × {_num(faktor)}"
    )
    seen = set()
    unique_files = []
    for f in files:
        if (f.datei, f.sha256) not in seen:
            seen.add((f.datei, f.sha256))
            unique_files.append(f)
    return Explanation(
        indikator, bezeichnung, gebiet, name[0] if name else "", ebene, periode, formel, zaehler, nenner,
        wert, symbol, einheit, faktor, n_date, bool(umgerechnet), published,
        [tuple(r) for r in summiert if r[2] is not None or r[3] is not None], unique_files,
        model_chain("indikatoren", {q for q in quellen.values() if q}), definition or "",
    )  # fmt: skip


def model_chain(model: str, quellen: set[str]) -> list[str]:
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

    order: list[str] = []
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
    out.append("publish.indikatoren (Geheimhaltung: pipelines/publish, pipelines/disclosure)")
    return out


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
    if e.nenner_stichtag and e.nenner_stichtag != e.periode:
        lines.append(
            f"Nenner vom Stichtag {e.nenner_stichtag:%d.%m.%Y} (letzter Bevölkerungsstand davor)"
        )
    if e.umgerechnet:
        lines.append(
            "Umgerechnet auf den heutigen Gebietsstand (Umschlüsselung mit Bevölkerungsanteilen)."
        )
    if e.veroeffentlicht is not None:
        w, s = e.veroeffentlicht
        lines.append(f"Veröffentlicht (publish.duckdb): {s or _num(w)}")
    if e.summiert:
        lines += [
            "",
            f"Summiert aus {len(e.summiert)} Gebieten der feinsten Ebene (Zähler / Nenner):",
        ]
        for gid, name, z, n in e.summiert:
            lines.append(f"  {gid:<12} {name[:30]:<30} {_num(z):>10} / {_num(n):>10}")
    lines += ["", "Gelieferte Dateien (Datei, SHA-256, geladen am, Lauf):"]
    for f in e.dateien:
        lines.append(
            f"  {f.datei}\n      sha256 {f.sha256}\n      geladen {f.geladen_am}, Lauf {f.run_id}"
        )
    if e.modelle:
        lines += ["", "Modellkette (dbt, von den Rohdaten zur Veröffentlichung):"]
        lines += [f"  {i + 1:>2}. {m}" for i, m in enumerate(e.modelle)]
    if e.definition:
        lines += ["", f"Definition: {e.definition}"]
    return "\n".join(lines)
