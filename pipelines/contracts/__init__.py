"""Data contracts of the deliveries: data_contracts/<kind>.yaml (ODCS v3.2.0) as a typed
model, and the row-level contract check that the ingest assets run as blocking checks.

    load_contract(kind) -> DeliveryContract       cached per process
    all_contracts() -> dict[str, DeliveryContract]   every kind, in load order (the registry)
    check_rows(kind, typed_frame) -> DataFrame[_row, spalte, grund]
"""

from pipelines.contracts.check import ContractSchemaError, check_rows
from pipelines.contracts.loader import (
    CONTRACTS_DIR,
    ContractError,
    all_contracts,
    contract_kinds,
    load_contract,
    read_contract,
    read_contracts,
)
from pipelines.contracts.model import (
    ContractColumn,
    ContractRule,
    DeliveryContract,
    normalise_header,
)

# the delivery kinds: one per data_contracts/<kind>.yaml, in load order
KINDS: tuple[str, ...] = contract_kinds()

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
    "contract_kinds",
    "load_contract",
    "normalise_header",
    "read_contract",
    "read_contracts",
]
