"""sgb8: Jugendamt extract of every case active in a calendar year (personal data)."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import quarantine_rows
from pipelines.deliveries.checks import contract_violations, split_valid
from pipelines.deliveries.persons import (
    BIRTH_COLUMN,
    age_at,
    drop_names,
    locate,
    personal_values,
    scrub_quarantine,
)
from pipelines.parsing.table import FileRejected, ParsedTable

SHOW = ["hilfeart", "beginn", "ende", "alter_beginn", "geschlecht", "kosten_jahr"]
PERSONAL = {"nachname", "vorname", BIRTH_COLUMN, "fall_nr", "person_nr"}
YOUNG_ADULT_HELP = "41"  # § 41: help for young adults, starts 18..26


class Sgb8(DeliveryKind):
    name = "sgb8"
    pseudonyms = {
        "fall_nr": ("sgb8/fall", "fall_pseudonym"),
        "person_nr": ("sgb8/person", "person_pseudonym"),
    }

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        year = int(file.period.key)
        first, last = date(year, 1, 1), date(year, 12, 31)
        typed = typed.with_columns(
            pl.col("hilfeart").str.strip_chars().str.to_lowercase(),
            age_at(pl.col(BIRTH_COLUMN), pl.col("beginn")).alias("alter_beginn"),
            age_at(pl.col(BIRTH_COLUMN), pl.lit(last)).alias("alter_jahresende"),
        )
        active = (pl.col("beginn") <= last) & (pl.col("ende").is_null() | (pl.col("ende") >= first))
        dated = typed.filter(pl.col("beginn").is_not_null())
        if dated.height and dated.filter(active).height * 2 < dated.height:
            raise FileRejected(
                "periode_widerspruch",
                f"Dateiname nennt das Jahr {year}, aber die meisten Fälle liefen in diesem Jahr "
                "nicht (Beginn/Ende außerhalb)",
            )
        q = [bad, contract_violations(self.name, typed, SHOW)]
        personal = personal_values(typed, self.contract())
        typed = drop_names(typed)
        q.append(
            quarantine_rows(
                typed, pl.col("ende") < pl.col("beginn"), "ende_vor_beginn", "ende", SHOW
            )
        )
        q.append(
            quarantine_rows(
                typed, pl.col("beginn") > last, "beginn_nach_jahresende", "beginn", SHOW
            )
        )
        q.append(quarantine_rows(typed, pl.col("ende") < first, "periode_abweichend", "ende", SHOW))
        too_old = (
            pl.when(pl.col("hilfeart") == YOUNG_ADULT_HELP)
            .then((pl.col("alter_beginn") < 18) | (pl.col("alter_beginn") > 26))
            .otherwise(pl.col("alter_beginn") > 17)
        )
        q.append(
            quarantine_rows(
                typed,
                (pl.col("alter_beginn") < 0) | too_old,
                "alter_unplausibel",
                "alter_beginn",
                SHOW,
            )
        )
        typed = self.pseudonymise(typed, ctx.pseudonym_key)
        # the address is valid on the case's last day in the year
        ref = (
            pl.when(pl.col("ende").is_not_null() & (pl.col("ende") < last))
            .then(pl.col("ende"))
            .otherwise(pl.lit(last))
        )
        typed, unmatched = locate(typed, ref, ctx.directory, SHOW)
        ok, quarantine = split_valid(
            typed, [*q, unmatched], ["fall_pseudonym", "person_pseudonym"], "zeile_doppelt",
            ["fall_pseudonym", *SHOW],
        )  # fmt: skip
        quarantine = scrub_quarantine(quarantine, PERSONAL, personal)
        rows = ok.select(
            pl.lit(year).cast(pl.Int32).alias("jahr"),
            "fall_pseudonym",
            "person_pseudonym",
            pl.col("geschlecht").str.to_lowercase(),
            "gebiet_id",
            "hilfeart",
            "beginn",
            "ende",
            "alter_beginn",
            "alter_jahresende",
            pl.col("kosten_jahr").round(2),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
