"""German number/date formatting and the display of published symbols (pure functions)."""

from __future__ import annotations

import html
import math
from datetime import date

from pipelines.parsing.german import MONTH_NAMES

# The symbols the publish zone may carry instead of a number, with the legend text the report
# prints. Order = order in the legend.
SYMBOL_LEGEND: dict[str, str] = {
    "-": "nichts vorhanden (genau null)",
    "*": "geheimgehalten: Fallzahl unter der Mindestfallzahl oder daraus rückrechenbar",
    ".": "nicht veröffentlicht: Gebiet mit zu wenigen Einwohnerinnen und Einwohnern",
    "x": "nicht berechenbar: Bezugsgröße ist null oder fehlt",
    "/": "nur innerhalb von Grenzen bekannt: angegeben ist das Intervall (z. B. 20,4–20,6)",
}


def esc(text: object) -> str:
    """HTML-escape any value; None becomes an empty string."""
    return "" if text is None else html.escape(str(text), quote=True)


def decimals_for_unit(einheit: str | None) -> int:
    """Counts are shown without decimals, rates and money per case with one (EUR: none)."""
    unit = (einheit or "").strip().lower()
    if unit in ("anzahl", "personen", "fälle", "faelle"):
        return 0
    if unit in ("eur", "€"):
        return 0
    return 1


def fmt_number(value: float | int | None, decimals: int = 1) -> str:
    """German format: thousands separator '.', decimal comma ('1.204', '12,3', '-0,5')."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # avoid '-0,0'
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def fmt_signed(value: float | None, decimals: int = 1) -> str:
    """A change with an explicit sign ('+1,2', '-0,4'). ASCII minus, like fmt_number, so that
    values copied into a spreadsheet stay numbers."""
    if value is None:
        return ""
    text = fmt_number(value, decimals)
    if text in ("", fmt_number(0, decimals)):
        return text
    return ("+" + text) if value > 0 else text


def fmt_date(value: date | None) -> str:
    """'31.12.2024'."""
    return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year}"


def fmt_date_long(value: date) -> str:
    """'31. Dezember 2024' for the title page."""
    return f"{value.day}. {MONTH_NAMES[value.month - 1]} {value.year}"


def unit_label(einheit: str | None) -> str:
    """Column-header unit; 'Anzahl' is implied by the label and left out."""
    unit = (einheit or "").strip()
    return "" if unit.lower() == "anzahl" else unit


def display_cell(
    wert: float | None,
    symbol: str | None,
    einheit: str | None = None,
    *,
    decimals: int | None = None,
) -> str:
    """The text of a published cell: the symbol exactly as published, else the number."""
    if symbol:
        return symbol
    if wert is None:
        return ""
    return fmt_number(wert, decimals_for_unit(einheit) if decimals is None else decimals)


def plot_value(
    wert: float | None,
    symbol: str | None,
    lower: float | None = None,
    upper: float | None = None,
) -> float | None:
    """The value a chart or map may use: '-' means zero, other symbols mean no value, except
    '/' whose published bounds agree at one decimal (a sum over source-suppressed cells known to
    within 0,05): their midpoint."""
    if symbol == "-":
        return 0.0 if wert is None else wert
    if symbol == "/" and lower is not None and upper is not None:
        return (lower + upper) / 2 if round(lower, 1) == round(upper, 1) else None
    if symbol:
        return None
    return wert


def row_value(row: dict | None) -> float | None:
    """plot_value of a published indicator row."""
    if row is None:
        return None
    return plot_value(
        row.get("wert"), row.get("symbol"), row.get("untergrenze"), row.get("obergrenze")
    )


def bounds_text(row: dict, decimals: int) -> str | None:
    """'20,5' or '20,4–20,6' for a '/' value with published bounds, else None."""
    low, high = row.get("untergrenze"), row.get("obergrenze")
    if row.get("symbol") != "/" or low is None or high is None:
        return None
    a, b = fmt_number(low, decimals), fmt_number(high, decimals)
    return a if a == b else f"{a}\u2013{b}"
