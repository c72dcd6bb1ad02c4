"""Assembling the oracle: landing folder -> expected `marts.indikatoren` rows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from tests.oracle import counts as c
from tests.oracle.indicators import CATALOGUE, indicator_rows, level_cells, with_dynamics
from tests.oracle.read import Defects, load_manifest
from tests.oracle.reference import Areas, read_areas, read_directory


@dataclass
class Oracle:
    manifest: dict
    areas: Areas
    finest: pl.DataFrame  # finest count cells as delivered
    basis: pl.DataFrame  # counts on every level, as delivered and recast
    indikatoren: pl.DataFrame  # expected marts.indikatoren rows
    problems: list = field(default_factory=list)  # landing rows that fit nowhere
    seconds: dict[str, float] = field(default_factory=dict)


def build_oracle(landing: Path) -> Oracle:
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        seconds[name] = round(now - t0, 3)
        t0 = now

    manifest = load_manifest(landing)
    defects = Defects.from_manifest(manifest)
    problems: list = []
    areas = read_areas(landing)
    directory = read_directory(landing)
    lap("referenz")
    ew = c.einwohner_counts(landing, areas, defects, problems)
    bw = c.bewegungen_counts(landing, areas, defects, problems)
    lap("einwohner+bewegungen")
    s2 = c.sgb2_counts(landing, areas, defects, problems)
    lap("sgb2")
    persons, p12 = c.sgb12_persons(landing, areas, directory, defects, problems)
    s12 = c.sgb12_counts(persons, p12, areas, problems)
    lap("sgb12")
    cases, p8 = c.sgb8_cases(landing, areas, directory, defects, problems)
    s8 = c.sgb8_counts(cases, p8, areas, problems)
    lap("sgb8")
    tr = c.transfer_counts(s2, s12)
    finest = pl.concat([ew, bw, s2, s12, s8, tr], how="vertical_relaxed")
    basis = level_cells(finest, areas, landing)
    lap("summen+umrechnung")
    rows = pl.concat([indicator_rows(ind, basis) for ind in CATALOGUE], how="vertical_relaxed")
    rows = with_dynamics(rows)
    lap("indikatoren")
    return Oracle(manifest, areas, finest, basis, rows, problems, seconds)
