"""Display rounding as in the published MSS tables (Excel's ROUND: half away from zero).

The rounding works on the shortest decimal representation of the float (`repr`), not on
its exact binary value: 2.675 is stored as 2.67499999999999982..., Excel and a reader of
the table both see 2.675 and expect 2.68. Python's `round` (half to even, binary value)
would give 2.67. Only for display: the index itself is computed unrounded.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import polars as pl


def _round_float(value: float | None, digits: int) -> float | None:
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return value
    with localcontext() as ctx:
        # enough precision for any double at any sensible number of digits
        ctx.prec = 400
        # decimal's ROUND_HALF_UP is "half away from zero" (ROUND_HALF_EVEN is banker's)
        rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    result = float(rounded)
    # -0.004 -> 0.00, shown as 0.00 in the tables, never as "-0.00"
    return 0.0 if result == 0 else result


def round_half_away(x: float | pl.Expr | None, digits: int) -> float | pl.Expr | None:
    """Round half away from zero to `digits` decimals, like the published MSS tables.

    Accepts a float (None and non-finite values pass through) or a polars expression
    (applied element-wise, result Float64, nulls stay null).
    """
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise TypeError("digits muss eine ganze Zahl sein")
    if isinstance(x, pl.Expr):
        return x.cast(pl.Float64).map_batches(
            lambda series: pl.Series(
                series.name,
                [_round_float(v, digits) for v in series.to_list()],
                dtype=pl.Float64,
            ),
            return_dtype=pl.Float64,
            is_elementwise=True,
        )
    return _round_float(x, digits)
