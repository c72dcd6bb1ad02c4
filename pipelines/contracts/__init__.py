"""Data contracts of the deliveries: data_contracts/<kind>.yaml (ODCS v3.2.0) as a typed
model, and the row-level contract check that the ingest assets run as blocking checks.

    load_contract(kind) -> DeliveryContract       cached per process
    all_contracts() -> dict[str, DeliveryContract]
    check_rows(kind, typed_frame) -> DataFrame[_row, spalte, grund]
"""

from pipelines.contracts.check import ContractSchemaError, check_rows
from pipelines.contracts.loader import (
    CONTRACTS_DIR,
    ContractError,
    all_contracts,
    load_contract,
    read_contract,
)
from pipelines.contracts.model import (
    KINDS,
    ContractColumn,
    ContractRule,
    DeliveryContract,
    normalise_header,
)

__all__ = [
    "CONTRACTS_DIR",
    "KINDS",
    "ContractColumn",
    "ContractError",
    "ContractRule",
    "ContractSchemaError",
    "DeliveryContract",
    "all_contracts",
    "check_rows",
    "load_contract",
    "normalise_header",
    "read_contract",
]
