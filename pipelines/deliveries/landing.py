"""Finding the deliveries in a landing folder, and accounting for everything else there.

Every decision is taken from what lies in the folder now (a file's name, its neighbours,
later its bytes), never from what an earlier run decided: a file refused as a duplicate
loads once its twin is gone, a future period loads once its date has come.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.deliveries.admission import RefusedFile, admit, one_per_period
from pipelines.deliveries.base import DeliveryFile, DeliveryKind
from pipelines.deliveries.periods import PERIOD_FORMS, period_from_name
from pipelines.deliveries.registry import ALL_KINDS, FOLDERS
from pipelines.deliveries.volume import CONFIRM_FILE
from pipelines.profiles.kinds import discover_profiled

# FOLDERS (the registry): the landing folders of the delivery kinds, e.g. reference/, sgb2/
GENERATOR_MANIFEST = "manifest.json"  # the synthetic city's list of deliberate defects


@dataclass(frozen=True)
class NotDelivery:
    """A file in the landing folder that is no delivery: the rule it missed, what it resembles."""

    relpath: str
    path: Path
    rule: str  # code: kein_quellordner | unterordner | dateiname_unbekannt | versteckt | link
    message: str  # the rule in German
    resembles: str | None = None  # e.g. 'sgb12/sgb12_2025-01-31.csv' for a near miss

    def describe(self) -> str:
        text = f"{self.relpath}: keine Lieferung ({self.rule}): {self.message}"
        if self.resembles:
            text += f"; ähnelt {self.resembles}"
        return text


@dataclass
class Discovery:
    files: list[DeliveryFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    others: list[NotDelivery] = field(default_factory=list)
    # delivery kind per profiled file (source profiles read foreign formats)
    kinds: dict[tuple[str, str], DeliveryKind] = field(default_factory=dict)

    def by_kind(self, kind: str) -> list[DeliveryFile]:
        return sorted((f for f in self.files if f.kind == kind), key=lambda f: f.period)

    @property
    def near_misses(self) -> list[NotDelivery]:
        """Files that look like a delivery but are none: a misnamed or misplaced delivery."""
        return [o for o in self.others if o.resembles]

    def problem(self) -> str | None:
        """Why this folder cannot be a landing folder (German), or None.

        Without an area hierarchy every count is quarantined; without any delivery the run
        would build an empty warehouse and a report dated today.
        """
        kinds = {f.kind for f in self.files} | {r.kind for r in self.refused}
        hints = "".join(f"\n  - {o.describe()}" for o in self.near_misses[:10])
        if "gebiete" not in kinds:
            return (
                "keine Referenzdaten: reference/gebiete.csv fehlt (ohne Gebietsgliederung kann "
                "nichts zugeordnet werden). Richtiger Eingangsordner?" + hints
            )
        if not kinds - {"gebiete", *_reference_kinds()} - {"reference"}:
            return (
                "keine Lieferung erkannt (nur Referenzdaten; erwartet z. B. "
                "einwohner/einwohner_JJJJ-MM-TT.csv, sgb2/sgb2_JJJJ-MM.csv). "
                "Richtiger Eingangsordner?" + hints
            )
        return None


def _reference_kinds() -> set[str]:
    return {k.name for k in ALL_KINDS.values() if k.folder == "reference"}


def _kinds_for_folder(folder: str) -> list[DeliveryKind]:
    return [k for k in ALL_KINDS.values() if k.folder == folder]


def discover(landing: Path, today: date | None = None, config: dict | None = None) -> Discovery:
    """Deliveries in `landing`; refuses links, special files and impossible periods, and
    lists every other file as no delivery (with the rule it missed).

    `today` (default: the current date) is the latest period start accepted. Files that a
    source profile of `config` claims are read through that profile (pipelines/profiles).
    """
    today = today or date.today()
    landing = landing.resolve()
    out = Discovery()
    candidates: list[DeliveryFile] = []
    claimed: set[str] = set()
    if config and config.get("quellprofile"):
        profiled = discover_profiled(landing, config, today)
        out.refused += profiled.refusals
        claimed = set(profiled.claimed)
        for f, k in profiled.candidates:
            candidates.append(f)
            out.kinds[(f.kind, f.relpath)] = k
    for folder in FOLDERS:
        base = landing / folder
        if not base.is_dir():
            continue
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            rel = f"{folder}/{entry.name}"
            if rel in claimed or entry.name.startswith("."):
                continue
            path = Path(entry.path)
            kind = next((k for k in _kinds_for_folder(folder) if k.matches(path)), None)
            if kind is None:
                if entry.is_symlink():  # a link in a source folder is never followed
                    out.refused.append(
                        RefusedFile(
                            folder, rel, path, "datei_unzulaessig",
                            "symbolischer Link oder Pfad außerhalb des Eingangsordners: "
                            "nicht gelesen",
                        )
                    )  # fmt: skip
                continue  # not a delivery: accounted for by the walk below
            found = admit(kind, rel, path, landing, today)
            if isinstance(found, RefusedFile):
                out.refused.append(found)
            elif found is not None:
                candidates.append(found)
    files, twins = one_per_period(candidates)
    out.files += files
    out.refused += twins
    accounted = claimed | {f.relpath for f in out.files} | {r.relpath for r in out.refused}
    out.others = [o for o in _others(landing) if o.relpath not in accounted]
    return out


# --- everything that is not a delivery ------------------------------------------------------


def _walk(landing: Path):
    """(relpath, DirEntry) of every non-directory entry below `landing`; links not followed."""
    stack = [("", str(landing))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((rel + "/", entry.path))
            elif prefix == "" and entry.name in FOLDERS and entry.is_symlink():
                # a source folder that is a link: its files are refused one by one above
                continue
            else:
                yield rel, entry


def _others(landing: Path) -> list[NotDelivery]:
    out = []
    for rel, entry in _walk(landing):
        if rel == CONFIRM_FILE:
            out.append(NotDelivery(rel, Path(entry.path), "bestaetigungen",
                                   "Bestätigungen für Lieferungen mit auffälligem Umfang"))  # fmt: skip
            continue
        if rel == GENERATOR_MANIFEST:
            out.append(NotDelivery(rel, Path(entry.path), "kein_quellordner",
                                   "Fehlerliste des Generators (synthetische Stadt)"))  # fmt: skip
            continue
        out.append(_classify(rel, Path(entry.path), entry.is_symlink()))
    return sorted(out, key=lambda o: o.relpath)


def _fold(text: str) -> str:
    """Compare names as a person reads them: NFC, case, surrounding blanks."""
    return unicodedata.normalize("NFC", text).strip().casefold()


_SEPARATORS = re.compile(r"^[\s_.\-–—]+")


def _resembles(parts: list[str]) -> tuple[DeliveryKind, str] | None:
    """The delivery kind and canonical relpath a misnamed or misplaced file resembles."""
    name = parts[-1]
    stem, suffix = os.path.splitext(name)
    stem_f, suffix_f = _fold(stem), _fold(suffix)
    folders = [_fold(p) for p in parts[:-1]]
    # longest stem first: 'gebiete_umschluessel' before 'gebiete'
    kinds = sorted(ALL_KINDS.values(), key=lambda k: -len(k.file_stem))
    for kind in kinds:
        if not stem_f.startswith(kind.file_stem):
            continue
        rest = _SEPARATORS.sub("", stem_f[len(kind.file_stem) :])
        ext = suffix_f if suffix_f in kind.suffixes else kind.suffixes[0]
        if kind.period_kind is None:
            if rest == "" and (suffix_f in kind.suffixes or not suffix_f):
                return kind, f"{kind.folder}/{kind.file_stem}{ext}"
            continue
        period = period_from_name("_" + rest.replace("_", "-"), kind.period_kind)
        if period is None and rest:
            continue
        shown = period.key if period else PERIOD_FORMS[kind.period_kind]
        return kind, f"{kind.folder}/{kind.file_stem}_{shown}{ext}"
    for folder in reversed(folders):
        candidates = _kinds_for_folder(folder)
        if not candidates:
            continue
        kind = next((k for k in candidates if suffix_f in k.suffixes), None)
        if kind is None:
            return None
        if kind.period_kind is None:
            return kind, f"{folder}/{'|'.join(k.file_stem for k in candidates)}{suffix_f}"
        return kind, f"{folder}/{kind.file_stem}_{PERIOD_FORMS[kind.period_kind]}{suffix_f}"
    return None


def _classify(rel: str, path: Path, is_link: bool) -> NotDelivery:
    parts = rel.split("/")
    name = parts[-1]
    found = _resembles(parts)
    resembles = found[1] if found else None
    if is_link:
        return NotDelivery(rel, path, "link", "symbolischer Link: nicht gefolgt", resembles)
    if any(p.startswith(".") for p in parts):
        return NotDelivery(rel, path, "versteckt", "versteckte Datei (beginnt mit '.')")
    folder = parts[0] if len(parts) > 1 else None
    if folder is None:
        return NotDelivery(
            rel, path, "kein_quellordner",
            "liegt nicht in einem Quellordner (" + ", ".join(f + "/" for f in FOLDERS) + ")",
            resembles,
        )  # fmt: skip
    if folder not in FOLDERS:
        similar = next((f for f in FOLDERS if _fold(folder) == f), None)
        hint = f" (Groß-/Kleinschreibung zählt: {similar}/)" if similar else ""
        return NotDelivery(
            rel, path, "kein_quellordner", f"Ordner {folder}/ ist kein Quellordner{hint}",
            resembles,
        )  # fmt: skip
    if len(parts) > 2:
        return NotDelivery(
            rel, path, "unterordner",
            f"liegt in einem Unterordner von {folder}/ (Lieferungen liegen direkt im Quellordner)",
            resembles,
        )  # fmt: skip
    expected = " oder ".join(
        f"{k.file_stem}" + (f"_{PERIOD_FORMS[k.period_kind]}" if k.period_kind else "")
        + "/".join(k.suffixes)
        for k in _kinds_for_folder(folder)
    )  # fmt: skip
    folded = Path(_fold(name))
    case_hint = (
        " (Groß-/Kleinschreibung zählt)"
        if _fold(name) != name and any(k.matches(folded) for k in _kinds_for_folder(folder))
        else ""
    )
    return NotDelivery(
        rel, path, "dateiname_unbekannt",
        f"Dateiname passt zu keiner Lieferung in {folder}/ (erwartet {expected}){case_hint}",
        resembles,
    )  # fmt: skip


class LandingError(ValueError):
    """The folder given as landing folder cannot be one (German message, exit 1)."""
