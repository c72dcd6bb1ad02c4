"""Shared state of one report build: data, names, levels, catalogue lookups, HTML helpers."""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .formatting import (
    SYMBOL_LEGEND,
    bounds_text,
    decimals_for_unit,
    esc,
    fmt_date,
    fmt_number,
)
from .maps import MapBase, build_map_base
from .reader import PublishData, Row

# Display names and order of the catalogue's domains; unknown domains keep their own name
# and follow in catalogue order, so a city may add domains without touching this code.
DOMAIN_TITLES = {
    "demografie": "Demografie",
    "demographie": "Demografie",
    "sgb2": "SGB II – Grundsicherung für Arbeitsuchende",
    "sgbii": "SGB II – Grundsicherung für Arbeitsuchende",
    "sgb12": "SGB XII – Sozialhilfe",
    "sgbxii": "SGB XII – Sozialhilfe",
    "transfer": "Transferbezug",
    "transferbezug": "Transferbezug",
    "sgb8": "SGB VIII – Kinder- und Jugendhilfe",
    "sgbviii": "SGB VIII – Kinder- und Jugendhilfe",
    "controlling": "Kosten je Fall",
}
DOMAIN_ORDER = ["demografie", "sgb2", "sgb12", "transfer", "sgb8"]
OTHER_DOMAIN = "Weitere Indikatoren"

LEVEL_TITLES_FALLBACK = {"stadt": "Gesamtstadt"}


def domain_key(bereich: object) -> str:
    text = re.sub(r"[^a-z0-9]", "", str(bereich or "").lower().replace("ä", "a"))
    return {
        "demographie": "demografie",
        "sgbii": "sgb2",
        "sgbxii": "sgb12",
        "sgbviii": "sgb8",
        "transferbezug": "transfer",
    }.get(text, text)


def level_title(level: str) -> str:
    """'statistischer_bezirk' -> 'Statistischer Bezirk' (level names come from the data)."""
    if level in LEVEL_TITLES_FALLBACK:
        return LEVEL_TITLES_FALLBACK[level]
    words = level.replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


@dataclass
class Indicator:
    indikator_id: str
    label: str
    einheit: str
    decimals: int
    domain: str  # display title
    polaritaet: object = None
    periode: object = None  # its latest period <= reference date
    rows: list[Row] = field(default_factory=list)  # current rows, all levels


