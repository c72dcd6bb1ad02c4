"""Row-level contract check of a typed delivery frame, Dagster-free.

`check_rows` runs the pandera model of the kind with lazy validation (all failures
collected) and turns pandera's failure cases into one row per failing (row, column) with
a reason code. It returns positions and reason codes only: the failing values (which may be
names or birth dates) stay inside this function.
"""

from __future__ import annotations

import polars as pl
from pandera.api.polars.types import PolarsData
from pandera.config import CONFIG as PANDERA_CONFIG
from pandera.config import ValidationDepth, config_context
from pandera.constants import CHECK_OUTPUT_KEY
from pandera.errors import SchemaErrors

from pipelines.contracts.model import REASON_PRIORITY
from pipelines.contracts.schema import ContractModel, get_model

RESULT_SCHEMA = {"_row": pl.Int64, "spalte": pl.String, "grund": pl.String}


class ContractSchemaError(ValueError):
    """The typed frame does not have the contract's columns or dtypes (a parser bug)."""


def check_rows(kind: str, df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Failing cells of a typed `kind` frame: columns `_row` (0-based position), `spalte`
    (column, or null for row-wide rules) and `grund` (reason code), one reason per row and
    column, sorted by row. An empty result means every row passes the contract.

    Raises ContractSchemaError when a column is missing or has the wrong dtype.
    """
    model = get_model(kind)
    frame = df.collect() if isinstance(df, pl.LazyFrame) else df
    if all_pass(model, frame):
        return pl.DataFrame(schema=RESULT_SCHEMA)
    # pandera checks a LazyFrame only at schema level; force value checks whatever the
    # environment (PANDERA_VALIDATION_DEPTH, PANDERA_VALIDATION_ENABLED) says
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            model.schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            failures = errors.failure_cases
        else:
            return pl.DataFrame(schema=RESULT_SCHEMA)
    return _reasons(kind, failures, model)


def all_pass(model: ContractModel, frame: pl.DataFrame) -> bool:
    """True if every cell passes every check of the pandera model, in one polars query.

    Most delivery files have no faulty cell, and pandera collects each check on its own
    (about 20 queries per file, a fixed cost that dominated small files). This runs the same
    pandera check functions, with pandera's null handling, as one query. Anything it cannot
    decide (a missing column, another dtype, an element-wise check) and any failure goes to
    the full pandera validation, which alone produces failure cases.
    """
    schema = model.schema
    if schema.checks or schema.unique or schema.strict or PANDERA_CONFIG.use_narwhals_backend:
        return False
    schema.register_default_backends(pl.LazyFrame)  # pandera's polars check functions
    lf = frame.lazy()
    outputs: list[pl.LazyFrame] = []
    for name, column in schema.columns.items():
        if name not in frame.columns:
            if column.required:
                return False
            continue
        if column.unique or (
            column.dtype is not None and not column.dtype.check(frame.schema[name])
        ):
            return False
        if not column.nullable:
            filled = pl.col(name).is_not_null()
            if frame.schema[name].is_float():
                filled = filled & pl.col(name).is_not_nan()  # pandera counts NaN as empty
            outputs.append(lf.select(filled.all().alias(f"n{len(outputs)}")))
        for check in column.checks:
            if check.element_wise or check.groupby is not None:
                return False
            builtin = getattr(check._check_fn, "__name__", None)
            if builtin is not None and check.is_builtin_check(builtin):
                # as pandera's Check.__call__: the polars signature registers late
                check._check_fn = check.get_builtin_check_fn(builtin)
            out = check.get_backend(lf)(check).apply(PolarsData(lf, name))
            if isinstance(out, bool):
                if not out:
                    return False
                continue
            ok = pl.col(CHECK_OUTPUT_KEY)
            ok = (ok | ok.is_null()) if check.ignore_na else ok.fill_null(False)
            outputs.append(out.select(ok.all().alias(f"n{len(outputs)}")))
    if not outputs:
        return True
    return all(pl.concat(outputs, how="horizontal").collect().row(0))


def _reasons(kind: str, failures: pl.DataFrame, model: ContractModel) -> pl.DataFrame:
    structural = failures.filter(pl.col("index").is_null())
    if structural.height:
        raise ContractSchemaError(_structural_message(kind, structural))
    unexpected = failures.filter(pl.col("schema_context") != "Column")
    if unexpected.height:
        # the model has no frame-wide checks (see pipelines.contracts.schema._anchor)
        raise ContractSchemaError(f"Vertrag {kind!r}: unerwartete Prüfungen {_names(unexpected)}")

    # Integer codes throughout: a million failing cells are sorted and deduplicated in
    # well under a second this way, string group-bys take several.
    columns = {name: i for i, name in enumerate(model.schema.columns)}
    # reported column: None (whole row) first, then the contract's column order
    reported = [None, *model.schema.columns]
    spalte_code = {name: i for i, name in enumerate(reported)}
    check_id = pl.col("column").replace_strict(columns, return_dtype=pl.Int64) * 1000 + (
        pl.col("check_number").cast(pl.Int64).fill_null(-1) + 1
    )
    # check id 0 of a column is pandera's not_nullable: an empty required cell
    reason_of = {
        columns[c] * 1000: (REASON_PRIORITY["pflichtwert_fehlt"], spalte_code[c]) for c in columns
    }
    for (col, n), reason in model.column_reasons.items():
        reason_of[columns[col] * 1000 + n + 1] = (
            REASON_PRIORITY[reason.code],
            spalte_code[reason.column],
        )
    ids = failures.select(
        pl.col("index").cast(pl.Int64).alias("row"), check_id.alias("check_id"), "check"
    )
    known = pl.col("check_id").is_in(list(reason_of))
    if not ids.select(known.all()).item():
        raise ContractSchemaError(
            f"Vertrag {kind!r}: Prüfungen ohne Grundcode {_names(ids.filter(~known))}"
        )

    width, levels = len(spalte_code), len(REASON_PRIORITY)
    cell = pl.col("row") * width + pl.col("check_id").replace_strict(
        {k: v[1] for k, v in reason_of.items()}, return_dtype=pl.Int64
    )
    prio = pl.col("check_id").replace_strict(
        {k: v[0] for k, v in reason_of.items()}, return_dtype=pl.Int64
    )
    # one sort over a single integer (cell, then reason priority) and keep the first reason
    # of every cell: the most basic fault, by REASON_PRIORITY
    ranked = ids.lazy().select((cell * levels + prio).alias("code")).sort("code")
    cells = ranked.select(
        (pl.col("code") // levels).alias("cell"), (pl.col("code") % levels).alias("prio")
    ).filter(pl.col("cell") != pl.col("cell").shift(1).fill_null(-1))
    return cells.select(
        (pl.col("cell") // width).alias("_row"),
        (pl.col("cell") % width)
        .replace_strict(dict(enumerate(reported)), return_dtype=pl.String)
        .alias("spalte"),
        pl.col("prio")
        .replace_strict(dict(enumerate(REASON_PRIORITY)), return_dtype=pl.String)
        .alias("grund"),
    ).collect()


def _names(failures: pl.DataFrame) -> list[str]:
    return sorted(set(failures["check"].to_list()))


def _structural_message(kind: str, structural: pl.DataFrame) -> str:
    parts = []
    for row in structural.unique(maintain_order=True).iter_rows(named=True):
        check = row["check"]
        if check == "column_in_dataframe":
            parts.append(f"Spalte {row['failure_case']} fehlt")
        elif check.startswith("dtype("):
            parts.append(
                f"Spalte {row['column']}: erwartet {check}, gefunden {row['failure_case']}"
            )
        else:
            # a rule that could not run; its message may quote cell values, so name it only
            parts.append(f"Prüfung {check} ({row['column'] or 'ganze Zeile'}) lief nicht")
    return (
        f"Der typisierte Rahmen für {kind!r} passt nicht zum Vertrag "
        f"(fehlende Spalte oder falscher Datentyp): {'; '.join(parts)}"
    )
