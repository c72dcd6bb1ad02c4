"""Inline CSS of the report: screen and print (A4), no external fonts."""

from __future__ import annotations

BASE_CSS = """
:root {
  --ink: #1d2733; --muted: #5b6775; --line: #d5dbe2; --accent: #1f4e79;
  --accent-soft: #e8eff7; --zebra: #f6f8fa;
  font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans",
    sans-serif;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #eef1f4; line-height: 1.45; }
.page { max-width: 1120px; margin: 0 auto; background: #fff; padding: 0 48px 48px;
  box-shadow: 0 0 24px rgba(0,0,0,.06); }
h1, h2, h3, h4 { color: var(--accent); line-height: 1.2; font-weight: 600; }
h2 { font-size: 1.6rem; margin: 2.2rem 0 .8rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.18rem; margin: 1.8rem 0 .6rem; }
h4 { font-size: 1rem; margin: 0 0 .3rem; }
a { color: var(--accent); }
.title-page { min-height: 520px; display: flex; flex-direction: column; justify-content: center;
  padding: 64px 0 40px; border-bottom: 1px solid var(--line); }
.title-page .kicker { text-transform: uppercase; letter-spacing: .12em; color: var(--muted);
  font-size: .9rem; margin: 0; }
.title-page h1 { font-size: 3rem; margin: .3rem 0 .6rem; color: var(--accent); }
.title-page .subtitle { font-size: 1.35rem; margin: 0 0 2.4rem; }
.title-page .meta { color: var(--muted); font-size: .95rem; margin: .2rem 0; }
.title-band { height: 10px; width: 180px; background: linear-gradient(90deg, #1f4e79 0 40%,
  #4f8fc0 40% 70%, #a9c9e4 70%); margin-bottom: 28px; }
nav.toc { padding: 8px 0 16px; border-bottom: 1px solid var(--line); }
nav.toc ol { list-style: none; padding-left: 0; margin: 0; }
nav.toc > ol { columns: 2; column-gap: 48px; }
nav.toc > ol > li { break-inside: avoid; }
nav.toc ol ol { padding-left: 1.6rem; font-size: .92rem; }
nav.toc li { margin: .2rem 0; }
nav.toc a { text-decoration: none; color: var(--ink); display: flex; gap: 6px; }
nav.toc .toc-title { flex: 1; }
nav.toc .toc-page { display: none; font-variant-numeric: tabular-nums; white-space: pre; }
a.ref { color: inherit; text-decoration: underline dotted var(--accent); text-underline-offset: 2px; }
.summary .lead { font-size: 1.05rem; }
ul.statements { padding-left: 1.1rem; margin: .3rem 0 .8rem; }
ul.statements li { margin: .25rem 0; }
.verdict { font-weight: 700; }
.verdict.met { color: #1e5a1e; } .verdict.missed { color: #8a1c1c; } .verdict.open { color: #555; }
svg.map text.area-no { text-anchor: middle; font-weight: 700; fill: #1d2733;
  paint-order: stroke; stroke: #fff; stroke-width: 2.6px; stroke-linejoin: round;
  font-family: inherit; }
svg.map .outline.district { stroke: #111; stroke-width: 2.2; }
svg.map circle.prop, svg.prop-legend circle.prop { fill: rgba(31, 78, 121, .55); stroke: #1f4e79;
  stroke-width: .8; }
svg.prop-legend text { font-size: 11px; fill: var(--ink); }
.legend-apart { margin-top: 6px !important; }
ol.map-key { list-style: none; padding: 0; margin: 6px 0 0; columns: 3; column-gap: 14px;
  font-size: .75rem; }
ol.map-key li { break-inside: avoid; }
.map-key-note { font-size: .75rem; color: var(--muted); margin: 4px 0 0; }
.profile { border-top: 1px solid var(--line); margin-top: 1.4rem; padding-top: .4rem; }
.profile-title { font-size: 1.4rem; margin: .4rem 0 .2rem; }
.profile-facts { color: var(--muted); margin: 0 0 .5rem; }
.profile-top { display: flex; gap: 18px; align-items: flex-start; margin-bottom: .5rem; }
.locator-figure { flex: 0 0 240px; }
.locator-figure svg.map { width: 240px; height: auto; }
.profile-side { flex: 1; font-size: .85rem; }
.profile-side ul { margin: .2rem 0; padding-left: 1.1rem; }
.profile-children { margin: 0 0 .5rem; }
table.profile-table { font-size: .8rem; }
table.profile-table tr.group th { background: #fff; color: var(--accent); padding-top: 8px;
  border-bottom: 1px solid var(--accent); }
table.profile-table th .th-unit { display: inline; margin-left: 6px; }
.spark-cell { width: 100px; }
svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.4; }
svg.spark circle { fill: var(--accent); }
.profile-index-list { font-size: .85rem; }
.sheet h4 .key { font-weight: 400; margin-left: 6px; }
.sheet-link { font-size: .8rem; font-weight: 400; margin-left: 8px; }
nav.toc a:hover { color: var(--accent); text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
  gap: 14px; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--accent); padding: 12px 14px;
  background: #fff; }
.card p { margin: 0; }
.card-label { font-weight: 600; font-size: .92rem; }
.card-value { font-size: 1.9rem; color: var(--accent); font-variant-numeric: tabular-nums;
  margin: .2rem 0 !important; }
.card-value .unit { font-size: 1rem; color: var(--muted); }
.card-delta, .card-date { font-size: .82rem; color: var(--muted); }
table { border-collapse: collapse; font-size: .86rem; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table.data { width: 100%; font-variant-numeric: tabular-nums; }
table.data tbody th { white-space: nowrap; font-weight: 600; }
table.data th, table.data td { padding: 4px 8px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
table.data thead th { background: var(--accent-soft); border-bottom: 2px solid var(--accent);
  font-weight: 600; vertical-align: bottom; }
table.data tbody tr:nth-child(even) { background: var(--zebra); }
table.data tr.total { font-weight: 700; border-top: 2px solid var(--accent); }
table.data .num { text-align: right; white-space: nowrap; }
table.data th.num { white-space: normal; }
table.data .sym { color: var(--muted); }
table.compact { font-size: .78rem; }
.th-unit { display: block; font-weight: 400; color: var(--muted); font-size: .78rem; }
.key { color: var(--muted); font-size: .8em; font-variant-numeric: tabular-nums; }
sup.mark { color: #a04000; font-size: .7em; margin-left: 1px; }
.table-note, figcaption, .note { font-size: .8rem; color: var(--muted); }
.note { background: #fff8e6; border-left: 4px solid #e0a800; padding: 6px 10px;
  color: #5c4500; }
.tabs { margin: .4rem 0 1rem; }
.tab-input { position: absolute; opacity: 0; pointer-events: none; }
.tab-labels { margin: 0 0 .4rem; display: flex; flex-wrap: wrap; gap: 4px; }
.tab-labels label { border: 1px solid var(--line); padding: 3px 10px; cursor: pointer;
  font-size: .85rem; background: #fff; border-radius: 3px; }
.tab-panel { display: none; }
.panel-title { display: none; font-weight: 600; margin: .4rem 0; }
.indicator { border-top: 1px solid var(--line); margin-top: 1.6rem; }
.city-value { margin: .2rem 0; }
.definition { margin: .2rem 0 .6rem; color: var(--muted); font-size: .9rem; }
.figures { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
figure { margin: 0; }
.map-wrap { display: flex; gap: 6px; align-items: flex-start; }
svg.map { max-width: 100%; height: auto; background: #fbfcfd; border: 1px solid var(--line); }
svg.map .outline { fill: none; stroke: #38424d; stroke-width: .9; stroke-linejoin: round; }
svg.map use { stroke-width: .3; }
.sm-defs { position: absolute; width: 0; height: 0; overflow: hidden; }
.map-wrap { flex-direction: column; }
.legend { font-size: .78rem; }
.legend ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap;
  gap: 2px 14px; }
.legend li { display: flex; align-items: center; gap: 5px; }
.legend-title { font-weight: 600; margin: 0 0 4px; }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { font-size: 11px; fill: var(--muted); font-family: inherit; }
svg.chart .ytick { text-anchor: end; }
svg.chart .xlabel { text-anchor: middle; }
svg.chart .grid { stroke: #e6e9ed; }
svg.chart .axis, svg.chart .xtick { stroke: #8a939c; }
svg.chart .bar { fill: #4f8fc0; }
svg.chart .bar.over { fill: #c0504d; }
svg.chart .bar-label { text-anchor: end; fill: var(--ink); }
svg.chart .reference { stroke: #111; stroke-dasharray: 4 3; }
.chart-legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap;
  gap: 4px 14px; font-size: .8rem; }
svg.chart .eff-menge, .swatch.eff-menge { fill: #4f8fc0; background: #4f8fc0; }
svg.chart .eff-preis, .swatch.eff-preis { fill: #e08a3c; background: #e08a3c; }
svg.chart .eff-rest, .swatch.eff-rest { fill: #a9b4be; background: #a9b4be; }
svg.chart .eff-total { stroke: #111; stroke-width: 3; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -1px; }
.swatch.eff-total { width: 3px; background: #111; }
table.data tr.group th { background: var(--accent-soft); text-align: left; }
table.data tr.plan td { font-style: italic; color: var(--muted); }
.line-key { display: inline-block; width: 18px; height: 3px; margin-right: 5px;
  vertical-align: middle; }
table.matrix td, table.matrix th { border: 1px solid #fff; padding: 8px 10px; font-size: .85rem; }
table.matrix thead th { background: var(--accent-soft); }
table.matrix td.dark { color: #fff; }
table.matrix td.empty { opacity: .55; }
table.matrix tbody th { background: var(--accent-soft); text-align: left; }
.grp { display: block; font-weight: 700; }
table.legend-table th, table.legend-table td { padding: 3px 10px;
  border-bottom: 1px solid var(--line); text-align: left; }
.legend-table .sym { font-size: 1.1rem; text-align: center; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .8rem;
  font-weight: 600; }
.badge.met { background: #dcefdc; color: #1e5a1e; }
.badge.missed { background: #f7dcdc; color: #8a1c1c; }
.badge.open { background: #ececec; color: #555; }
.definition-entry { border-left: 3px solid var(--accent-soft); padding: 4px 12px; margin: 10px 0;
  break-inside: avoid; }
.definition-entry dl { display: grid; grid-template-columns: 150px 1fr; gap: 2px 12px;
  margin: 0; font-size: .86rem; }
.definition-entry dt { color: var(--muted); }
.definition-entry dd { margin: 0; }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); border-top: 1px solid
  var(--line); padding-top: .6rem; }
@media (min-width: 1000px) {
  .figures { grid-template-columns: minmax(0, 1.05fr) minmax(0, 1fr); align-items: start; }
}
@media print {
  nav.toc .toc-page { display: inline; }
  nav.toc > ol { columns: 1; }
  nav.toc .toc-title { border-bottom: 1px dotted #b8c0c8; }
  .tab-panel.screen-only { display: none !important; }
  .figures { grid-template-columns: 1fr !important; }
  .map-wrap { display: grid; grid-template-columns: 62% 1fr; gap: 12px;
    align-items: start; }
  .map-wrap svg.map { width: 100%; max-height: 112mm; }
  ol.map-key { columns: 2; }
  svg.chart { max-height: 62mm; }
  .profile { break-before: page; border: 0; margin: 0; }
  .profile-level { break-before: page; }
  .profile-level + .profile-index-list + .profile { break-before: avoid; }
  .profile-top { margin-bottom: .3rem; }
  .summary h3 { margin-top: 1rem; }
  .sheet { break-inside: avoid; }
  html { font-size: 10pt; }
  body { background: #fff; }
  .page { box-shadow: none; padding: 0; max-width: none; }
  .title-page { min-height: 240mm; break-after: page; border: 0; }
  nav.toc { break-after: page; border: 0; }
  .chapter { break-before: page; }
  .indicator, figure, .card, table.matrix { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .tab-labels { display: none; }
  .tab-panel { display: block !important; margin-bottom: 8px; }
  .panel-title { display: block; }
  .table-scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .figures { grid-template-columns: 1fr 1fr; }
}
"""


