"""pandera.polars model of the typed `bewegungen` delivery, built from data_contracts/bewegungen.yaml.

Moves, births and deaths by finest area and year.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("bewegungen"))
schema = MODEL.schema
