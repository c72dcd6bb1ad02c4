"""Readers for the tests: decode as the manifest says, split German CSV lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def read_lines(root: Path, rel: str, encoding: str) -> list[str]:
    raw = (root / rel).read_bytes()
    text = raw.decode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_table(root: Path, rel: str, encoding: str) -> tuple[list[str], list[list[str]]]:
    lines = read_lines(root, rel, encoding)
    return lines[0].split(";"), [line.split(";") for line in lines[1:]]


def parse_date(text: str) -> dt.date:
    if "." in text:
        d, m, y = text.split(".")
        return dt.date(int(y), int(m), int(d))
    return dt.date.fromisoformat(text)


def parse_money(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
