"""The Sozialatlas: one static German HTML page (atlas/index.html in the warehouse folder).

Built from the published version's publish.duckdb only, with its data embedded as one JSON
bundle (`bundle.py`) and plain SVG + JavaScript (`atlas.js`, `atlas.css`): no server, no
network, no library. Rebuilt by the Dagster asset `atlas/sozialatlas` after each publish.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from datetime import date
from pathlib import Path

from .bundle import build_bundle

HERE = Path(__file__).parent
ATLAS_DIR = "atlas"


def atlas_path(warehouse_root: Path) -> Path:
    return Path(warehouse_root) / ATLAS_DIR / "index.html"


# hatch (*), cross-hatch (/), dotted white ("keine Daten"): no class colour resembles them
PATTERNS = (
    '<svg id="muster" width="0" height="0" aria-hidden="true" focusable="false" '
    'style="position:absolute"><defs>'
    '<pattern id="f-geheim" patternUnits="userSpaceOnUse" width="5" height="5" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f2f2f2"/>'
    '<line x1="0" y1="0" x2="0" y2="5" stroke="#6f6f6f" stroke-width="1.6"/></pattern>'
    '<pattern id="f-grenzen" patternUnits="userSpaceOnUse" width="6" height="6">'
    '<rect width="6" height="6" fill="#e6ecf2"/>'
    '<path d="M0 0L6 6M6 0L0 6" stroke="#5d7891" stroke-width="0.9"/></pattern>'
    '<pattern id="f-keine" patternUnits="userSpaceOnUse" width="6" height="6">'
    '<rect width="6" height="6" fill="#ffffff"/>'
    '<circle cx="3" cy="3" r="0.9" fill="#8a8a8a"/></pattern>'
    "</defs></svg>"
)


def render_page(bundle: dict, created: date) -> str:
    """The whole page as a string (pure given the bundle)."""
    city = html.escape(bundle["stadt"])
    data = json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    report = bundle.get("bericht")
    report_link = (
        f' · <a href="{html.escape(report)}">Sozialbericht zum Stichtag</a>' if report else ""
    )
    css = (HERE / "atlas.css").read_text(encoding="utf-8")
    js = (HERE / "atlas.js").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sozialatlas {city}</title>
<link rel="icon" href="data:,">
<style>{css}</style></head>
<body>
<a class="skip" href="#karte-bereich">Zur Karte springen</a>
<a class="skip" href="#profil">Zum Gebietsprofil springen</a>
{PATTERNS}
<header><h1>Sozialatlas {city}</h1>
<p>Kleinräumige Sozialindikatoren aus der geheimhaltungsgeprüften Publikationszone
(publish.duckdb), erzeugt am {created.day:02d}.{created.month:02d}.{created.year}{report_link}</p></header>
<div id="atlas">
<section class="steuerung" aria-label="Auswahl">
<label for="indikator">Indikator<select id="indikator"></select></label>
<label for="periode">Stichtag<select id="periode"></select></label>
<label for="ebene">Ebene<select id="ebene"></select></label>
<label for="gebiet">Gebiet<select id="gebiet"></select></label>
<button type="button" id="definition-zeigen" aria-expanded="false" aria-controls="definition">Definition des Indikators</button>
<button type="button" id="csv">Ansicht als CSV herunterladen</button>
</section>
<div class="layout">
<section class="karte-bereich" id="karte-bereich" aria-labelledby="karte-titel" tabindex="-1">
<h2 id="karte-titel"></h2>
<p id="karte-hinweis" class="hinweis"></p>
<div class="karte-mit-legende">
<svg id="karte" role="group" tabindex="-1" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="legende" aria-label="Legende"></div>
</div>
<details id="tabelle-details"><summary>Werte der Karte als Tabelle</summary>
<table class="daten" id="tabelle"><caption></caption>
<thead><tr><th scope="col">Gebiet-ID</th><th scope="col">Gebiet</th><th scope="col">Wert</th></tr></thead>
<tbody></tbody></table></details>
</section>
<div>
<section class="panel" id="definition" hidden aria-labelledby="definition-titel">
<h2 id="definition-titel" tabindex="-1"></h2>
<dl id="definition-liste"></dl>
<p><a id="indikatorenblatt" hidden>Indikatorenblatt im Sozialbericht</a></p>
</section>
<section class="panel" id="profil" aria-labelledby="profil-titel" tabindex="-1">
<h2 id="profil-titel">Gebietsprofil</h2>
<div id="profil-inhalt" aria-live="polite"></div>
<p><button type="button" id="vergleichen" disabled>Zum Vergleich hinzufügen</button></p>
</section>
<section class="panel" id="verlauf" aria-labelledby="zeitreihe-titel">
<h2>Zeitreihe: <span id="zeitreihe-titel"></span></h2>
<svg id="zeitreihe" role="img" xmlns="http://www.w3.org/2000/svg"></svg>
<ul class="legende-linien" id="zeitreihe-legende"></ul>
<p class="hinweis">Lücke: kein veröffentlichter Wert (*, ., x). Senkrechter Strich: nur innerhalb
von Grenzen bekannt (/). Anzahlen werden nicht mit der Summe der Stadt verglichen.</p>
</section>
<section class="panel" id="vergleich" aria-labelledby="vergleich-titel">
<h2 id="vergleich-titel">Vergleich</h2>
<div id="vergleich-inhalt" aria-live="polite"></div>
</section>
</div>
</div>
</div>
<footer>Zeichen: - nichts vorhanden (genau null) · * geheimgehalten · . nicht veröffentlicht ·
x nicht berechenbar · / nur innerhalb von Grenzen bekannt. Alle Werte haben die statistische
Geheimhaltung der Publikationszone durchlaufen. Erzeugt mit sozialmonitor.</footer>
<script type="application/json" id="atlas-daten">{data}</script>
<script>{js}</script>
</body></html>
"""


def build_atlas(publish_db: Path, warehouse_root: Path) -> Path:
    """Write <warehouse>/atlas/index.html from publish.duckdb (atomically) and return it."""
    bundle = build_bundle(Path(publish_db))
    if bundle.get("standard_periode"):
        # the report of the same publish, built by the sibling asset with the same default date
        bundle["bericht"] = f"../reports/sozialbericht_{bundle['standard_periode']}.html"
    target = atlas_path(warehouse_root)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".index_", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_page(bundle, date.today()))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
