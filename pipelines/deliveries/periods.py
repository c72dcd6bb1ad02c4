"""The period a delivery holds, from its file name (docs/sources.md)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pipelines.parsing.german import MONTHS_DE


@dataclass(frozen=True, order=True)
class Period:
    kind: str  # stichtag | monat | jahr | stand
    key: str  # partition key: 2024-12-31 | 2024-12 | 2024 | stand

    @property
    def first_day(self) -> date | None:
        if self.kind == "stichtag":
            return date.fromisoformat(self.key)
        if self.kind == "monat":
            y, m = map(int, self.key.split("-"))
            return date(y, m, 1)
        if self.kind == "jahr":
            return date(int(self.key), 1, 1)
        return None

    @property
    def last_day(self) -> date | None:
        if self.kind == "stichtag":
            return date.fromisoformat(self.key)
        if self.kind == "monat":
            y, m = map(int, self.key.split("-"))
            return date(y, m, calendar.monthrange(y, m)[1])
        if self.kind == "jahr":
            return date(int(self.key), 12, 31)
        return None

    @property
    def value(self):
        """What the raw table's period column holds for this period."""
        if self.kind in ("stichtag", "monat"):
            return self.last_day
        if self.kind == "jahr":
            return int(self.key)
        return None

    def label(self) -> str:
        if self.kind == "stichtag":
            return self.last_day.strftime("%d.%m.%Y")
        if self.kind == "monat":
            y, m = self.key.split("-")
            return f"{m}/{y}"
        return self.key


STAND = Period("stand", "stand")
# how a period is spelled in a file name, as messages show it
PERIOD_FORMS = {"stichtag": "JJJJ-MM-TT", "monat": "JJJJ-MM", "jahr": "JJJJ"}

_PATTERNS = {
    "stichtag": re.compile(r"_(\d{4})-(\d{2})-(\d{2})$"),
    "monat": re.compile(r"_(\d{4})-(\d{2})$"),
    "jahr": re.compile(r"_(\d{4})$"),
}


def period_from_name(stem: str, kind: str) -> Period | None:
    """`einwohner_2024-12-31` -> Period('stichtag', '2024-12-31'); None if it does not fit."""
    m = _PATTERNS[kind].search(stem)
    if not m:
        return None
    try:
        if kind == "stichtag":
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(kind, d.isoformat())
        if kind == "monat":
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                return None
            return Period(kind, f"{y:04d}-{mo:02d}")
        return Period(kind, f"{int(m[1]):04d}")
    except ValueError:  # 2024-02-31
        return None


_KEYS = {
    "stichtag": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "monat": re.compile(r"^\d{4}-\d{2}$"),
    "jahr": re.compile(r"^\d{4}$"),
}


def reference_date(key: str | None) -> date | None:
    """The date a period key stands for (audit.loads.bezugsdatum): the Stichtag, the last
    day of the month or of the year; None for reference data and unparsable keys."""
    for kind, pattern in _KEYS.items():
        if key and pattern.match(key):
            try:
                return Period(kind, key).last_day
            except ValueError:
                return None
    return None


_BERICHTSMONAT = re.compile(r"berichtsmonat\s*:?\s*([a-zäö]+)\s+(\d{4})", re.IGNORECASE)
_BERICHTSMONAT_NUM = re.compile(r"berichtsmonat\s*:?\s*(\d{1,2})[./](\d{4})", re.IGNORECASE)


def month_from_title(lines: list[str]) -> str | None:
    """`Berichtsmonat: Dezember 2024` -> '2024-12' (BA title block)."""
    for line in lines:
        m = _BERICHTSMONAT.search(line)
        if m and m[1].lower() in MONTHS_DE:
            return f"{int(m[2]):04d}-{MONTHS_DE[m[1].lower()]:02d}"
        m = _BERICHTSMONAT_NUM.search(line)
        if m:
            return f"{int(m[2]):04d}-{int(m[1]):02d}"
    return None
