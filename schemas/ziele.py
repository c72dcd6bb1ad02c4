"""pandera.polars model of the typed `ziele` delivery, built from data_contracts/ziele.yaml.

Council targets per indicator, area and year (reference/ziele.csv).
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("ziele"))
schema = MODEL.schema
