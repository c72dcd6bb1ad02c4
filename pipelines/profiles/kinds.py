"""Delivery kinds whose `read()` applies a source profile, and finding profiled files.

The kinds subclass the canonical ones (Einwohner, Sgb2): transform, contracts, quarantine
and audit are theirs; only reading differs, plus the lines a profile already refused.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.deliveries.admission import RefusedFile, admit, one_per_period
from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import concat_quarantine, drop_lines
from pipelines.deliveries.einwohner import Einwohner
from pipelines.deliveries.periods import Period
from pipelines.deliveries.sgb2 import Sgb2
from pipelines.parsing.table import ParsedTable
from pipelines.profiles.canonical import ProfiledTable, build_table, read_hierarchy
from pipelines.profiles.schema import (
    PROFILES_DIR,
    DeliverySpec,
    FileSpec,
    Profile,
    ProfileError,
    check_age_cuts,
    indicator_age_cuts,
    load_profile,
)
from pipelines.profiles.source import read_source


class _Profiled:
    """Mixin: read through the profile, then let the canonical transform do the rest."""

    profile: Profile
    spec: DeliverySpec
    file_spec: FileSpec
    landing: Path | None
    requires_footer = False  # a city's own export format has no BA footer

    def read(self, path: Path) -> ProfiledTable:
        table = read_source(path, self.file_spec)
        hierarchy = None
        if self.spec.hierarchy is not None:
            hierarchy = read_hierarchy(self.spec.hierarchy)
        period = self.period_of(path)
        value = period.last_day.isoformat() if period is not None else ""
        return build_table(table, self.spec, self.file_spec, value, hierarchy, self.profile.name)

    def period_of(self, path: Path) -> Period | None:
        return profile_period(self.spec, path)

    def name_rule(self) -> str:
        return (
            f"Dateiname passt nicht zu periode.aus_dateiname des Quellprofils {self.profile.name}"
        )

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        if not isinstance(parsed, ProfiledTable):
            return super().transform(file, parsed, ctx)  # type: ignore[misc]
        inner = dataclasses.replace(parsed, frame=drop_lines(parsed.frame, parsed.violations))
        out = super().transform(file, inner, ctx)  # type: ignore[misc]
        out.quarantine = concat_quarantine([parsed.violations, out.quarantine])
        out.warnings = [f"Quellprofil {parsed.profile}", *parsed.warnings, *out.warnings]
        return out


class ProfiledEinwohner(_Profiled, Einwohner):
    def __init__(self, profile: Profile, spec: DeliverySpec, file_spec: FileSpec, landing=None):
        super().__init__()
        self.profile, self.spec, self.file_spec, self.landing = profile, spec, file_spec, landing
        self.suffixes = (Path(file_spec.pattern).suffix.lower(),)


class ProfiledSgb2(_Profiled, Sgb2):
    def __init__(self, profile: Profile, spec: DeliverySpec, file_spec: FileSpec, landing=None):
        super().__init__()
        self.profile, self.spec, self.file_spec, self.landing = profile, spec, file_spec, landing
        self.suffixes = (Path(file_spec.pattern).suffix.lower(),)


KIND_CLASSES = {"einwohner": ProfiledEinwohner, "sgb2": ProfiledSgb2}


def profile_period(spec: DeliverySpec, path: Path) -> Period | None:
    """The delivery's period: fixed in the profile, or from the file name."""
    if spec.period_fixed is not None:
        key = spec.period_fixed
    else:
        m = re.search(spec.period_from_name, path.name)
        if not m:
            return None
        y, mo = int(m["jahr"]), int(m["monat"])
        if not 1 <= mo <= 12:
            return None
        if spec.kind == "einwohner":
            tag = m.groupdict().get("tag")
            p = Period("monat", f"{y:04d}-{mo:02d}")
            key = f"{y:04d}-{mo:02d}-{int(tag):02d}" if tag else p.last_day.isoformat()
        else:
            key = f"{y:04d}-{mo:02d}"
    return Period("stichtag" if spec.kind == "einwohner" else "monat", key)


@dataclass
class ProfiledDiscovery:
    # admitted files with the kind that reads them (before the one-file-per-period rule,
    # which landing.discover applies to these and the canonical files together)
    candidates: list[tuple[DeliveryFile, DeliveryKind]] = field(default_factory=list)
    refusals: list[RefusedFile] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # relpaths read through a profile

    @property
    def files(self) -> list[tuple[DeliveryFile, DeliveryKind]]:
        kinds = {(f.kind, f.relpath): k for f, k in self.candidates}
        files, _ = one_per_period(f for f, _ in self.candidates)
        return [(f, kinds[(f.kind, f.relpath)]) for f in files]

    @property
    def refused(self) -> list[RefusedFile]:
        _, twins = one_per_period(f for f, _ in self.candidates)
        return [*self.refusals, *twins]


def resolve_profile_path(entry: str, landing: Path) -> Path:
    """A `quellprofile` entry: absolute, relative to the landing folder, or to profiles/."""
    p = Path(entry)
    if p.is_absolute():
        return p
    for base in (landing, PROFILES_DIR):
        if (base / p).is_file():
            return base / p
    raise ProfileError(
        f"Quellprofil {entry!r} nicht gefunden (gesucht in {landing} und {PROFILES_DIR})"
    )


def discover_profiled(landing: Path, config: dict, today: date | None = None) -> ProfiledDiscovery:
    """Every file of the landing folder that a configured source profile claims, admitted
    or refused by the same rules as every delivery (deliveries/admission.py)."""
    landing = landing.resolve()
    today = today or date.today()
    out = ProfiledDiscovery()
    cuts = indicator_age_cuts(config)
    for entry in config.get("quellprofile") or []:
        profile = load_profile(resolve_profile_path(str(entry), landing))
        for spec in profile.deliveries:
            if spec.kind == "einwohner":  # the city config may move the cuts
                check_age_cuts(spec.bands, cuts, spec.cuts_not_representable,
                               f"Quellprofil {profile.path.name} ({spec.kind})")  # fmt: skip
        for fspec in profile.files:
            for path in sorted(landing.glob(fspec.pattern)):
                rel = path.relative_to(landing).as_posix()
                if path.is_dir() or path.name.startswith("."):
                    continue
                out.claimed.add(rel)
                for spec in profile.deliveries:
                    kind = KIND_CLASSES[spec.kind](profile, spec, fspec, landing)
                    found = admit(kind, rel, path, landing, today)
                    if isinstance(found, RefusedFile):
                        out.refusals.append(found)
                    elif found is not None:
                        out.candidates.append((found, kind))
    return out


def canonical_frame(
    kind: DeliveryKind, file: DeliveryFile, parsed: ParsedTable | None = None
) -> pl.DataFrame:
    """Typed canonical rows of one profiled file (read + contract typing, no warehouse)."""
    parsed = parsed if parsed is not None else kind.read(file.path)
    frame = (
        drop_lines(parsed.frame, parsed.violations)
        if isinstance(parsed, ProfiledTable)
        else parsed.frame
    )
    inner = dataclasses.replace(parsed, frame=frame)
    typed, _ = kind.typed(inner, file)
    return typed
