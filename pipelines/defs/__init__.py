"""Dagster wiring: assets, checks, sensors and schedules. The logic lives elsewhere."""
