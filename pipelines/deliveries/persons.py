"""What person-level deliveries (SGB XII, SGB VIII) share: the docs/protection.md reductions."""

from __future__ import annotations

import polars as pl

NAME_COLUMNS = ("nachname", "vorname")
BIRTH_COLUMN = "geburtsdatum"
HIDDEN = "(personenbezogen, nicht gespeichert)"


def age_at(birth: pl.Expr, ref: pl.Expr) -> pl.Expr:
    """Completed years at `ref` (a 29 February birthday counts from 1 March in other years)."""
    # dt.month()/dt.day() are Int8: widen before arithmetic, or 12 * 100 overflows
    md = lambda d: d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)  # noqa: E731
    before_birthday = md(ref) < md(birth)
    years = ref.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32)
    return years - before_birthday.cast(pl.Int32)


def personal_values(typed: pl.DataFrame, contract) -> set[str]:
    """Every name, birth date and identifier of the file, as text (casefolded).

    The columns have passed the content check (protection.plausibility), so these are
    the file's personal values whatever column they might turn up in later.
    """
    out: set[str] = set()
    for col in contract.columns:
        if col.personal not in ("name", "geburtsdatum", "kennung") or col.name not in typed.columns:
            continue
        values = typed.get_column(col.name).drop_nulls().unique().cast(pl.String)
        out.update(v.strip().casefold() for v in values.to_list() if len(v.strip()) > 1)
        if col.personal == "geburtsdatum":  # the German spelling of the delivered dates too
            dates = typed.get_column(col.name).drop_nulls().unique()
            out.update(d.strftime("%d.%m.%Y") for d in dates.to_list())
    return out


def scrub_quarantine(
    quarantine: pl.DataFrame, personal_columns: set[str], personal: set[str] | None = None
) -> pl.DataFrame:
    """Never keep a name, birth date or case number as an offending value.

    Decided twice: by the column a row is reported against, and by content: any shown
    value that is one of the file's names, birth dates or identifiers (`personal`), or an
    address part that does not look like one, is replaced by a note.
    """
    if quarantine.height == 0:
        return quarantine
    by_column = quarantine.with_columns(
        pl.when(pl.col("spalte").is_in(list(personal_columns)))
        .then(pl.lit(f'"{HIDDEN}"'))
        .otherwise(pl.col("werte"))
        .alias("werte")
    )
    personal = personal or set()
    return by_column.with_columns(
        pl.col("werte")
        .map_elements(lambda w: _scrub_werte(w, personal), return_dtype=pl.String)
        .alias("werte")
    )


def _scrub_werte(werte: str | None, personal: set[str]) -> str | None:
    import json
    import re

    from pipelines.protection.plausibility import HOUSE_NUMBER, STREET_SHAPE

    if werte is None:
        return None
    try:
        shown = json.loads(werte)
    except ValueError:
        return json.dumps(HIDDEN, ensure_ascii=False)
    if not isinstance(shown, dict):
        return werte
    fits = {
        "strasse": lambda v: re.search(STREET_SHAPE, v) is not None,
        "hausnummer": lambda v: re.search(HOUSE_NUMBER, v) is not None,
    }
    out, changed = {}, False
    for key, value in shown.items():
        text = str(value).strip() if value is not None else ""
        hide = text.casefold() in personal or bool(key in fits and text and not fits[key](text))
        out[key] = HIDDEN if hide else value
        changed = changed or hide
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) if changed else werte


def drop_names(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop([c for c in NAME_COLUMNS if c in frame.columns])


def locate(
    typed: pl.DataFrame, ref: pl.Expr, directory: pl.DataFrame, show: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The finest area of each address on `ref`; unmatched addresses as quarantine rows
    (the address may stay there so the delivering office can fix it)."""
    from pipelines.deliveries.cells import quarantine_rows
    from pipelines.protection.addresses import assign_area

    located = assign_area(typed.with_columns(ref.alias("_ref")), directory, "_ref")
    unmatched = quarantine_rows(
        located,
        pl.col("gebiet_id").is_null() & pl.col("strasse").is_not_null(),
        "adresse_unbekannt",
        "strasse",
        ["strasse", "hausnummer", *show],
    )
    return located, unmatched
