"""Finding the deliveries in a landing folder, and refusing what does not belong there."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.deliveries import ALL_KINDS, DeliveryFile, DeliveryKind

FOLDERS = ("reference", "einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen")


@dataclass(frozen=True)
class RefusedFile:
    kind: str
    relpath: str
    path: Path
    reason: str
    message: str
    period_key: str | None = None


@dataclass
class Discovery:
    files: list[DeliveryFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[DeliveryFile]:
        return sorted((f for f in self.files if f.kind == kind), key=lambda f: f.period)


def _kinds_for_folder(folder: str) -> list[DeliveryKind]:
    return [k for k in ALL_KINDS.values() if k.folder == folder]


def discover(landing: Path) -> Discovery:
    landing = landing.resolve()
    out = Discovery()
    seen: dict[tuple[str, str], list[DeliveryFile]] = defaultdict(list)
    for folder in FOLDERS:
        base = landing / folder
        if not base.is_dir():
            continue
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            rel = f"{folder}/{entry.name}"
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            kind = next((k for k in _kinds_for_folder(folder) if k.matches(path)), None)
            kind_name = kind.name if kind else folder
            if entry.is_symlink() or not path.resolve().is_relative_to(landing):
                out.refused.append(
                    RefusedFile(
                        kind_name, rel, path, "datei_unzulaessig",
                        "symbolischer Link oder Pfad außerhalb des Eingangsordners: nicht gelesen",
                    )
                )  # fmt: skip
                continue
            if entry.is_dir():
                out.ignored.append(rel + "/")
                continue
            if kind is None:
                out.ignored.append(rel)
                continue
            period = kind.period_of(path)
            if period is None:
                out.refused.append(
                    RefusedFile(
                        kind.name, rel, path, "dateiname_ungueltig",
                        f"Dateiname ohne gültigen Zeitraum (erwartet {kind.file_stem}_"
                        + {"stichtag": "JJJJ-MM-TT", "monat": "JJJJ-MM", "jahr": "JJJJ"}[
                            kind.period_kind
                        ]
                        + ")",
                    )
                )  # fmt: skip
                continue
            seen[(kind.name, period.key)].append(DeliveryFile(kind.name, path, rel, period))
    for (kind_name, period_key), files in sorted(seen.items()):
        if len(files) == 1:
            out.files.append(files[0])
            continue
        names = ", ".join(f.relpath for f in files)
        for f in files:
            out.refused.append(
                RefusedFile(
                    kind_name, f.relpath, f.path, "periode_doppelt",
                    f"mehrere Lieferungen für denselben Zeitraum ({names}): keine davon geladen",
                    period_key,
                )
            )  # fmt: skip
    for entry in sorted(os.scandir(landing), key=lambda e: e.name) if landing.is_dir() else []:
        if entry.is_file() and entry.name != "manifest.json" and not entry.name.startswith("."):
            out.ignored.append(entry.name)
    return out
