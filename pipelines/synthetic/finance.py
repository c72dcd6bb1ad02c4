"""Doppic finance results, product mapping and council targets, coherent with the cases.

Plans are round numbers set before the year; actual results follow the case counts
(KdU about 500-700 EUR per Bedarfsgemeinschaft and month, GruSi net of income, HzE the
cash the Jugendamt paid), with a small gap because the budget books accruals.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .formats import money_text
from .rng import rng_for

# product, label, bereich (None: not listed in produkte.csv, counts as sonstiges)
PRODUCTS: tuple[tuple[str, str, str | None], ...] = (
    ("31.2.01", "Leistungen für Unterkunft und Heizung (SGB II)", "sgb2_kdu"),
    ("31.1.01", "Hilfe zum Lebensunterhalt", "sgb12_hlu"),
    ("31.1.02", "Grundsicherung im Alter und bei Erwerbsminderung", "sgb12_grusi"),
    ("31.1.03", "Hilfe zur Pflege", "sgb12_hzp"),
    ("36.3.01", "Hilfen zur Erziehung", "sgb8_hze"),
    ("36.3.02", "Inobhutnahmen", "sgb8_inobhut"),
    ("31.5.01", "Beratung und Betreuung in besonderen Lebenslagen", "sonstiges"),
    ("11.1.01", "Verwaltungssteuerung", None),
)
ACCOUNTS = {
    "501100": "Dienstaufwendungen",
    "531800": "Zuschüsse an übrige Bereiche",
    "533200": "Leistungen an natürliche Personen",
    "533300": "Leistungen an Einrichtungen",
    "533900": "Sonstige soziale Leistungen",
    "414100": "Zuweisungen vom Bund",
    "414300": "Zuweisungen vom Land",
    "448100": "Erträge aus Kostenerstattungen",
    "448200": "Kostenbeiträge und Aufwendungsersatz",
}
COLUMNS = (
    "haushaltsjahr",
    "produkt",
    "produkt_bezeichnung",
    "konto",
    "konto_bezeichnung",
    "ansatz",
    "ansatz_fortgeschrieben",
    "ist",
)


def kdu_per_bg_month(year: int) -> float:
    """Average KdU per Bedarfsgemeinschaft and month in EUR (rising rents)."""
    return 520.0 * 1.03 ** (year - 2015)


def bund_share_kdu(year: int) -> float:
    """Federal share of the KdU (Bundesbeteiligung), rising since 2015."""
    return float(np.interp(year, [2015, 2018, 2020, 2021, 2024], [0.31, 0.42, 0.62, 0.64, 0.65]))


def finance_rows(
    year: int, drivers: dict[str, float], population: int, seed: int, plan_only: bool = False
) -> list[dict]:
    """Rows of one budget year; `drivers` holds the case-based expected amounts in EUR.

    `plan_only`: the budget of the current year, planned but not yet closed: `ist` empty.
    """
    rng = rng_for(seed, "finanzen", str(year))
    expense = {
        ("31.2.01", "533900"): drivers["bg_mean"] * 12 * kdu_per_bg_month(year),
        ("31.1.01", "533200"): drivers["HLU"] * 0.8,
        ("31.1.02", "533200"): drivers["GRUSI"] * 0.78,
        ("31.1.03", "533300"): drivers["HZP"] * 0.9,
        ("36.3.01", "533300"): drivers["hze_einrichtung"],
        ("36.3.01", "533200"): drivers["hze_personen"],
        ("36.3.02", "533300"): drivers["inobhut"],
        ("31.5.01", "531800"): population * 6.0,
        ("11.1.01", "501100"): population * 14.0,
    }
    revenue = {
        ("31.2.01", "414100"): -bund_share_kdu(year) * expense[("31.2.01", "533900")],
        ("31.1.01", "448100"): -0.05 * expense[("31.1.01", "533200")],
        ("31.1.02", "414100"): -1.0 * expense[("31.1.02", "533200")],
        ("31.1.03", "448100"): -0.08 * expense[("31.1.03", "533300")],
        ("36.3.01", "448200"): -0.03
        * (expense[("36.3.01", "533300")] + expense[("36.3.01", "533200")]),
        ("36.3.02", "414300"): -0.3 * expense[("36.3.02", "533300")],
    }
    labels = {p: lbl for p, lbl, _ in PRODUCTS}
    rows = []
    for (prod, konto), amount in [*expense.items(), *revenue.items()]:
        ist = amount * (1 + rng.normal(0, 0.015))
        ansatz = round(amount * (1 + rng.normal(0, 0.04)), -3)
        fort = round(ansatz * (1 + rng.uniform(0.01, 0.06)), -3) if rng.random() < 0.35 else None
        rows.append(
            {
                "haushaltsjahr": str(year),
                "produkt": prod,
                "produkt_bezeichnung": labels[prod],
                "konto": konto,
                "konto_bezeichnung": ACCOUNTS[konto],
                "ansatz": money_text(round(ansatz * 100)),
                "ansatz_fortgeschrieben": None if fort is None else money_text(round(fort * 100)),
                "ist": None if plan_only else money_text(round(ist * 100)),
            }
        )
    rows.sort(key=lambda r: (r["produkt"], r["konto"]))
    return rows


def plan_drivers(drivers: dict[str, float], year: int) -> dict[str, float]:
    """Expected amounts of the plan year from the last closed year: KdU follows the rents
    (kdu_per_bg_month), everything else grows by 3 %."""
    out = {k: v * 1.03 for k, v in drivers.items()}
    out["bg_mean"] = drivers["bg_mean"]  # the rent increase is in kdu_per_bg_month(year)
    return out


def produkte_frame() -> pl.DataFrame:
    return pl.DataFrame(
        [{"produkt": p, "bereich": b} for p, _, b in PRODUCTS if b is not None],
        schema={"produkt": pl.String, "bereich": pl.String},
    )
