"""pandera.polars model of the typed `sgb8` delivery, built from data_contracts/sgb8.yaml.

SGB VIII cases of one year; `jahr` comes from the file name.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("sgb8"))
schema = MODEL.schema