def tab_css(max_tabs: int) -> str:
    """Rules that show the checked panel and highlight its label (nth-of-type per index)."""
    rules = []
    for i in range(1, max_tabs + 1):
        rules.append(
            f".tab-input:nth-of-type({i}):checked ~ .tab-panel:nth-of-type({i})"
            " { display: block; }"
        )
        rules.append(
            f".tab-input:nth-of-type({i}):checked ~ .tab-labels label:nth-of-type({i})"
            " { background: var(--accent); color: #fff; border-color: var(--accent); }"
        )
        rules.append(
            f".tab-input:nth-of-type({i}):focus-visible ~ .tab-labels label:nth-of-type({i})"
            " { outline: 2px solid #e0a800; }"
        )
    return "\n".join(rules)


def page_css(running_title: str) -> str:
    """A4 pages with the report's title and 'Seite n von m' in the margin boxes; none on the
    title page."""
    title = running_title.replace("\\", "").replace('"', "'")
    return (
        "@page { size: A4; margin: 16mm 14mm 18mm; "
        f'@bottom-left {{ content: "{title}"; font-size: 8pt; color: #5b6775; }} '
        '@bottom-right { content: "Seite " counter(page) " von " counter(pages); '
        "font-size: 8pt; color: #5b6775; } }\n"
        "@page :first { @bottom-left { content: none; } @bottom-right { content: none; } }\n"
    )


def stylesheet(max_tabs: int, running_title: str = "Sozialbericht") -> str:
    return BASE_CSS + page_css(running_title) + tab_css(max_tabs)
