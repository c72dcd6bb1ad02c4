"""sgb12: Sozialamt snapshot, one row per person with a current benefit (personal data)."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import quarantine_rows
from pipelines.deliveries.checks import check_period_column, contract_violations, split_valid
from pipelines.deliveries.persons import (
    BIRTH_COLUMN,
    age_at,
    drop_names,
    locate,
    personal_values,
    scrub_quarantine,
)
from pipelines.parsing.table import ParsedTable

SHOW = [
    "stichtag", "alter", "geschlecht", "staatsangehoerigkeit", "leistungsart", "einrichtung",
    "bruttobedarf_monat",
]  # fmt: skip
PERSONAL = {"nachname", "vorname", BIRTH_COLUMN, "aktenzeichen", "person_nr"}


class Sgb12(DeliveryKind):
    name = "sgb12"
    pseudonyms = {
        "aktenzeichen": ("sgb12/fall", "fall_pseudonym"),
        "person_nr": ("sgb12/person", "person_pseudonym"),
    }

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        stichtag = file.period.last_day
        typed = typed.with_columns(
            age_at(pl.col(BIRTH_COLUMN), pl.lit(stichtag)).alias("alter"),
            pl.col("leistungsart").str.to_uppercase(),
            pl.col("einrichtung").str.to_uppercase(),
        )
        q = [bad]
        q.append(
            check_period_column(
                typed, "stichtag", stichtag, file.period.label(), SHOW, personal=True
            )
        )
        q.append(contract_violations(self.name, typed, SHOW))
        personal = personal_values(typed, self.contract())
        typed = drop_names(typed)
        q.append(
            quarantine_rows(
                typed,
                (pl.col("alter") < 0) | (pl.col("alter") > 120),
                "alter_unplausibel",
                "alter",
                SHOW,
            )
        )
        typed = self.pseudonymise(typed, ctx.pseudonym_key)
        typed, unmatched = locate(typed, pl.lit(stichtag), ctx.directory, SHOW)
        ok, quarantine = split_valid(
            typed,
            [*q, unmatched],
            ["person_pseudonym"],
            "person_doppelt",
            ["person_pseudonym", *SHOW],
        )
        quarantine = scrub_quarantine(quarantine, PERSONAL, personal)
        rows = ok.select(
            pl.lit(stichtag).alias("stichtag"),
            "fall_pseudonym",
            "person_pseudonym",
            "alter",
            pl.col("geschlecht").str.to_lowercase(),
            pl.col("staatsangehoerigkeit").str.to_uppercase(),
            "gebiet_id",
            "leistungsart",
            "einrichtung",
            pl.col("bruttobedarf_monat").round(2),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
