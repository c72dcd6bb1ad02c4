"""pandera.polars model of the typed `sgb12` delivery, built from data_contracts/sgb12.yaml.

SGB XII person-level snapshot; personal columns are still present when checked.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("sgb12"))
schema = MODEL.schema
