"""pandera.polars model of the typed `einwohner` delivery, built from data_contracts/einwohner.yaml.

Population by finest area, age, sex and citizenship at one reference date.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("einwohner"))
schema = MODEL.schema
