"""Sensors: the landing folder."""

from __future__ import annotations


def sensors() -> list:
    return []
