"""pandera.polars model of the typed `gebiete` delivery, built from data_contracts/gebiete.yaml.

Area hierarchy (reference/gebiete.csv): unique key, known parents, no cycles.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("gebiete"))
schema = MODEL.schema
