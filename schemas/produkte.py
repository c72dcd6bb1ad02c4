"""pandera.polars model of the typed `produkte` delivery, built from data_contracts/produkte.yaml.

Product -> domain mapping (reference/produkte.csv).
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("produkte"))
schema = MODEL.schema
