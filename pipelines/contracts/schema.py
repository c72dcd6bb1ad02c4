"""The pandera.polars model of a delivery kind, built from its data contract on demand.

    get_model(kind) -> ContractModel     built once per process from data_contracts/<kind>.yaml

The contract (data_contracts/<kind>.yaml) is the one source: column dtypes, nullability,
code lists, bounds, patterns, BA symbol columns and the dataset rules all come from it, so
the pandera model cannot drift from the YAML. Every check is named and mapped to the
reason code (docs/architecture.md) that a failing cell gets in quarantine.

Rule checks are plain polars expressions that are True for a good row; nulls in the
compared cells count as good, because empty required cells have their own check
(`pflichtwert_fehlt`) and empty optional cells have nothing to compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pandera.polars as pa
import polars as pl

from pipelines.contracts.loader import load_contract
from pipelines.contracts.model import ContractColumn, ContractRule, DeliveryContract

RowRule = Callable[[pl.LazyFrame], pl.LazyFrame]


@dataclass(frozen=True)
class Reason:
    """What a failing check means: reason code and the column reported (None: whole row)."""

    code: str
    column: str | None


@dataclass(frozen=True)
class ContractModel:
    """A pandera schema plus the reason behind each of its checks.

    `column_reasons[(column, check_number)]` follows the order of
    `schema.columns[column].checks`, which is how pandera numbers the checks in
    `SchemaErrors.failure_cases`. Empty cells in non-nullable columns are pandera's own
    `not_nullable` check (reason `pflichtwert_fehlt`).
    """

    kind: str
    version: str
    schema: pa.DataFrameSchema
    column_reasons: dict[tuple[str, int], Reason]


@cache
def get_model(kind: str) -> ContractModel:
    """The pandera model (plus reason mapping) of one delivery kind."""
    return build_model(load_contract(kind))


def build_model(contract: DeliveryContract) -> ContractModel:
    columns: dict[str, pa.Column] = {}
    column_reasons: dict[tuple[str, int], Reason] = {}
    for col in contract.columns:
        checks, reasons = _column_checks(col, contract)
        for rule in contract.rules:
            if _anchor(rule) == col.name:
                checks.append(pa.Check(_rule_check(rule), name=rule.name))
                reasons.append(Reason(rule.reason, rule.column))
        columns[col.name] = pa.Column(
            col.dtype,
            checks=checks,
            # BA cells are typed as value + symbol: the value is empty on `*`, `.` and `x`,
            # and "number or symbol present" is its own check below
            nullable=col.nullable or col.ba_symbols,
            # an optional header column (names, Gebietsname) may be absent from the frame
            required=col.required or col.origin != "spalte",
            description=col.description,
            title=col.name,
        )
        column_reasons.update({(col.name, i): r for i, r in enumerate(reasons)})
        if col.symbol_column:
            columns[col.symbol_column] = pa.Column(
                pl.String,
                checks=[pa.Check.isin(list(contract.ba_symbols), name="code_unbekannt")],
                nullable=True,
                required=True,
                description=f"BA-Symbol der Zelle {col.name} (leer, wenn eine Zahl geliefert wurde)",
                title=col.symbol_column,
            )
            column_reasons[(col.symbol_column, 0)] = Reason("code_unbekannt", col.name)

    schema = pa.DataFrameSchema(
        columns,
        name=contract.kind,
        description=contract.title,
        # the loader may carry helper columns such as the file line number
        strict=False,
        ordered=False,
        coerce=False,
    )
    return ContractModel(contract.kind, contract.version, schema, column_reasons)


def _anchor(rule: ContractRule) -> str:
    """Column a rule check is attached to in pandera.

    Row-wide rules (duplicates) are attached to their first key column, not to the frame:
    pandera turns every failing row of a frame-wide check into a JSON string through
    Python objects, which takes seconds per million rows. A column check hands over one
    column. The reported `spalte` stays None (see `Reason`).
    """
    return rule.column if rule.column is not None else rule.params["spalten"][0]


def _column_checks(
    col: ContractColumn, contract: DeliveryContract
) -> tuple[list[pa.Check], list[Reason]]:
    checks: list[pa.Check] = []
    reasons: list[Reason] = []

    def add(check: pa.Check, code: str) -> None:
        checks.append(check)
        reasons.append(Reason(code, col.name))

    if col.codes is not None:
        add(pa.Check.isin(list(col.codes), name="code_unbekannt"), "code_unbekannt")
    if col.pattern is not None:
        add(pa.Check.str_matches(col.pattern, name="wert_ungueltig"), "wert_ungueltig")
    if col.bound_reason is not None:
        if col.minimum is not None and col.maximum is not None:
            add(
                pa.Check.in_range(col.minimum, col.maximum, name=col.bound_reason), col.bound_reason
            )
        elif col.minimum is not None:
            add(pa.Check.ge(col.minimum, name=col.bound_reason), col.bound_reason)
        else:
            add(pa.Check.le(col.maximum, name=col.bound_reason), col.bound_reason)
    if col.ba_symbols:
        symbol = col.symbol_column
        if not col.nullable:
            add(
                pa.Check(_ba_cell_filled(col.name, symbol), name="ba_zelle_gefuellt"),
                "pflichtwert_fehlt",
            )
        add(
            pa.Check(
                _ba_symbol_matches_value(col.name, symbol, contract.ba_symbols),
                name="ba_symbol_wert",
            ),
            "wert_ungueltig",
        )
    return checks, reasons


def _rule_check(rule: ContractRule) -> Callable[[pa.PolarsData], pl.LazyFrame]:
    expr_or_fn = RULES[rule.rule](rule)

    def check(data: pa.PolarsData) -> pl.LazyFrame:
        if isinstance(expr_or_fn, pl.Expr):
            return data.lazyframe.select(expr_or_fn.fill_null(True).alias("ok"))
        return expr_or_fn(data.lazyframe)

    check.__name__ = rule.name
    return check


# --- BA symbol cells -------------------------------------------------------------------


def _ba_cell_filled(value: str, symbol: str) -> Callable[[pa.PolarsData], pl.LazyFrame]:
    def check(data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col(value).is_not_null() | pl.col(symbol).is_not_null()).alias("ok")
        )

    return check


def _ba_symbol_matches_value(
    value: str, symbol: str, table: dict[str, int | None]
) -> Callable[[pa.PolarsData], pl.LazyFrame]:
    """`-` carries value 0, `*` `.` `x` carry no value (docs/sources.md); a number has no symbol."""
    empty = [s for s, v in table.items() if v is None]
    fixed = {s: v for s, v in table.items() if v is not None}

    def check(data: pa.PolarsData) -> pl.LazyFrame:
        ok = pl.when(pl.col(symbol).is_null()).then(True)
        ok = ok.when(pl.col(symbol).is_in(empty)).then(pl.col(value).is_null())
        for sym, val in fixed.items():
            ok = ok.when(pl.col(symbol) == sym).then((pl.col(value) == val).fill_null(False))
        # unknown symbols are reported by the code check of the symbol column
        return data.lazyframe.select(ok.otherwise(True).alias("ok"))

    return check


# --- dataset rules: one builder per `regel` of the contract -----------------------------


def _sum(rule: ContractRule) -> pl.Expr:
    total = pl.sum_horizontal([pl.col(c) for c in rule.params["summanden"]])
    parts = [rule.column, *rule.params["summanden"]]
    # only where all cells are numbers (docs/sources.md); a symbol cell has an empty value
    return pl.any_horizontal([pl.col(c).is_null() for c in parts]) | (pl.col(rule.column) == total)


def _subset(rule: ContractRule) -> pl.Expr:
    return pl.col(rule.column) <= pl.col(rule.params["obermenge"])


def _order(rule: ContractRule) -> pl.Expr:
    return pl.col(rule.params["vorher"]) <= pl.col(rule.column)


def _not_after_year_end(rule: ContractRule) -> pl.Expr:
    return pl.col(rule.column) <= pl.date(pl.col(rule.params["jahr"]), 12, 31)


def _unique(rule: ContractRule) -> pl.Expr:
    # the first copy loads, every later one is quarantined (architecture.md)
    return pl.struct(rule.params["spalten"]).is_first_distinct()


def _reference(rule: ContractRule) -> pl.Expr:
    return pl.col(rule.column).is_null() | pl.col(rule.column).is_in(
        pl.col(rule.params["ziel"]).implode()
    )


def _share_sum(rule: ContractRule) -> pl.Expr:
    total = pl.col(rule.column).sum().over(rule.params["gruppe"])
    return (total - rule.params["summe"]).abs() <= rule.params["toleranz"]


def completed_years(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Age in completed years; someone born on 29.02. completes a year on 01.03. (BGB)."""
    before_birthday = (on.dt.month() < birth.dt.month()) | (
        (on.dt.month() == birth.dt.month()) & (on.dt.day() < birth.dt.day())
    )
    return (
        on.dt.year().cast(pl.Int64)
        - birth.dt.year().cast(pl.Int64)
        - before_birthday.cast(pl.Int64)
    )


