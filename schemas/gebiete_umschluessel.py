"""pandera.polars model of the typed `gebiete_umschluessel` delivery, built from data_contracts/gebiete_umschluessel.yaml.

Boundary-change crosswalk: shares of one old area sum to 1 per change date.
"""

from pipelines.contracts.loader import load_contract
from schemas._build import ContractModel, build_model

MODEL: ContractModel = build_model(load_contract("gebiete_umschluessel"))
schema = MODEL.schema
