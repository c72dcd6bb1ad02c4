"""The index method on small hand-computable inputs: z-values, sums, classes, exclusions."""

import math
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.sozialindex import (
    IndexEingabeFehler,
    Recipe,
    compute_index,
    dynamik_class,
    group_label,
    group_number,
    status_class,
)

S = ("sgb2_alo_anteil", "transferbezug", "sgb2_kinderarmut")
D = tuple(f"{s}_dynamik" for s in S)
INDEX_COLUMNS = [
    *(f"z_{c}" for c in (*S, *D)),
    "statussumme",
    "status_index",
    "dynamiksumme",
    "dynamik_index",
    "status_klasse",
    "dynamik_klasse",
    "gesamtindex",
    "gruppe",
]


def frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (gebiet_id, einwohner, s1, s3, s4, d1, d3, d4)."""
    columns = ["gebiet_id", "einwohner", *S, *D]
    return pl.DataFrame(
        rows,
        schema={"gebiet_id": pl.String, "einwohner": pl.Int64}
        | dict.fromkeys(columns[2:], pl.Float64),
        orient="row",
    )


# Four included areas, chosen so every indicator has two values one std below and two one
# std above the mean: all z-values are exactly -1 or +1.
#   s1 2/2/4/4 (mean 3, std 1), s3 10/14/10/14 (12, 2), s4 20/20/40/40 (30, 10)
#   d1 .5/-.5/.5/-.5 (0, .5), d3 1/-1/1/-1 (0, 1), d4 -2/-2/2/2 (0, 2)
FOUR = [
    ("a", 1000, 2.0, 10.0, 20.0, 0.5, 1.0, -2.0),
    ("b", 1000, 2.0, 14.0, 20.0, -0.5, -1.0, -2.0),
    ("c", 1000, 4.0, 10.0, 40.0, 0.5, 1.0, 2.0),
    ("d", 1000, 4.0, 14.0, 40.0, -0.5, -1.0, 2.0),
]
# excluded areas with extreme values: they must not move anybody's z-value
EXTRA = [
    ("e", 299, 90.0, 90.0, 90.0, 9.0, 9.0, 9.0),
    ("f", 5000, 80.0, 80.0, 80.0, 8.0, 8.0, 8.0),
    ("g", None, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    ("h", 800, 5.0, None, 5.0, 1.0, 1.0, 1.0),
    ("i", 800, 5.0, 5.0, 5.0, 1.0, 1.0, None),
]


def test_hand_computed_four_areas():
    out = compute_index(frame(FOUR), Recipe())
    assert out["z_sgb2_alo_anteil"].to_list() == [-1.0, -1.0, 1.0, 1.0]
    assert out["z_transferbezug"].to_list() == [-1.0, 1.0, -1.0, 1.0]
    assert out["z_sgb2_kinderarmut"].to_list() == [-1.0, -1.0, 1.0, 1.0]
    assert out["z_sgb2_alo_anteil_dynamik"].to_list() == [1.0, -1.0, 1.0, -1.0]
    assert out["z_transferbezug_dynamik"].to_list() == [1.0, -1.0, 1.0, -1.0]
    assert out["z_sgb2_kinderarmut_dynamik"].to_list() == [-1.0, -1.0, 1.0, 1.0]
    # sums -3, -1, 1, 3 and 1, -3, 3, -1: population std sqrt((9+1+1+9)/4) = sqrt(5)
    assert out["statussumme"].to_list() == [-3.0, -1.0, 1.0, 3.0]
    assert out["dynamiksumme"].to_list() == [1.0, -3.0, 3.0, -1.0]
    root5 = math.sqrt(5)
    assert out["status_index"].to_list() == [-3 / root5, -1 / root5, 1 / root5, 3 / root5]
    assert out["dynamik_index"].to_list() == [1 / root5, -3 / root5, 3 / root5, -1 / root5]
    # -1.342 hoch, -0.447 / 0.447 mittel, 1.342 niedrig; dynamics 1.342 negativ etc.
    assert out["status_klasse"].to_list() == ["hoch", "mittel", "mittel", "niedrig"]
    assert out["dynamik_klasse"].to_list() == ["stabil", "positiv", "negativ", "stabil"]
    assert out["gesamtindex"].to_list() == [
        "hoch/stabil",
        "mittel/positiv",
        "mittel/negativ",
        "niedrig/stabil",
    ]
    assert out["gruppe"].to_list() == [2, 4, 6, 8]
    assert out["ausschluss_grund"].to_list() == [None] * 4


def test_output_columns_and_types():
    out = compute_index(frame(FOUR), Recipe())
    assert out.columns == [
        "gebiet_id",
        "einwohner",
        *S,
        *D,
        *INDEX_COLUMNS[:-4],
        "status_klasse",
        "dynamik_klasse",
        "gesamtindex",
        "gruppe",
        "ausschluss_grund_status",
        "ausschluss_grund_dynamik",
        "ausschluss_grund",
    ]
    assert out.schema["status_index"] == pl.Float64
    assert out.schema["gruppe"] == pl.Int32
    assert out.schema["ausschluss_grund"] == pl.String


def test_exclusions_get_a_reason_and_do_not_change_the_others():
    recipe = Recipe(ausschluss=("f",))
    out = compute_index(frame(FOUR + EXTRA[:-1]), recipe)
    reasons = dict(zip(out["gebiet_id"], out["ausschluss_grund"], strict=True))
    assert reasons == {
        "a": None,
        "b": None,
        "c": None,
        "d": None,
        "e": "unter 300 Einwohner",
        "f": "explizit ausgeschlossen (Ausreißer)",
        "g": "Einwohnerzahl fehlt",
        "h": "Indikatorwert fehlt (transferbezug)",
    }
    excluded = out.filter(pl.col("ausschluss_grund").is_not_null())
    for column in INDEX_COLUMNS:
        assert excluded[column].null_count() == excluded.height, column
    # the shares of excluded areas are kept, only the index columns are empty
    assert excluded["sgb2_alo_anteil"].to_list() == [90.0, 80.0, 1.0, 5.0]
    included = out.filter(pl.col("ausschluss_grund").is_null())
    assert included.equals(compute_index(frame(FOUR), recipe))


def test_missing_change_excludes_from_the_dynamics_index_only():
    # "i" has every share but no change of child poverty: status index yes, dynamics no
    out = compute_index(frame([*FOUR, EXTRA[-1]]), Recipe())
    i = out.row(4, named=True)
    assert i["ausschluss_grund_status"] is None
    assert i["ausschluss_grund_dynamik"] == "Indikatorwert fehlt (sgb2_kinderarmut_dynamik)"
    assert i["ausschluss_grund"] == i["ausschluss_grund_dynamik"]
    assert i["status_index"] is not None and i["status_klasse"] is not None
    for column in ("dynamiksumme", "dynamik_index", "dynamik_klasse", "gesamtindex", "gruppe"):
        assert i[column] is None, column
    # the status index is standardised over the five areas, the dynamics over the four
    status_only = frame([*FOUR, EXTRA[-1]]).select("gebiet_id", "einwohner", *S)
    assert (
        out["status_index"].to_list()
        == compute_index(status_only.with_columns(pl.lit(0.0).alias(d) for d in D), Recipe())[
            "status_index"
        ].to_list()
    )
    four = compute_index(frame(FOUR), Recipe())
    assert out.head(4)["dynamik_index"].to_list() == four["dynamik_index"].to_list()


def test_one_year_without_history_gets_status_index_and_classes():
    rows = [(r[0], r[1], *r[2:5], None, None, None) for r in FOUR]
    out = compute_index(frame(rows), Recipe())
    assert (
        out["status_index"].to_list()
        == compute_index(frame(FOUR), Recipe())["status_index"].to_list()
    )
    assert out["status_klasse"].to_list() == ["hoch", "mittel", "mittel", "niedrig"]
    assert out["ausschluss_grund_status"].to_list() == [None] * 4
    assert set(out["ausschluss_grund_dynamik"]) == {
        "keine Vergleichsperiode: Veränderung über 2 Jahre nicht berechenbar "
        "(sgb2_alo_anteil_dynamik, transferbezug_dynamik, sgb2_kinderarmut_dynamik)"
    }
    assert out["dynamik_index"].null_count() == 4 and out["gesamtindex"].null_count() == 4


def test_threshold_is_fewer_than_min_einwohner():
    rows = [(*FOUR[0][:1], 300, *FOUR[0][2:]), *FOUR[1:]]
    assert compute_index(frame(rows), Recipe())["ausschluss_grund"][0] is None
    out = compute_index(frame(rows), Recipe(min_einwohner=301))
    assert out["ausschluss_grund"][0] == "unter 301 Einwohner"


def test_explicit_list_wins_over_other_reasons():
    out = compute_index(
        frame([("x", 10, None, None, None, None, None, None)]), Recipe(ausschluss=("x",))
    )
    assert out["ausschluss_grund"].to_list() == ["explizit ausgeschlossen (Ausreißer)"]


def test_nan_counts_as_missing():
    rows = [*FOUR, ("n", 900, float("nan"), 1.0, 1.0, 1.0, 1.0, 1.0)]
    out = compute_index(frame(rows), Recipe())
    assert out["ausschluss_grund"][4] == "Indikatorwert fehlt (sgb2_alo_anteil)"
    assert out.head(4).equals(compute_index(frame(FOUR), Recipe()))


def test_all_areas_excluded():
    rows = [("a", 10, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0), ("b", 20, 2.0, 2.0, 2.0, 0.0, 0.0, 0.0)]
    out = compute_index(frame(rows), Recipe())
    assert out["ausschluss_grund"].to_list() == ["unter 300 Einwohner"] * 2
    for column in INDEX_COLUMNS:
        assert out[column].null_count() == 2


def test_empty_input_gives_empty_output_with_all_columns():
    out = compute_index(frame([]), Recipe())
    assert out.height == 0
    assert out.columns[-1] == "ausschluss_grund"


def test_single_area_has_no_spread():
    out = compute_index(frame(FOUR[:1]), Recipe())
    reason = out["ausschluss_grund"][0]
    assert reason.startswith("Index nicht berechenbar: keine Streuung (Standardabweichung 0)")
    assert "sgb2_alo_anteil" in reason
    assert out["status_index"][0] is None
    assert out["z_sgb2_alo_anteil"][0] is None


def test_constant_indicator_gives_no_index_and_names_it():
    rows = [(r[0], r[1], r[2], 7.1, *r[4:]) for r in FOUR]  # transferbezug equal everywhere
    out = compute_index(frame(rows), Recipe())
    assert set(out["ausschluss_grund"]) == {
        "Index nicht berechenbar: keine Streuung (Standardabweichung 0) bei transferbezug"
    }
    for column in [c for c in INDEX_COLUMNS if "dynamik" not in c] + ["gesamtindex", "gruppe"]:
        assert out[column].null_count() == 4, column
    # the dynamics index does not depend on the status values
    assert (
        out["dynamik_index"].to_list()
        == compute_index(frame(FOUR), Recipe())["dynamik_index"].to_list()
    )


def test_sum_without_spread_gives_no_index():
    # two status indicators that cancel: every Statussumme is 0
    recipe = Recipe(status=("p", "q"))
    data = pl.DataFrame(
        {
            "gebiet_id": ["a", "b"],
            "einwohner": [500, 500],
            "p": [1.0, 3.0],
            "q": [3.0, 1.0],
            "p_dynamik": [0.0, 1.0],
            "q_dynamik": [0.0, 2.0],
        }
    )
    out = compute_index(data, recipe)
    assert (
        out["ausschluss_grund"].to_list()
        == ["Index nicht berechenbar: keine Streuung (Standardabweichung 0) bei statussumme"] * 2
    )


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (-1.0000000000000002, "hoch"),
        (-1.0, "mittel"),  # -1 <= index <= 1
        (1.0, "mittel"),
        (1.0000000000000002, "niedrig"),  # 1 < index <= 1.5
        (1.5, "niedrig"),
        (1.5000000000000002, "sehr niedrig"),
    ],
)
def test_status_class_boundaries(index, expected):
    assert status_class(index, Recipe().klassen_status) == expected


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (-1.0, "positiv"),  # index <= -1
        (-0.9999999999999999, "stabil"),
        (0.9999999999999999, "stabil"),
        (1.0, "negativ"),  # index >= 1
    ],
)
def test_dynamik_class_boundaries(index, expected):
    assert dynamik_class(index, Recipe().klassen_dynamik) == expected


def test_boundaries_end_to_end():
    # two areas: every z is -1/+1, both sums -3/+3 with std 3, so both indices are exactly
    # -1 and +1: status mittel for both, dynamics positiv and negativ
    rows = [("a", 500, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), ("b", 500, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0)]
    out = compute_index(frame(rows), Recipe())
    assert out["status_index"].to_list() == [-1.0, 1.0]
    assert out["dynamik_index"].to_list() == [-1.0, 1.0]
    assert out["status_klasse"].to_list() == ["mittel", "mittel"]
    assert out["dynamik_klasse"].to_list() == ["positiv", "negativ"]
    # configured cut-points are used: 1.0 is on the sehr_niedrig boundary -> niedrig
    custom = Recipe(klassen_status={"hoch": -1.0, "niedrig": 0.5, "sehr_niedrig": 1.0})
    assert compute_index(frame(rows), custom)["status_klasse"].to_list() == ["mittel", "niedrig"]


def test_group_numbers_cover_one_to_twelve():
    from pipelines.sozialindex import DYNAMIK_KLASSEN, STATUS_KLASSEN

    numbers = [group_number(s, d) for s in STATUS_KLASSEN for d in DYNAMIK_KLASSEN]
    assert numbers == list(range(1, 13))
    assert group_label("sehr niedrig", "negativ") == "sehr niedrig/negativ"


def test_z_nachkommastellen_rounds_before_summing():
    rows = [*FOUR, ("e", 700, 3.3, 11.1, 25.0, 0.1, 0.2, 0.3)]
    out = compute_index(frame(rows), Recipe(z_nachkommastellen=2))
    for column in (f"z_{c}" for c in (*S, *D)):
        assert all(round(v, 2) == v for v in out[column])
    assert out["statussumme"].to_list() == [
        math.fsum(out[f"z_{c}"][i] for c in S) for i in range(5)
    ]


def test_input_errors_are_german():
    with pytest.raises(IndexEingabeFehler, match="Spalte\\(n\\) fehlen: transferbezug_dynamik"):
        compute_index(frame(FOUR).drop("transferbezug_dynamik"), Recipe())
    with pytest.raises(IndexEingabeFehler, match="mehrfach"):
        compute_index(frame([FOUR[0], FOUR[0]]), Recipe())
    with pytest.raises(IndexEingabeFehler, match="Text"):
        compute_index(frame(FOUR).with_columns(pl.lit(1).alias("gebiet_id")), Recipe())


def random_areas(seed: int, n: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = [
        (
            f"{i:08d}",
            rng.choice([150, 400, 2500, 9000]),
            *(rng.uniform(0, 60) for _ in S),
            *(rng.uniform(-5, 5) if rng.random() > 0.02 else None for _ in D),
        )
        for i in range(n)
    ]
    return frame(rows)


def bits(out: pl.DataFrame) -> dict[str, list]:
    """Every float as its 64-bit pattern, so -0.0 != 0.0 and any last-bit change shows."""
    result = {}
    for name, dtype in out.schema.items():
        if dtype == pl.Float64:
            result[name] = [None if v is None else np.float64(v).view(np.uint64) for v in out[name]]
        else:
            result[name] = out[name].to_list()
    return result


def test_bit_identical_under_row_shuffles():
    areas = random_areas(7, 300)
    recipe = Recipe(ausschluss=("00000003",))
    reference = bits(compute_index(areas, recipe))
    for seed in range(5):
        shuffled = areas.sample(fraction=1.0, shuffle=True, seed=seed)
        assert bits(compute_index(shuffled, recipe)) == reference


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.tuples(*[st.floats(0, 100).map(lambda v: round(v, 3)) for _ in range(6)]),
        min_size=3,
        max_size=25,
    ),
    seed=st.integers(0, 10_000),
)
def test_property_row_order_and_agreement_with_numpy(values, seed):
    rows = [(f"{i:03d}", 1000, *v) for i, v in enumerate(values)]
    areas = frame(rows)
    out = compute_index(areas, Recipe())
    shuffled = areas.sample(fraction=1.0, shuffle=True, seed=seed)
    assert bits(compute_index(shuffled, Recipe())) == bits(out)
    if out["ausschluss_grund"].null_count() == len(rows):
        # the same method in plain numpy (ddof=0) agrees to rounding noise
        x = areas["sgb2_alo_anteil"].to_numpy()
        expected = (x - x.mean()) / x.std()
        assert np.allclose(out["z_sgb2_alo_anteil"].to_numpy(), expected, atol=1e-9)
        z = np.column_stack([out[f"z_{c}"].to_numpy() for c in S])
        total = z.sum(axis=1)
        assert np.allclose(out["status_index"].to_numpy(), total / total.std(), atol=1e-9)
