"""Kernaussagen: rule-based German statements from the published figures, the report's first
chapter (two printed pages).

Every statement is derived by a fixed rule from the publish zone, never written by hand:
the city's headline figures against the year before and against its targets, the areas with the
highest values and the largest changes, goals met and missed, social-index areas that changed
their class. Each number links to the table it comes from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .context import Context, Indicator, level_title
from .formatting import esc, fmt_date, fmt_number, fmt_signed, row_value, unit_label
from .reader import Row
from .sections import KEY_FIGURES, Chapter, is_count, print_level

# Indicators whose extremes and changes the statements name (when published); a catalogue
# without them falls back to the first indicators with a polarity.
FOCUS = ["sgb2_quote", "sgb2_kinderarmut", "transferbezug", "grusi_alter_quote", "hze_quote"]
MAX_FOCUS = 4
TOP_N = 3


@dataclass
class Statement:
    topic: str
    html: str


def link(anchor: str | None, text: str) -> str:
    """A number that leads to its table."""
    return f'<a class="ref" href="#{esc(anchor)}">{text}</a>' if anchor else text


def _value(row: Row | None) -> float | None:
    return None if row is None else row_value(row)


def with_unit(ind: Indicator, value: float) -> str:
    unit = unit_label(ind.einheit)
    return f"{fmt_number(value, ind.decimals)}{' ' + unit if unit else ''}"


def change_phrase(ind: Indicator, now: float, before: float) -> str:
    """'+0,4 Prozentpunkte' for shares, '+1,2 %' for counts, the unit else."""
    unit = ind.einheit.strip()
    if unit == "%":
        return f"{fmt_signed(now - before, 1)} Prozentpunkte"
    if is_count(unit) and before:
        return f"{fmt_signed((now - before) / before * 100, 1)} %"
    return f"{fmt_signed(now - before, ind.decimals)}{' ' + unit if unit else ''}"


def _direction(ind: Indicator, now: float, before: float) -> str:
    shown = change_phrase(ind, now, before).lstrip("+-")
    if not any(c in "123456789" for c in shown):  # the change rounds to zero
        return "unverändert"
    up = now > before
    polarity = str(ind.polaritaet or "").lower()
    if polarity in ("negativ", "positiv"):
        good = (not up) if polarity == "negativ" else up
        return ("gestiegen" if up else "gesunken") + (
            " (günstige Entwicklung)" if good else " (ungünstige Entwicklung)"
        )
    return "gestiegen" if up else "gesunken"


def _goal_rows(ctx: Context) -> list[Row]:
    from .chapters import goal_status  # one place decides met / missed / open

    rows = []
    for i, row in enumerate(ctx.data.ziele):
        rows.append({**row, "_status": goal_status(row), "_anchor": f"ziel-{i}"})
    return rows


def _is_city(ctx: Context, gebiet_id: object) -> bool:
    return gebiet_id in (None, "") or str(gebiet_id) == ctx.city_id


def headline_statements(ctx: Context) -> list[str]:
    city = ctx.city_id
    if city is None:
        return []
    goals = [g for g in _goal_rows(ctx) if _is_city(ctx, g.get("gebiet_id"))]
    out = []
    indicators = {i.indikator_id: i for i in ctx.indicators()}
    chosen = [indicators[i] for i in KEY_FIGURES if i in indicators] or list(indicators.values())
    for ind in chosen[:8]:
        row = ctx.current(ind.indikator_id, city)
        now = _value(row)
        if now is None:
            continue
        anchor = ctx.table_anchors.get(ind.indikator_id)
        text = (
            f"<b>{esc(ind.label)}</b>: {link(anchor, with_unit(ind, now))} am "
            f"{fmt_date(ind.periode)}"
        )
        before_row = ctx.previous(ind.indikator_id, city)
        before = _value(before_row)
        if before is not None:
            text += (
                f", ein Jahr zuvor {link(anchor, with_unit(ind, before))} "
                f"({change_phrase(ind, now, before)}; {_direction(ind, now, before)})"
            )
        else:
            text += ", kein Vorjahreswert veröffentlicht"
        for goal in goals:
            # goals of this year and ahead; past years are in the goals table
            if goal.get("indikator_id") != ind.indikator_id or (
                goal.get("jahr") is not None and int(goal["jahr"]) < ind.periode.year
            ):
                continue
            css, verdict = goal["_status"]
            richtung = {"hoechstens": "höchstens", "mindestens": "mindestens"}.get(
                str(goal.get("richtung")), str(goal.get("richtung") or "")
            )
            target = goal.get("zielwert")
            if target is None:
                continue
            text += (
                f". Ziel {esc(goal.get('jahr'))}: {richtung} "
                f"{link(goal['_anchor'], with_unit(ind, float(target)))} – "
                f'<span class="verdict {css}">{verdict}</span>'
            )
        out.append(text + ".")
    return out


def _focus(ctx: Context) -> list[Indicator]:
    indicators = {i.indikator_id: i for i in ctx.indicators()}
    chosen = [
        indicators[i] for i in FOCUS if i in indicators and not is_count(indicators[i].einheit)
    ]
    if not chosen:
        chosen = [
            i
            for i in indicators.values()
            if str(i.polaritaet or "").lower() in ("negativ", "positiv") and not is_count(i.einheit)
        ]
    return chosen[:MAX_FOCUS]


def statement_level(ctx: Context) -> str | None:
    """The level the area statements speak of: the finest one a reader can still picture
    (the printed maps' level), else the first level below the city."""
    levels = ctx.area_levels
    if not levels:
        return None
    if ctx.map_base is not None and ctx.map_base.levels:
        level = print_level(ctx.map_base)
        if level in levels:
            return level
    return levels[0]


def _area_link(ctx: Context, gebiet_id: str) -> str:
    """An area's name, linked to its profile when it has one."""
    name = esc(ctx.name(gebiet_id))
    return link(f"steckbrief-{gebiet_id}", name) if gebiet_id in ctx.profile_ids else name


def extremes_statements(ctx: Context, level: str) -> list[str]:
    out = []
    title = level_title(level)
    for ind in _focus(ctx):
        values = [
            (str(r["gebiet_id"]), v)
            for r in ind.rows
            if r["ebene"] == level and (v := _value(r)) is not None
        ]
        if len(values) < 3:
            continue
        values.sort(key=lambda gv: (-gv[1], gv[0]))
        anchor = ctx.table_anchors.get(ind.indikator_id)
        top = ", ".join(
            f"{_area_link(ctx, g)} ({link(anchor, with_unit(ind, v))})" for g, v in values[:TOP_N]
        )
        low_g, low_v = values[-1]
        city = _value(ctx.current(ind.indikator_id, ctx.city_id)) if ctx.city_id else None
        city_text = (
            f"; Gesamtstadt {link(anchor, with_unit(ind, city))}" if city is not None else ""
        )
        out.append(
            f"<b>{esc(ind.label)}</b> – höchste Werte unter {len(values)} Gebieten der Ebene "
            f"{esc(title)}: {top}; niedrigster Wert {_area_link(ctx, low_g)} "
            f"({link(anchor, with_unit(ind, low_v))}){city_text}."
        )
    return out


def change_statements(ctx: Context, level: str) -> list[str]:
    out = []
    for ind in _focus(ctx):
        changes = []
        for row in ind.rows:
            if row["ebene"] != level:
                continue
            gid = str(row["gebiet_id"])
            now, before = _value(row), _value(ctx.previous(ind.indikator_id, gid))
            if now is not None and before is not None:
                changes.append((now - before, gid, now, before))
        if len(changes) < 3:
            continue
        changes.sort()
        anchor = ctx.table_anchors.get(ind.indikator_id)
        rise, fall = changes[-1], changes[0]
        parts = []
        if rise[0] > 0:
            parts.append(
                f"am stärksten gestiegen in {_area_link(ctx, rise[1])} "
                f"({link(anchor, change_phrase(ind, rise[2], rise[3]))} auf "
                f"{link(anchor, with_unit(ind, rise[2]))})"
            )
        if fall[0] < 0:
            parts.append(
                f"am stärksten gesunken in {_area_link(ctx, fall[1])} "
                f"({link(anchor, change_phrase(ind, fall[2], fall[3]))} auf "
                f"{link(anchor, with_unit(ind, fall[2]))})"
            )
        if not parts:
            parts.append("in keinem Gebiet verändert")
        out.append(f"<b>{esc(ind.label)}</b> gegenüber dem Vorjahr: {' und '.join(parts)}.")
    return out


def goal_statements(ctx: Context) -> list[str]:
    goals = _goal_rows(ctx)
    if not goals:
        return []
    years = sorted({g.get("jahr") for g in goals if g.get("jahr") is not None})
    latest = years[-1] if years else None
    current = [g for g in goals if g.get("jahr") == latest] if latest else goals
    status = Counter(g["_status"][0] for g in current)
    out = [
        f"Von {len(current)} Zielen für {esc(latest)} sind "
        f"{link('ziele', str(status['met']))} erreicht und "
        f"{link('ziele', str(status['missed']))} nicht erreicht"
        + (
            f"; {status['open']} {'ist' if status['open'] == 1 else 'sind'} nicht bewertbar"
            if status["open"]
            else ""
        )
        + "."
    ]
    for wanted, verb in (("missed", "Nicht erreicht"), ("met", "Erreicht")):
        items = []
        for g in current:
            if g["_status"][0] != wanted:
                continue
            ind = ctx.indicator(str(g.get("indikator_id")))
            label = ind.label if ind else ctx.label(str(g.get("indikator_id")))
            area = (
                "Gesamtstadt" if _is_city(ctx, g.get("gebiet_id")) else ctx.name(g.get("gebiet_id"))
            )
            ist, ziel = g.get("istwert"), g.get("zielwert")
            numbers = ""
            if ind is not None and ist is not None and ziel is not None:
                numbers = (
                    f" (Ist {link(g['_anchor'], with_unit(ind, float(ist)))}, Ziel "
                    f"{link(g['_anchor'], with_unit(ind, float(ziel)))})"
                )
            items.append(f"{esc(label)}, {esc(area)}{numbers}")
        if items:
            out.append(f"{verb}: " + "; ".join(items) + ".")
    return out


def _classes(rows: list[Row]) -> dict[str, str]:
    return {
        str(r["gebiet_id"]): str(r.get("status_klasse")).replace("_", " ")
        for r in rows
        if r.get("status_klasse") and not r.get("ausschluss_grund")
    }


def sozialindex_statements(ctx: Context) -> list[str]:
    rows = ctx.data.sozialindex
    if not rows:
        return []
    now = _classes(rows)
    counts = Counter(now.values())
    order = ["hoch", "mittel", "niedrig", "sehr niedrig"]
    spread = ", ".join(f"{counts[c]} {c}" for c in order if counts[c])
    out = [
        f"Sozialindex am {fmt_date(ctx.data.sozialindex_periode)}: von "
        f"{link('sozialindex', str(len(now)))} indexierten Gebieten haben Status {spread}."
    ]
    before = _classes(ctx.data.sozialindex_before)
    if before:
        moved = [
            (gid, before[gid], cls)
            for gid, cls in sorted(now.items())
            if before.get(gid, cls) != cls
        ]
        when = fmt_date(ctx.data.sozialindex_before_periode)
        if moved:
            rank = {c: i for i, c in enumerate(order)}
            worse = [m for m in moved if rank.get(m[2], 0) > rank.get(m[1], 0)]
            better = [m for m in moved if m not in worse]
            shown = ", ".join(
                f"{esc(ctx.name(g))} ({esc(a)} → {esc(b)})" for g, a, b in (worse + better)[:8]
            )
            more = f" und {len(moved) - 8} weitere" if len(moved) > 8 else ""
            areas = "Gebiet" if len(moved) == 1 else "Gebiete"
            verb = "wechselte" if len(moved) == 1 else "wechselten"
            out.append(
                f"Gegenüber dem {when} {verb} {link('sozialindex', str(len(moved)))} {areas} "
                f"die Statusklasse, {len(worse)} davon in eine niedrigere: {shown}{more}."
            )
        else:
            out.append(f"Gegenüber dem {when} hat kein Gebiet die Statusklasse gewechselt.")
    return out


def summary_chapter(ctx: Context, number: str) -> Chapter:
    anchor, title = "kernaussagen", f"{number} Kernaussagen"
    level = statement_level(ctx)
    blocks = [
        ("Die Stadt im Überblick", headline_statements(ctx)),
        (
            f"Gebiete mit den höchsten Werten ({level_title(level)})" if level else "Gebiete",
            extremes_statements(ctx, level) if level else [],
        ),
        (
            f"Größte Veränderungen gegenüber dem Vorjahr ({level_title(level)})"
            if level
            else "Veränderungen",
            change_statements(ctx, level) if level else [],
        ),
        ("Ziele", goal_statements(ctx)),
        ("Sozialindex", sozialindex_statements(ctx)),
    ]
    parts = [
        f'<section class="chapter summary" id="{anchor}"><h2>{esc(title)}</h2>'
        f'<p class="lead">{esc(ctx.city_name)} zum Stichtag {fmt_date(ctx.data.periode)}: die '
        "wichtigsten Befunde, nach festen Regeln aus den veröffentlichten Tabellen abgeleitet. "
        "Jede Zahl führt zu ihrer Tabelle.</p>"
    ]
    any_block = False
    for heading, items in blocks:
        if not items:
            continue
        any_block = True
        lis = "".join(f"<li>{item}</li>" for item in items)
        parts.append(f"<h3>{esc(heading)}</h3><ul class='statements'>{lis}</ul>")
    if not any_block:
        parts.append(
            '<p class="note">Zum Stichtag liegen keine veröffentlichten Werte vor, aus denen '
            "sich Kernaussagen ableiten ließen.</p>"
        )
    parts.append("</section>")
    return Chapter(anchor, title, "".join(parts))
