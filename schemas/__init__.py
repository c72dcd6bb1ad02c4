"""pandera.polars models of the typed canonical frames, one module per delivery kind.

Each module builds its model from data_contracts/<kind>.yaml (see `schemas._build`), so
YAML and pandera cannot drift; `get_model(kind)` is the lookup the contract checks use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas._build import ContractModel


def get_model(kind: str) -> ContractModel:
    """The pandera model (plus reason mapping) of one delivery kind."""
    from pipelines.contracts.model import KINDS

    if kind not in KINDS:
        raise KeyError(f"Kein pandera-Modell für die Lieferart {kind!r}")
    return importlib.import_module(f"schemas.{kind}").MODEL
