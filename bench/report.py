"""Ratios and the Markdown table of bench/results (German labels: the table is user-facing)."""

from __future__ import annotations

from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DOWNSTREAM = ("aufbereitung", "publish", "report", "bericht", "veroeffentlichung")
# issue 13: name -> (operator, limit, label); the limits hold for berlin, except where
# SCOPE says otherwise ("across": berlin against city; "small": the small scale)
TARGETS = {
    "ingest_cpu_vs_floor_cpu": ("<=", 2.5, "Ingest-CPU / Boden-CPU"),
    "incremental_vs_full": ("<=", 0.05, "ein Monat inkrementell / Vollaufbau"),
    "rerun_vs_full": ("<=", 0.02, "Lauf ohne Änderung / Vollaufbau"),
    "month_growth_vs_rows": ("<=", 1.0, "+1 Monat berlin/city ÷ Monatszeilen berlin/city"),
    "growth_vs_rows": ("<=", 1.0, "Zeitwachstum / Zeilenwachstum (berlin vs. city)"),
    "peak_memory_gb": ("<=", 2.5, "Spitzenspeicher (GB)"),
    "peer_cpu_vs_ingest_cpu": (">=", 4.0, "Peer-CPU / Ingest-CPU (wie viel schneller)"),
    "peer_vs_ingest": (">=", 1.0, "Peer / Ingest, Wanduhr (small: nicht langsamer)"),
}
SCOPE = {
    "month_growth_vs_rows": "across",
    "growth_vs_rows": "across",
    "peer_vs_ingest": "small",
}


def _split(runs: dict, key: str) -> tuple[float, dict[str, float]]:
    ingest = sum((v.get(key) or 0.0) for k, v in runs.items() if k not in DOWNSTREAM)
    down = {k: v.get(key) for k, v in runs.items() if k in DOWNSTREAM}
    return ingest, down


STEP_GROUPS = {  # Dagster step -> the part of the pipeline it belongs to (German: the table)
    "raw_lieferungen": "Laden",
    "raw_referenz": "Laden",
    "dbt_modelle": "dbt",
    "veroeffentlichung": "Veröffentlichung",
    "report__sozialbericht": "Bericht",
    "report__sozialatlas": "Atlas",
    "analyse__marts_kopie": "Analysekopie",
}
STEP_ORDER = [*dict.fromkeys(STEP_GROUPS.values()), "Rest"]


