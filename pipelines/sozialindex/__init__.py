"""The social index (Sozialindex) as a configurable recipe; Berlin MSS is the default.

Pure functions over polars frames, no I/O: the Dagster assets and dbt marts only wire them.
"""

from .compute import (
    DYNAMIK_KLASSEN,
    STATUS_KLASSEN,
    IndexEingabeFehler,
    compute_index,
    dynamik_class,
    exclusion_reason,
    group_label,
    group_number,
    standardise,
    status_class,
)
from .recipe import Recipe, RezeptFehler, recipe_from_config
from .rounding import round_half_away

__all__ = [
    "DYNAMIK_KLASSEN",
    "STATUS_KLASSEN",
    "IndexEingabeFehler",
    "Recipe",
    "RezeptFehler",
    "compute_index",
    "dynamik_class",
    "exclusion_reason",
    "group_label",
    "group_number",
    "recipe_from_config",
    "round_half_away",
    "standardise",
    "status_class",
]
