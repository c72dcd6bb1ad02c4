"""Delivery kinds and their load: the registry (registry.py: one contract in data_contracts/
plus one transform module here per kind), landing discovery (landing.py), the load (load.py,
ingest.py). This file imports nothing, so importing any module here costs only that module.
"""
