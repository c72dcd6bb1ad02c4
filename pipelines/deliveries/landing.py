"""Finding the deliveries in a landing folder, and refusing what does not belong there."""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.deliveries import ALL_KINDS, DeliveryFile, DeliveryKind

FOLDERS = ("reference", "einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen")
# a budget (Haushaltsplan) is delivered before its year starts; every other kind
# describes something that has happened, so a period after today is a typo or a test file
FUTURE_ALLOWED = {"finanzen"}


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
    # delivery kind per profiled file (source profiles read foreign formats)
    kinds: dict[tuple[str, str], DeliveryKind] = field(default_factory=dict)

    def by_kind(self, kind: str) -> list[DeliveryFile]:
        return sorted((f for f in self.files if f.kind == kind), key=lambda f: f.period)


def _kinds_for_folder(folder: str) -> list[DeliveryKind]:
    return [k for k in ALL_KINDS.values() if k.folder == folder]


def discover(landing: Path, today: date | None = None, config: dict | None = None) -> Discovery:
    """Deliveries in `landing`; refuses links, special files and impossible periods.

    `today` (default: the current date) is the latest period start accepted.
    """
    today = today or date.today()
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
            if not _is_regular_file(entry):
                # a FIFO or device would block or never end when read
                out.refused.append(
                    RefusedFile(
                        kind.name, rel, path, "datei_unzulaessig",
                        "keine gewöhnliche Datei (Gerät, Pipe o. ä.): nicht gelesen",
                    )
                )  # fmt: skip
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
            if kind.name not in FUTURE_ALLOWED and period.first_day and period.first_day > today:
                out.refused.append(
                    RefusedFile(
                        kind.name, rel, path, "periode_zukunft",
                        f"Zeitraum {period.label()} liegt in der Zukunft (heute ist "
                        f"{today.strftime('%d.%m.%Y')}): Tippfehler im Dateinamen?",
                    )
                )  # fmt: skip
                continue
            seen[(kind.name, period.key)].append(DeliveryFile(kind.name, path, rel, period))
    if config and config.get("quellprofile"):
        from pipelines.profiles import discover_profiled

        profiled = discover_profiled(landing, config)
        out.refused += profiled.refused
        for f, k in profiled.files:
            seen[(f.kind, f.period.key)].append(f)
            out.kinds[(f.kind, f.relpath)] = k
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
        # files next to the source folders are not deliveries (only reported)
        if entry.is_file() and entry.name != "manifest.json" and not entry.name.startswith("."):
            out.ignored.append(entry.name)
    return out


def _is_regular_file(entry: os.DirEntry) -> bool:
    try:
        return stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return False
