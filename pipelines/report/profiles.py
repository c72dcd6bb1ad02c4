"""Gebietssteckbriefe: one printed page per area at every level between the city and the finest.

Modelled on Hamburg's Stadtteil-Profile: where the area lies (a locator map), all indicators
against the parent area and the city, the change against the year before and the trend.
"""

from __future__ import annotations

from collections import Counter

from .charts import sparkline
from .context import Context, Indicator, cell_html, level_title, note
from .formatting import esc, fmt_date, fmt_number, row_value, unit_label
from .maps import locator_map
from .sections import Chapter
from .summary import change_phrase

STATUS_ORDER = ["hoch", "mittel", "niedrig", "sehr niedrig"]


def profile_anchor(gebiet_id: str) -> str:
    return f"steckbrief-{gebiet_id}"


def _value(row: dict | None) -> float | None:
    return None if row is None else row_value(row)


def _cell(ctx: Context, ind: Indicator, gebiet_id: str | None) -> str:
    row = ctx.current(ind.indikator_id, gebiet_id) if gebiet_id else None
    return cell_html(row, ind.decimals) if row else '<td class="num"></td>'


def _descendants(ctx: Context, gebiet_id: str) -> list[str]:
    found, todo = [], [gebiet_id]
    while todo:
        children = ctx.children(todo.pop())
        found += children
        todo += children
    return found


def _index_summary(ctx: Context, gebiet_id: str) -> str:
    """How the finest areas inside fall into the social-index status classes."""
    inside = set(_descendants(ctx, gebiet_id))
    rows = [r for r in ctx.data.sozialindex if str(r["gebiet_id"]) in inside]
    if not rows:
        return ""
    classes = Counter(
        str(r.get("status_klasse")).replace("_", " ")
        for r in rows
        if r.get("status_klasse") and not r.get("ausschluss_grund")
    )
    excluded = sum(1 for r in rows if r.get("ausschluss_grund") or not r.get("status_klasse"))
    items = "".join(
        f"<li>Status {esc(c)}: {classes[c]}</li>" for c in STATUS_ORDER if classes.get(c)
    )
    if excluded:
        items += f"<li>nicht indexiert: {excluded}</li>"
    return (
        f'<div class="profile-index"><p class="legend-title">Sozialindex '
        f"{fmt_date(ctx.data.sozialindex_periode)}: {len(rows)} Teilgebiete</p>"
        f'<ul>{items}</ul><p class="table-note"><a href="#sozialindex">Sozialindex</a></p></div>'
    )