def step_profile(measurement: dict | None) -> dict[str, dict[str, float]] | None:
    """Wall and CPU seconds per part (Laden, dbt, ...) of one measured run; `Rest`: what
    lies outside every step (start, decisions, Dagster's own bookkeeping)."""
    if not measurement or not measurement.get("runs"):
        return None
    out: dict[str, dict[str, float]] = {}
    for run in measurement["runs"].values():
        for step, t in (run.get("steps") or {}).items():
            part = out.setdefault(
                STEP_GROUPS.get(step, step), {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mb": 0.0}
            )
            part["wall_s"] += t.get("wall_s") or 0.0
            part["cpu_s"] += t.get("cpu_s") or 0.0
            part["peak_rss_mb"] = max(part["peak_rss_mb"], t.get("peak_rss_mb") or 0.0)
    if not out and measurement["runs"]:
        return None  # measured before steps were recorded
    rest_wall = measurement["wall_s"] - sum(p["wall_s"] for p in out.values())
    rest_cpu = (measurement.get("cpu_s") or 0.0) - sum(p["cpu_s"] for p in out.values())
    out["Rest"] = {"wall_s": max(rest_wall, 0.0), "cpu_s": max(rest_cpu, 0.0)}
    return out


def scale_metrics(r: dict) -> dict:
    full = r["full"]
    inc = r.get("incremental") or {"runs": {}, "wall_s": float("nan")}
    st = full.get("loads", {}).get("by_status", {})
    rows = sum(s["rows_read"] for s in st.values())
    ingest, down = _split(full["runs"], "wall_s")
    ingest_cpu, down_cpu = _split(full["runs"], "cpu_s")
    inc_ingest, inc_down = _split(inc["runs"], "wall_s")
    rerun = r.get("rerun") or {"wall_s": None}
    floors = [f["wall_s"] for f in r.get("floor", [])]
    floor = min(floors) if floors else None
    floor_cpu = min(f["cpu_s"] for f in r["floor"]) if floors else None
    peer = r.get("peer")
    peak = max(full.get("peak_tree_rss_mb") or 0, inc.get("peak_tree_rss_mb") or 0)
    m = {
        "rows_read": rows,
        "floor_rows": r["floor"][0]["rows"] if floors else None,
        "files": sum(s["files"] for s in st.values()),
        "bytes": r["landing"]["bytes"],
        "floor_s": floor,
        "floor_all_s": floors,
        "floor_cpu_s": floor_cpu,
        "ingest_s": ingest,
        "ingest_cpu_s": ingest_cpu,
        "downstream_s": down,
        "downstream_cpu_s": down_cpu,
        "full_s": full["wall_s"],
        "full_cpu_s": full["cpu_s"],
        "incremental_s": inc["wall_s"],
        "incremental_ingest_s": inc_ingest,
        "incremental_downstream_s": inc_down,
        "peak_rss_mb": peak,
        "maxrss_mb": max(full.get("maxrss_mb") or 0, inc.get("maxrss_mb") or 0),
        "ingest_vs_floor": ingest / floor if floor else None,
        "ingest_cpu_vs_floor_cpu": ingest_cpu / floor_cpu if floor_cpu else None,
        "incremental_vs_full": inc["wall_s"] / full["wall_s"],
        "incremental_cpu_s": inc.get("cpu_s"),
        "incremental_scope": inc.get("scope"),
        "month_rows": sum(f.get("zeilen_gelesen") or 0 for f in inc.get("new_files") or []),
        "rerun_s": rerun["wall_s"],
        "rerun_vs_full": rerun["wall_s"] / full["wall_s"] if rerun["wall_s"] else None,
        "rerun_cpu_s": rerun.get("cpu_s"),
        "incremental_cpu_vs_full_cpu": (inc["cpu_s"] / full["cpu_s"]) if inc.get("cpu_s") else None,
        "rerun_cpu_vs_full_cpu": (rerun["cpu_s"] / full["cpu_s"]) if rerun.get("cpu_s") else None,
        "rerun_skipped": rerun.get("skipped"),
        "incremental_ingest_vs_full_ingest": inc_ingest / ingest if ingest else None,
        "peak_memory_gb": peak / 1024,
        "load": [full.get("load_before"), full.get("load_after"), inc.get("load_after")],
        "new_files": inc.get("new_files"),
        "exit_codes": [full.get("exit_code"), inc.get("exit_code")],
        "ingest_only": bool(full.get("ingest_only")),
        "steps": {what: step_profile(r.get(what)) for what in ("full", "incremental", "rerun")},
    }
    if peer:
        m["peer_s"] = peer["wall_s"]
        m["peer_cpu_s"] = peer["cpu_s"]
        m["peer_peak_rss_mb"] = peer.get("peak_tree_rss_mb")
        m["peer_rows_read"] = sum(k["rows_read"] for k in peer["kinds"].values())
        m["peer_vs_ingest"] = peer["wall_s"] / ingest if ingest else None
        m["peer_cpu_vs_ingest_cpu"] = peer["cpu_s"] / ingest_cpu if ingest_cpu else None
    return m


def summarise(results: dict) -> dict:
    per = {s: scale_metrics(r) for s, r in results.get("scales", {}).items()}
    out: dict = {"per_scale": per}
    if "city" in per and "berlin" in per:
        c, b = per["city"], per["berlin"]
        row_ratio = b["rows_read"] / c["rows_read"]
        # a scale measured without dbt compares the ingest only
        key = "ingest_s" if b.get("ingest_only") or c.get("ingest_only") else "full_s"
        out["berlin_vs_city"] = {
            "compared": key,
            "row_ratio": row_ratio,
            "full_time_ratio": b[key] / c[key],
            "ingest_time_ratio": b["ingest_s"] / c["ingest_s"],
            "growth_vs_rows": (b[key] / c[key]) / row_ratio,
            "ingest_growth_vs_rows": (b["ingest_s"] / c["ingest_s"]) / row_ratio,
        }
        # both measured with the monthly path (a scale measured before has no rerun)
        if b.get("month_rows") and c.get("month_rows") and b.get("rerun_s") and c.get("rerun_s"):
            # one more month must not cost more the longer the history: its cost may grow
            # at most like the month's own rows
            month_ratio = b["month_rows"] / c["month_rows"]
            inc_ratio = b["incremental_s"] / c["incremental_s"]
            out["berlin_vs_city"].update(
                month_row_ratio=month_ratio,
                incremental_time_ratio=inc_ratio,
                month_growth_vs_rows=inc_ratio / month_ratio,
            )
    return out


def _f(v, digits=1) -> str:
    if v is None:
        return "–"
    return f"{v:,.{digits}f}".replace(",", " ")


def _check(name: str, value) -> str:
    if value is None:
        return "–"
    op, limit, _ = TARGETS[name]
    ok = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[op]
    return "ja" if ok else "**nein**"


# profiles taken by hand (cProfile; not re-measured by `make bench`): where the time goes
PROFILE_NOTES = [
    "Ingest je Datei (cProfile, berlin, 12 sgb12-Dateien à ~70 000 Zeilen, seriell ohne "
    "Dagster, 21,5 s): Lesen und Prüfen 1,1 s (davon ~0,7 s in rund 75 kleinen "
    "polars-Abfragen: Lesen 0,27 s, Typisierung 0,19 s, Pseudonyme 0,28 s, Adressen 0,13 s, "
    "Dubletten 0,11 s, Vertragsprüfung 0,07 s), Schreiben (Arrow -> DuckDB, Commit) 0,35 s, "
    "ein Checkpoint am Ende 3,5 s. Im Lauf bereiten zwei Threads die Dateien vor, während "
    "der Asset-Thread schreibt; die Python-Anteile konkurrieren um den GIL (Faktor ~1,4 statt 2).",
    "Was bleibt (berlin, ein weiterer Monat, Lauf von be09b3b am 2026-12-04, CPU s): "
    "Veröffentlichung 28 (Systeme, Angreiferbefunde und der Sozialindex unveränderter "
    "Stichtage kommen aus dem Zwischenspeicher, unveränderte Parquet- und Excel-Dateien werden "
    "aus der veröffentlichten Version verlinkt; über alle Perioden laufen noch das Lesen der "
    "Marts, die Sperrung der Zähler, die Umrechnung auf den heutigen Gebietsstand, die "
    "Prüfungen des Lesers und publish.duckdb), dbt 22 (`basiszahlen`, `indikatoren`, "
    "`sozialindex` bauen nur die neuen Stichtage; je Knoten das Öffnen des Warehouse und ein "
    "Dagster-Ereignis), Bericht 10 CPU bei 33 s Wanduhr (das PDF über Chromium: der Bericht "
    "ändert sich jeden Monat, sein Anhang zählt die Zeilen jeder Tabelle), Analysekopie 5 "
    "(nur geänderte Marts), Atlas 5. Spitzenspeicher: Tabelle *Spitzenspeicher je Schritt*; "
    "bei berlin der Bericht (Laufprozess und Chromium), dann dbt im Vollaufbau (das "
    "Python-Modell `bedarfsplanung`).",
    "Issue 13, der Monatspfad: ein Lauf, in dem nur Perioden von sgb2/sgb12 neu sind, baut "
    "nur die dbt-Modelle aus diesen Rohtabellen (`source:raw.<art>+`) und prüft die Tests ab "
    "dem frühesten geänderten Stichtag (small: 115 statt 262 dbt-Knoten). Das Startdatum der "
    "Tests erreicht dbt als Umgebungsvariable, nicht als dbt-Variable: eine geänderte "
    "Variable ließ dbt bei jedem Monat das ganze Projekt neu parsen (5 s; dbt-Schritt small "
    "30,2 -> 22,8 s CPU). publish.duckdb und analyse.duckdb werden in einer Transaktion "
    "geschrieben (publish.duckdb 1,15 -> 0,42 s). Was im Monatspfad bleibt (small, "
    "Wanduhr, 2026-12-04): dbt ~14 s (Start, je Knoten das Öffnen des Warehouse und ein "
    "Dagster-Ereignis), Bericht ~3 s, Veröffentlichung ~2 s, Start und Dagster-Instanz "
    "~5 s. `run` startet höchstens 2 Dagster-Läufe; ohne "
    "Änderung keinen `aufbereitung`-Lauf (nur `laden` für abgelehnte Dateien, die jedes Mal "
    "neu entschieden werden). Die Tabelle *Schritte* zeigt dies je Größe.",
    "Die CPU-Sekunden je Schritt stammen aus Stichproben des Prozessbaums alle 0,2 s: "
    "Prozesse, die dazwischen enden, ohne dass ein Prozess des Baums sie abwartet, können "
    "fehlen (beim Bericht schwankten sie zwischen 1,8 und 10 s bei 5–11 s Wanduhr, "
    "vermutlich Chromiums Hilfsprozesse): dort ist die Wanduhrzeit maßgeblich. Die CPU je "
    "Lauf (Tabelle oben) zählt jeden abgewarteten Kindprozess.",
    "Die Maschine ist geteilt (Lastmittel in der Tabelle): Wanduhrzeiten schwanken um bis "
    "zu 30 %; die CPU-Verhältnisse sind belastbarer. Der erste Bodenlauf je Größe ist oft "
    "langsamer (Seitencache): verwendet wird das Minimum.",
]


def markdown(results: dict) -> str:
    summary = summarise(results)
    per = summary["per_scale"]
    mach = results.get("machine", {})
    lines = [
        "# Benchmark sozialmonitor",
        "",
        f"Maschine: {mach.get('cpu')}, {mach.get('nproc')} Kerne, {mach.get('mem_gb')} GB; "
        f"Python {mach.get('python')}; Versionen {mach.get('versions')}; "
        f"Commit {str(mach.get('git_commit'))[:12]}{' (mit lokalen Änderungen)' if mach.get('git_dirty') else ''}.",
        "Die Maschine wird mit anderen Prozessen geteilt: maßgeblich sind die Verhältnisse, "
        "nicht die absoluten Sekunden (Lastmittel je Messung in der letzten Spalte).",
        "",
        "| Größe | Zeilen | Dateien | MB | Boden s | Ingest s | Ingest/Boden | Aufbereitung s | "
        "Vollaufbau s | +1 Monat s | inkr./voll | ohne Änderung s | unv./voll | Spitze MB | "
        "Peer s | Peer/Ingest | Last (1 min) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for s, m in per.items():
        if m.get("ingest_only"):
            s = f"{s} (ohne dbt)"
        load = "/".join(_f(x[0] if x else None) for x in m["load"])
        lines.append(
            f"| {s} | {m['rows_read']:,} | {m['files']} | {_f(m['bytes'] / 2**20, 0)} | "
            f"{_f(m['floor_s'])} | {_f(m['ingest_s'])} | {_f(m['ingest_vs_floor'])}× | "
            f"{_f(m['downstream_s'].get('aufbereitung'))} | {_f(m['full_s'])} | "
            f"{_f(m['incremental_s'])} | {_f(m['incremental_vs_full'], 2)} | "
            f"{_f(m.get('rerun_s'))} | {_f(m.get('rerun_vs_full'), 3)} | "
            f"{_f(m['peak_rss_mb'], 0)} | {_f(m.get('peer_s'))} | "
            f"{_f(m.get('peer_vs_ingest'), 2)}× | {load} |".replace(",", " ")
        )
    lines += ["", "CPU-Sekunden (Prozess + Kindprozesse):", "",
              "| Größe | Boden | Ingest | dbt | Vollaufbau | +1 Monat | ohne Änderung | Peer | "
              "Ingest-CPU/Boden-CPU | Peer-CPU/Ingest-CPU | +1 Monat/voll | unv./voll |",
              "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]  # fmt: skip
    for s, m in per.items():
        lines.append(
            f"| {s} | {_f(m['floor_cpu_s'])} | {_f(m['ingest_cpu_s'])} | "
            f"{_f(m['downstream_cpu_s'].get('aufbereitung'))} | {_f(m['full_cpu_s'])} | "
            f"{_f(m.get('incremental_cpu_s'))} | {_f(m.get('rerun_cpu_s'))} | "
            f"{_f(m.get('peer_cpu_s'))} | {_f(m['ingest_cpu_vs_floor_cpu'])}× | "
            f"{_f(m.get('peer_cpu_vs_ingest_cpu'), 2)}× | "
            f"{_f(m.get('incremental_cpu_vs_full_cpu'), 2)} | {_f(m.get('rerun_cpu_vs_full_cpu'), 3)} |"
        )
    if per:
        growth = summary.get("berlin_vs_city", {})
        names = list(per)
        lines += ["", "Ziele (Issue 13; gemessen je Größe, die Grenzen gelten für berlin, "
                  "Peer/Ingest in Wanduhrzeit für small):", "",
                  "| Ziel | Grenze | " + " | ".join(names) + " |",
                  "|---|--:|" + "--:|" * len(names)]  # fmt: skip
        for name, (op, limit, label) in TARGETS.items():
            cells = []
            for sc in names:
                m = per[sc]
                scope = SCOPE.get(name)
                value = growth.get(name) if scope == "across" else m.get(name)
                if (scope == "across" and sc != "berlin") or (scope == "small" and sc != "small"):
                    value = None
                note = (
                    " (nur Ingest)"
                    if m.get("ingest_only")
                    and name
                    in ("incremental_vs_full", "growth_vs_rows", "peak_memory_gb", "rerun_vs_full")
                    else ""
                )
                cells.append(f"{_f(value, 2)} {_check(name, value)}{note}" if value is not None
                             and value == value else "–")  # fmt: skip
            lines.append(f"| {label} | {op} {limit} | " + " | ".join(cells) + " |")
        if growth:
            lines += ["", f"berlin vs. city ({growth['compared']}): Zeilen ×{_f(growth['row_ratio'], 2)}, "
                      f"Zeit ×{_f(growth['full_time_ratio'], 2)}, "
                      f"Ingest ×{_f(growth['ingest_time_ratio'], 2)} "
                      f"(Ingest-Wachstum/Zeilenwachstum {_f(growth['ingest_growth_vs_rows'], 2)})."]  # fmt: skip
            if growth.get("month_row_ratio"):
                lines.append(
                    f"Ein weiterer Monat berlin vs. city: Monatszeilen ×{_f(growth['month_row_ratio'], 2)}, "
                    f"Zeit ×{_f(growth['incremental_time_ratio'], 2)}."
                )
    profiled = [(sc, m) for sc, m in per.items() if any((m.get("steps") or {}).values())]
    if profiled:
        lines += ["", "Schritte (Wanduhr s / CPU s je Teil des Laufs; *Rest*: Start, "
                  "Entscheidungen, Dagsters Buchführung außerhalb der Schritte):", "",
                  "| Größe | Lauf | " + " | ".join(STEP_ORDER) + " |",
                  "|---|---|" + "--:|" * len(STEP_ORDER)]  # fmt: skip
        names = {"full": "Vollaufbau", "incremental": "+1 Monat", "rerun": "ohne Änderung"}
        for sc, m in profiled:
            for what, label in names.items():
                prof = m["steps"].get(what)
                if prof is None:
                    continue
                cells = [
                    f"{_f(prof[p]['wall_s'])} / {_f(prof[p]['cpu_s'])}" if p in prof else "–"
                    for p in STEP_ORDER
                ]
                lines.append(f"| {sc} | {label} | " + " | ".join(cells) + " |")
        peaks = [
            (sc, label, prof)
            for sc, m in profiled
            for what, label in names.items()
            if (prof := m["steps"].get(what)) and any(p.get("peak_rss_mb") for p in prof.values())
        ]
        if peaks:
            parts = [p for p in STEP_ORDER if p != "Rest"]
            lines += ["", "Spitzenspeicher je Schritt (MB, Summe der RSS des Prozessbaums):", "",
                      "| Größe | Lauf | " + " | ".join(parts) + " |",
                      "|---|---|" + "--:|" * len(parts)]  # fmt: skip
            for sc, label, prof in peaks:
                cells = [_f(prof[p]["peak_rss_mb"], 0) if p in prof else "–" for p in parts]
                lines.append(f"| {sc} | {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Gemessen: "
        + ", ".join(
            f"{sc} {results['scales'][sc].get('measured_at', '?')}"
            + ("" if per[sc].get("rerun_s") else " (vor dem Monatspfad, ohne Lauf ohne Änderung)")
            for sc in per
        )
        + ".",
        "",
        "Begriffe: *Ingest* = Dagster-Lauf `laden` (Referenzdaten und alle geänderten "
        "Lieferarten, aus `RunOutcome.timings`), *dbt* = Dagster-Lauf `aufbereitung` (dbt und, sofern schon "
        "vorhanden, Veröffentlichung und Bericht: der Runner startet sie als einen Lauf), *Boden* = DuckDB `read_csv` aller CSV-Lieferungen "
        "(all_varchar, `;`, Kodierung, Titelblock übersprungen; XLSX und GeoJSON nicht enthalten), "
        "*Peer* = derselbe Ingest mit pandas + pandera (pandas-Backend) + HMAC je Zeile + "
        "Adress-Merge + DuckDB. *+1 Monat* = neuer Lauf nach Lieferung eines weiteren Monats "
        "(sgb2 + sgb12) auf das gefüllte Warehouse, *ohne Änderung* = derselbe Lauf danach noch "
        "einmal. Spitze = größte Summe der RSS des "
        "Prozessbaums (alle 0,2 s abgetastet).",
        "",
        "## Wo die Zeit bleibt",
        "",
        *[f"- {note}" for note in PROFILE_NOTES],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # regenerate results.md from results.json
    import json

    data = json.loads((RESULTS_DIR / "results.json").read_text(encoding="utf-8"))
    data["summary"] = summarise(data)
    (RESULTS_DIR / "results.json").write_text(
        json.dumps(data, indent=1, default=str), encoding="utf-8"
    )
    text = markdown(data)
    (RESULTS_DIR / "results.md").write_text(text, encoding="utf-8")
    print(text)