@dataclass
class Context:
    data: PublishData
    map_base: MapBase | None
    _ids: itertools.count = field(default_factory=itertools.count)
    _anchors: set[str] = field(default_factory=set)
    # indicator id -> anchor of the table that shows it (set by the domain chapters, read by
    # the key statements and the area profiles that link their numbers to it)
    table_anchors: dict[str, str] = field(default_factory=dict)
    _current: dict[tuple[str, str], Row] = field(default_factory=dict)
    _previous: dict[tuple[str, str], Row] = field(default_factory=dict)
    _series: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    _indicators: list[Indicator] | None = None

    @classmethod
    def create(cls, data: PublishData) -> Context:
        ctx = cls(data=data, map_base=build_map_base(data.areas, data.levels))
        for row in data.current:
            ctx._current[(str(row["indikator_id"]), str(row["gebiet_id"]))] = row
        for row in data.previous:
            ctx._previous[(str(row["indikator_id"]), str(row["gebiet_id"]))] = row
        for row in data.series:
            key = (str(row["indikator_id"]), str(row["gebiet_id"]))
            ctx._series.setdefault(key, []).append(row)
        return ctx

    def current(self, indikator_id: str, gebiet_id: object) -> Row | None:
        return self._current.get((indikator_id, str(gebiet_id)))

    def previous(self, indikator_id: str, gebiet_id: object) -> Row | None:
        """The published row one year before the indicator's current period."""
        return self._previous.get((indikator_id, str(gebiet_id)))

    def series(self, indikator_id: str, gebiet_id: object) -> list[Row]:
        return self._series.get((indikator_id, str(gebiet_id)), [])

    def series_areas(self, indikator_id: str) -> list[str]:
        return sorted(g for i, g in self._series if i == indikator_id)

    def children(self, gebiet_id: str) -> list[str]:
        return sorted(a.gebiet_id for a in self.data.areas.values() if a.parent_id == gebiet_id)

    def areas_of(self, level: str) -> list[str]:
        """Area keys of a level: those with published values, else those in the dimension."""
        ids = {str(r["gebiet_id"]) for r in self.data.current if r["ebene"] == level}
        if not ids:
            ids = {a.gebiet_id for a in self.data.areas.values() if a.ebene == level}
        return sorted(ids)

    # --- areas -------------------------------------------------------------------------
    def name(self, gebiet_id: object) -> str:
        area = self.data.areas.get(str(gebiet_id))
        return area.name if area else str(gebiet_id)

    @property
    def city_level(self) -> str | None:
        """The coarsest level if it holds a single area (the whole city)."""
        if not self.data.levels:
            return None
        top = self.data.levels[0]
        ids = {r["gebiet_id"] for r in self.data.current if r["ebene"] == top}
        if not ids:
            ids = {a.gebiet_id for a in self.data.areas.values() if a.ebene == top}
        return top if len(ids) == 1 else None

    @property
    def city_id(self) -> str | None:
        level = self.city_level
        if level is None:
            return None
        for row in self.data.current:
            if row["ebene"] == level:
                return str(row["gebiet_id"])
        roots = [a for a in self.data.areas.values() if a.ebene == level]
        return roots[0].gebiet_id if roots else None

    @property
    def city_name(self) -> str:
        if self.city_id:
            return self.name(self.city_id)
        roots = sorted(
            (a for a in self.data.areas.values() if a.parent_id is None),
            key=lambda a: (a.rank, a.gebiet_id),
        )
        return roots[0].name if roots else "Stadt"

    @property
    def area_levels(self) -> list[str]:
        """Levels below the city, coarse -> fine."""
        return [lv for lv in self.data.levels if lv != self.city_level]

    @property
    def profile_levels(self) -> list[str]:
        """Levels with an area profile each: every level between the city and the finest."""
        return self.area_levels[:-1]

    @functools.cached_property
    def profile_ids(self) -> set[str]:
        return {gid for level in self.profile_levels for gid in self.areas_of(level)}

    # --- indicators ----------------------------------------------------------------------
    def indicators(self) -> list[Indicator]:
        """Indicators with current rows, in catalogue order, then the unknown ones."""
        if self._indicators is None:
            self._indicators = self._build_indicators()
        return self._indicators

    def indicator(self, indikator_id: str) -> Indicator | None:
        return next((i for i in self.indicators() if i.indikator_id == indikator_id), None)

    def _build_indicators(self) -> list[Indicator]:
        by_id: dict[str, list[Row]] = defaultdict(list)
        for row in self.data.current:
            by_id[str(row["indikator_id"])].append(row)
        order = [i for i in self.data.catalogue if i in by_id]
        order += sorted(i for i in by_id if i not in self.data.catalogue)
        result = []
        for ind_id in order:
            entry = self.data.catalogue.get(ind_id, {})
            rows = by_id[ind_id]
            einheit = str(entry.get("einheit") or rows[0].get("einheit") or "")
            bereich = entry.get("bereich")
            result.append(
                Indicator(
                    indikator_id=ind_id,
                    label=str(entry.get("bezeichnung") or ind_id),
                    einheit=einheit,
                    decimals=decimals_for_unit(einheit),
                    domain=self.domain_title(bereich) if bereich else OTHER_DOMAIN,
                    polaritaet=entry.get("polaritaet"),
                    periode=rows[0]["periode"],
                    rows=rows,
                )
            )
        return result

    def domain_title(self, bereich: object) -> str:
        return DOMAIN_TITLES.get(domain_key(bereich), str(bereich))

    def domains(self) -> list[tuple[str, list[Indicator]]]:
        groups: dict[str, list[Indicator]] = defaultdict(list)
        for ind in self.indicators():
            groups[ind.domain].append(ind)
        known = [DOMAIN_TITLES[k] for k in DOMAIN_ORDER]
        ordered = [d for d in known if d in groups]
        ordered += [d for d in groups if d not in known and d != OTHER_DOMAIN]
        ordered += [OTHER_DOMAIN] if OTHER_DOMAIN in groups else []
        return [(d, groups[d]) for d in ordered]

    def label(self, indikator_id: str) -> str:
        entry = self.data.catalogue.get(indikator_id)
        return str(entry.get("bezeichnung") or indikator_id) if entry else indikator_id

    # --- HTML helpers -------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def unique_anchor(self, wanted: str) -> str:
        """Readable anchors ('bereich-sgb-ii'), numbered only on a clash."""
        anchor, n = wanted, 1
        while anchor in self._anchors:
            n += 1
            anchor = f"{wanted}-{n}"
        self._anchors.add(anchor)
        return anchor

    def tabs(self, items: list[tuple[str, str]], default: int = 0, print_all: bool = True) -> str:
        """CSS-only tabs (radio buttons): works without JavaScript. Print shows every panel,
        or with print_all=False only the default one (maps: one level per indicator on paper,
        the area profiles carry the rest)."""
        if not items:
            return ""
        if len(items) == 1:
            return items[0][1]
        group = self.new_id("tab")
        inputs, labels, panels = [], [], []
        for i, (title, body) in enumerate(items):
            checked = " checked" if i == default else ""
            inputs.append(
                f'<input type="radio" class="tab-input" name="{group}" id="{group}-{i}"{checked}>'
            )
            labels.append(f'<label for="{group}-{i}">{esc(title)}</label>')
            css = "tab-panel" if print_all or i == default else "tab-panel screen-only"
            panels.append(f'<div class="{css}"><p class="panel-title">{esc(title)}</p>{body}</div>')
        return (
            f'<div class="tabs">{"".join(inputs)}<p class="tab-labels">{"".join(labels)}</p>'
            f"{''.join(panels)}</div>"
        )