def _age(rule: ContractRule) -> pl.Expr:
    age = completed_years(pl.col(rule.column), pl.col(rule.params["bezug"]))
    upper: pl.Expr = pl.lit(rule.params["maximum"])
    exceptions = rule.params.get("ausnahmen")
    if exceptions:
        code = pl.col(exceptions["spalte"])
        for value, maximum in exceptions["maximum"].items():
            upper = pl.when(code == value).then(pl.lit(maximum)).otherwise(upper)
    return (age >= rule.params["minimum"]) & (age <= upper)


def _acyclic(rule: ContractRule) -> RowRule:
    """Rows whose chain of parents never reaches a root (a cycle, or leads into one).

    A parent missing from the file ends the chain here; `verweis` reports that case.
    Reference tables are small, so a fixpoint over Python sets is plenty fast.
    """
    key, parent = rule.params["schluessel"], rule.column

    def check(lf: pl.LazyFrame) -> pl.LazyFrame:
        edges = lf.select(pl.col(key), pl.col(parent)).collect()
        keys = set(edges[key].drop_nulls().to_list())
        pairs = [(k, p) for k, p in edges.iter_rows() if k is not None]
        rooted = {k for k, p in pairs if p is None or p not in keys}
        changed = True
        while changed:
            grown = {k for k, p in pairs if p in rooted} - rooted
            rooted |= grown
            changed = bool(grown)
        # a key with several rows (validity versions) is rooted if any version is
        return lf.select((pl.col(key).is_null() | pl.col(key).is_in(list(rooted))).alias("ok"))

    return check


RULES: dict[str, Callable[[ContractRule], pl.Expr | RowRule]] = {
    "summe": _sum,
    "teilmenge": _subset,
    "reihenfolge": _order,
    "nicht_nach_jahresende": _not_after_year_end,
    "eindeutig": _unique,
    "verweis": _reference,
    "anteile_summe": _share_sum,
    "alter": _age,
    "azyklisch": _acyclic,
}
