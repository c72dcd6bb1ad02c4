"""Whether one file found for a delivery kind is admitted as a delivery: written once, for
the files of the landing folders and for those a source profile claims.

A file is refused (never opened) when it is a link or leads outside the landing folder, is
no regular file, has no valid period in its name, an implausible period (before 1950, in
the future) or no read permission; two files of one kind and period are both refused.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.deliveries.base import DeliveryFile, DeliveryKind
from pipelines.deliveries.periods import Period

# no municipal series in this warehouse reaches back further; `einwohner_1024-...` is a typo
EARLIEST_YEAR = 1950


@dataclass(frozen=True)
class RefusedFile:
    kind: str
    relpath: str
    path: Path
    reason: str
    message: str
    period_key: str | None = None


def admit(
    kind: DeliveryKind, rel: str, path: Path, landing: Path, today: date
) -> DeliveryFile | RefusedFile | None:
    """The delivery, or why it is refused; None for a folder named like a delivery (what
    lies inside is accounted for as no delivery)."""
    if path.is_symlink() or not path.resolve().is_relative_to(landing):
        return RefusedFile(
            kind.name, rel, path, "datei_unzulaessig",
            "symbolischer Link oder Pfad außerhalb des Eingangsordners: nicht gelesen",
        )  # fmt: skip
    mode = _mode(path)
    if mode is not None and stat.S_ISDIR(mode):
        return None
    if mode is None or not stat.S_ISREG(mode):
        # a FIFO or device would block or never end when read
        return RefusedFile(
            kind.name, rel, path, "datei_unzulaessig",
            "keine gewöhnliche Datei (Gerät, Pipe o. ä.): nicht gelesen",
        )  # fmt: skip
    period = kind.period_of(path)
    if period is None:
        return RefusedFile(kind.name, rel, path, "dateiname_ungueltig", kind.name_rule())
    refusal = implausible_period(kind, period, today)
    if refusal:
        return RefusedFile(kind.name, rel, path, *refusal)
    if not _readable(path):
        return RefusedFile(
            kind.name, rel, path, "datei_unlesbar",
            "keine Leseberechtigung: nicht gelesen (Rechte oder Eigentümer der Datei "
            "prüfen, z. B. chmod g+r; die übrigen Dateien werden geladen)",
            period.key,
        )  # fmt: skip
    return DeliveryFile(kind.name, path, rel, period)


def one_per_period(
    candidates: Iterable[DeliveryFile],
) -> tuple[list[DeliveryFile], list[RefusedFile]]:
    """Files that are the only one of their kind and period; the others refused, all of them."""
    seen: dict[tuple[str, str], list[DeliveryFile]] = defaultdict(list)
    for f in candidates:
        seen[(f.kind, f.period.key)].append(f)
    files, refused = [], []
    for (kind_name, period_key), group in sorted(seen.items()):
        if len(group) == 1:
            files.append(group[0])
            continue
        names = ", ".join(f.relpath for f in group)
        for f in group:
            refused.append(
                RefusedFile(
                    kind_name, f.relpath, f.path, "periode_doppelt",
                    f"mehrere Lieferungen für denselben Zeitraum ({names}): keine davon geladen",
                    period_key,
                )
            )  # fmt: skip
    return files, refused


def implausible_period(kind: DeliveryKind, period: Period, today: date) -> tuple[str, str] | None:
    first = period.first_day
    if first is None:
        return None
    if first.year < EARLIEST_YEAR:
        return (
            "periode_unplausibel",
            f"Zeitraum {period.label()} liegt vor {EARLIEST_YEAR}: Tippfehler im Dateinamen?",
        )
    # a budget (Haushaltsplan) is delivered before its year starts (kind.years_ahead); every
    # other kind describes something that has happened: a later period is a typo or a test
    if kind.years_ahead is not None:
        if first.year > today.year + kind.years_ahead:
            return (
                "periode_zukunft",
                f"Haushaltsjahr {period.label()} liegt mehr als {kind.years_ahead} Jahre in "
                f"der Zukunft (heute ist {today.strftime('%d.%m.%Y')}): Tippfehler im Dateinamen?",
            )
        return None
    if first > today:
        return (
            "periode_zukunft",
            f"Zeitraum {period.label()} liegt in der Zukunft (heute ist "
            f"{today.strftime('%d.%m.%Y')}): Tippfehler im Dateinamen?",
        )
    return None


def _mode(path: Path) -> int | None:
    try:
        return path.lstat().st_mode
    except OSError:
        return None


def _readable(path: Path) -> bool:
    """False if this user may not read the file (an office share with wrong rights)."""
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except PermissionError:
        return False
    except OSError:
        return True  # any other problem shows when the file is read, with its own reason
    return True
