"""pandera.polars model of the typed `finanzen` delivery, built from data_contracts/finanzen.yaml.

Doppic results by budget year, product and account.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("finanzen"))
schema = MODEL.schema
