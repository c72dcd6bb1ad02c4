"""pandera.polars model of the typed `adressen` delivery, built from data_contracts/adressen.yaml.

Street directory (reference/adressen.csv): one area per address and validity start.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("adressen"))
schema = MODEL.schema
