"""Jobs and schedules for the monthly and yearly delivery cycles."""

from __future__ import annotations


def jobs() -> list:
    return []


def schedules() -> list:
    return []