def area_profile(ctx: Context, gebiet_id: str) -> str:
    area = ctx.data.areas.get(gebiet_id)
    level = area.ebene if area else ""
    parent_id = area.parent_id if area else None
    city = ctx.city_id
    show_parent = parent_id is not None and parent_id != city
    name = ctx.name(gebiet_id)
    ew_row = ctx.current("ew", gebiet_id)
    facts = [f"{esc(level_title(level))}", f"Schlüssel {esc(gebiet_id)}"]
    if parent_id:
        parent_area = ctx.data.areas.get(parent_id)
        parent_level = level_title(parent_area.ebene) if parent_area else ""
        facts.append(f"{esc(parent_level)} {esc(ctx.name(parent_id))}".strip())
    if ew_row and _value(ew_row) is not None:
        facts.append(
            f"{fmt_number(_value(ew_row), 0)} Einwohnerinnen und Einwohner "
            f"({fmt_date(ew_row['periode'])})"
        )
    children = ctx.children(gebiet_id)
    child_text = ""
    if children:
        child_area = ctx.data.areas.get(children[0])
        child_level = level_title(child_area.ebene) if child_area else "Teilgebiete"
        child_text = (
            f'<p class="profile-children"><b>{esc(child_level)}:</b> '
            + ", ".join(esc(ctx.name(c)) for c in children)
            + "</p>"
        )
    locator = ""
    base = ctx.map_base
    if base is not None and level in base.levels:
        locator = (
            '<figure class="locator-figure">'
            + locator_map(base, level, gebiet_id, parent_id, f"Lage von {name}")
            + f"<figcaption>Lage von {esc(name)} in der Stadt</figcaption></figure>"
        )
    head_cells = [f"{esc(name)}", "Vorjahr", "Veränderung"]
    if show_parent:
        head_cells.append(esc(ctx.name(parent_id)))
    head_cells += [esc(ctx.city_name), "Trend"]
    head = "".join(f'<th scope="col" class="num">{h}</th>' for h in head_cells)
    body = []
    for domain, inds in ctx.domains():
        body.append(
            f'<tr class="group"><th scope="rowgroup" colspan="{len(head_cells) + 1}">'
            f"{esc(domain)}</th></tr>"
        )
        for ind in inds:
            row = ctx.current(ind.indikator_id, gebiet_id)
            before_row = ctx.previous(ind.indikator_id, gebiet_id)
            now, before = _value(row), _value(before_row)
            delta = change_phrase(ind, now, before) if None not in (now, before) else ""
            previous_cell = (
                cell_html(before_row, ind.decimals) if before_row else '<td class="num"></td>'
            )
            points = [(r["periode"], row_value(r)) for r in ctx.series(ind.indikator_id, gebiet_id)]
            spark = sparkline(points, f"Trend {ind.label}, {name}")
            unit = unit_label(ind.einheit)
            cells = [
                _cell(ctx, ind, gebiet_id),
                previous_cell,
                f'<td class="num">{esc(delta)}</td>',
            ]
            if show_parent:
                cells.append(_cell(ctx, ind, parent_id))
            cells += [_cell(ctx, ind, city), f'<td class="spark-cell">{spark}</td>']
            anchor = ctx.table_anchors.get(ind.indikator_id)
            label = f'<a href="#{esc(anchor)}">{esc(ind.label)}</a>' if anchor else esc(ind.label)
            body.append(
                f'<tr><th scope="row">{label}<span class="th-unit">'
                f"{esc(unit or 'Anzahl')}, {fmt_date(ind.periode)}</span></th>"
                f"{''.join(cells)}</tr>"
            )
    table = (
        '<table class="data profile-table"><thead><tr><th scope="col">Indikator</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    return (
        f'<article class="profile" id="{profile_anchor(gebiet_id)}">'
        f'<h3 class="profile-title">{esc(name)}</h3>'
        f'<p class="profile-facts">{" · ".join(facts)}</p>'
        f'<div class="profile-top">{locator}<div class="profile-side">{child_text}'
        f"{_index_summary(ctx, gebiet_id)}</div></div>{table}"
        '<p class="table-note">Vorjahr: derselbe Stichtag ein Jahr zuvor; Veränderung in '
        "Prozentpunkten bei Anteilen, in % bei Anzahlen. Trend: alle veröffentlichten Stichtage "
        "bis zum Berichtsstichtag, Lücken = kein veröffentlichter Wert.</p></article>"
    )


def profiles_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "steckbriefe", f"{number} Gebietssteckbriefe"
    parts = [f'<section class="chapter" id="{anchor}"><h2>{esc(title)}</h2>']
    subs: list[tuple[str, str]] = []
    levels = ctx.profile_levels
    if not levels or not ctx.data.current:
        parts.append(
            note(
                "Steckbriefe gibt es für jede Ebene zwischen Gesamtstadt und feinster Ebene; "
                "diese Stadt hat keine solche Ebene oder keine veröffentlichten Werte."
            )
        )
    else:
        parts.append(
            "<p>Eine Seite je Gebiet jeder Ebene oberhalb der feinsten: alle Indikatoren "
            "im Vergleich mit dem übergeordneten Gebiet und der Gesamtstadt, Veränderung "
            "gegenüber dem Vorjahr und Verlauf. Die feinste Ebene steht in den Tabellen der "
            "Fachkapitel.</p>"
        )
    for k, level in enumerate(levels, start=1):
        sub_anchor = f"{anchor}-{k}"
        sub_title = f"{number}.{k} {level_title(level)}"
        subs.append((sub_anchor, sub_title))
        ids = ctx.areas_of(level)
        parts.append(
            f'<h3 class="profile-level" id="{sub_anchor}">{esc(sub_title)}</h3>'
            f'<p class="profile-index-list">{len(ids)} Gebiete: '
            + ", ".join(f'<a href="#{profile_anchor(g)}">{esc(ctx.name(g))}</a>' for g in ids)
            + "</p>"
        )
        parts += [area_profile(ctx, gid) for gid in ids]
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts), subs)
