"""Acceptance oracle of the indicator marts.

Every indicator of docs/indicators.md is recomputed straight from the landing files in
plain polars (no dbt SQL, no typed frames of the ingestion code) and compared with
`marts.indikatoren`. Entry point: `tests.oracle.oracle.build_oracle(landing)`.
"""
