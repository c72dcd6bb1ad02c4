"""The Sozialbericht: one self-contained German HTML report built only from publish.duckdb."""

from .build import build_report

__all__ = ["build_report"]
