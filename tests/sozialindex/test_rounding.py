"""Display rounding half away from zero on the decimal representation (Excel ROUND)."""

import math

import polars as pl
import pytest

from pipelines.sozialindex import round_half_away


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.125, 2, 0.13),  # exact binary half: away from zero (round() gives 0.12)
        (-0.125, 2, -0.13),
        (2.675, 2, 2.68),  # stored as 2.67499999..., displayed and rounded as 2.675
        (-2.675, 2, -2.68),
        (1.005, 2, 1.01),
        (0.5, 0, 1.0),
        (-0.5, 0, -1.0),
        (2.5, 0, 3.0),  # round() would give 2.0
        (0.4949988809441349, 2, 0.49),
        (0.494999, 5, 0.495),
        (1234.5, -1, 1230.0),
    ],
)
def test_half_away_from_zero(value, digits, expected):
    assert round_half_away(value, digits) == expected


def test_no_negative_zero():
    result = round_half_away(-0.004, 2)
    assert result == 0.0
    assert math.copysign(1.0, result) == 1.0


def test_missing_and_non_finite_pass_through():
    assert round_half_away(None, 2) is None
    assert math.isnan(round_half_away(float("nan"), 2))
    assert round_half_away(float("inf"), 2) == float("inf")


def test_expression_gives_the_same_as_the_float_version():
    values = [0.125, -2.675, 1.005, None, 3.14159, -0.004, 7.0]
    frame = pl.DataFrame({"x": values}).with_columns(r=round_half_away(pl.col("x"), 2))
    assert frame["r"].dtype == pl.Float64
    assert frame["r"].to_list() == [round_half_away(v, 2) for v in values]


def test_digits_must_be_an_integer():
    with pytest.raises(TypeError):
        round_half_away(1.0, 2.0)