def slug(text: str) -> str:
    """'SGB II – Grundsicherung' -> 'sgb-ii-grundsicherung' (ASCII, for anchors)."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    words = re.findall(r"[a-z0-9]+", text.lower().translate(table))
    return "-".join(words[:4]) or "abschnitt"


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def cell_parts(row: Row, decimals: int) -> tuple[str, str]:
    """(inner HTML, tooltip) of a published value: the symbol exactly as published, else the
    number, plus marks for recast and uncertain values."""
    symbol, wert = row.get("symbol"), row.get("wert")
    tips = []
    if row.get("zaehler") is not None:
        tips.append(f"Zähler: {fmt_number(row['zaehler'], 2).rstrip('0').rstrip(',')}")
    if row.get("nenner") is not None:
        tips.append(f"Nenner: {fmt_number(row['nenner'], 2).rstrip('0').rstrip(',')}")
    if row.get("nenner_stichtag") is not None:
        tips.append(f"Bezugsstichtag: {fmt_date(row['nenner_stichtag'])}")
    marks = ""
    if row.get("unsicher"):
        low, high = row.get("untergrenze"), row.get("obergrenze")
        # two more decimals than the cell: a pinned value's bounds stay distinguishable
        bounds = ""
        if low is not None and high is not None:
            d = decimals + 2
            bounds = f" (zwischen {fmt_number(low, d)} und {fmt_number(high, d)})"
        tips.append("unsicher" + bounds)
        marks += '<sup class="mark">u</sup>'
    if row.get("umgerechnet"):
        tips.append("auf den aktuellen Gebietsstand umgerechnet")
        marks += '<sup class="mark">r</sup>'
    interval = bounds_text(row, decimals)
    if interval is not None:
        text = interval  # the bounds are published: show them rather than a bare '/'
    else:
        text = symbol if symbol else ("" if wert is None else fmt_number(wert, decimals))
    return esc(text) + marks, "; ".join(tips)


def cell_html(row: Row, decimals: int) -> str:
    """A table cell as published; numerator and denominator in the tooltip."""
    inner, tip = cell_parts(row, decimals)
    css = "num sym" if row.get("symbol") else "num"
    title = f' title="{esc(tip)}"' if tip else ""
    return f'<td class="{css}"{title}>{inner}</td>'


def symbol_footnote(rows: list[Row]) -> str:
    """Legend line under a table: only the symbols and marks that occur in it."""
    used = []
    symbols = {r.get("symbol") for r in rows}
    for symbol, text in SYMBOL_LEGEND.items():
        if symbol in symbols:
            used.append(f"<b>{esc(symbol)}</b> {esc(text)}")
    if any(r.get("unsicher") for r in rows):
        used.append("<b>u</b> unsicher (aus geheimgehaltenen Teilwerten geschätzt)")
    if any(r.get("umgerechnet") for r in rows):
        used.append("<b>r</b> auf den aktuellen Gebietsstand umgerechnet")
    if not used:
        return ""
    return (
        '<p class="table-note">Zeichen: '
        + "; ".join(used)
        + ' (<a href="#zeichen">Zeichenerklärung</a>)</p>'
    )
