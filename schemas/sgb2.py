"""pandera.polars model of the typed `sgb2` delivery, built from data_contracts/sgb2.yaml.

BA SGB II small-area table: each count as value (Int64) plus `<measure>_symbol`.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("sgb2"))
schema = MODEL.schema
