"""Small-area population projection with its own track record (pure functions, no I/O).

`hamilton_perry` projects by cohort-change ratios, `backtest` scores past projections against
the actual population beside two naive baselines, `frames` turns the delivered population into
the marts `bevoelkerungsprognose` and `prognose_guete`.
"""

from .backtest import GROESSENKLASSEN, METHODEN, ZIELGRUPPEN
from .frames import (
    GUETE_SCHEMA,
    PROGNOSE_SCHEMA,
    finest_population,
    population,
    run,
    settings_from_config,
)
from .hamilton_perry import VARIANTS, Settings, estimate, project, spread_bands

__all__ = [
    "GROESSENKLASSEN",
    "GUETE_SCHEMA",
    "METHODEN",
    "PROGNOSE_SCHEMA",
    "VARIANTS",
    "ZIELGRUPPEN",
    "Settings",
    "estimate",
    "finest_population",
    "population",
    "project",
    "run",
    "settings_from_config",
    "spread_bands",
]
