"""What became of every file in the landing folder in one run: the run's summary and audit.

Built from this run's load results and the folder as it is now, never from earlier runs'
decisions: a refused file lying in the folder is reported as refused on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.deliveries.landing import Discovery

# outcome of a file in one run (audit.eingang.status)
LOADED = ("geladen", "ersetzt")
UNCHANGED = "unveraendert"
REFUSED = "abgewiesen"
NOT_DELIVERY = "keine_lieferung"
NOT_PROCESSED = "nicht_verarbeitet"  # the run ended before the file's load (a step failed)


@dataclass(frozen=True)
class Entry:
    relpath: str
    kind: str | None
    period_key: str | None
    status: str
    sha256: str | None = None
    size: int | None = None
    reason: str | None = None  # refusal code, or the rule a non-delivery missed
    message: str | None = None
    resembles: str | None = None

    def describe(self) -> str:
        text = f"{self.relpath}: {self.status}"
        if self.reason:
            text += f" ({self.reason})"
        if self.message:
            text += f": {self.message}"
        if self.resembles:
            text += f"; ähnelt {self.resembles}"
        return text


def build(discovery: Discovery, results: list, current: dict[tuple[str, str], str]) -> list[Entry]:
    """One entry per file: `results` are this run's LoadResults, `current` the sha256 the
    warehouse holds per (kind, period) after the run."""
    by_file = {(r.kind, r.relpath): r for r in results}
    out: list[Entry] = []
    for f in discovery.files:
        r = by_file.get((f.kind, f.relpath))
        size = _size(f.path)
        if r is not None:
            out.append(Entry(f.relpath, f.kind, f.period.key, r.status, r.sha256, size,
                             r.reason, r.message))  # fmt: skip
        elif current.get((f.kind, f.period.key)) == f.sha256():
            out.append(Entry(f.relpath, f.kind, f.period.key, UNCHANGED, f.sha256(), size))
        else:
            out.append(Entry(f.relpath, f.kind, f.period.key, NOT_PROCESSED, None, size, None,
                             "nicht geladen: der Lauf endete vorher (siehe Fehlermeldung)"))  # fmt: skip
    for rf in discovery.refused:
        r = by_file.get((rf.kind, rf.relpath))
        out.append(Entry(rf.relpath, rf.kind, rf.period_key, REFUSED, r.sha256 if r else None,
                         _size(rf.path), rf.reason, rf.message))  # fmt: skip
    for o in discovery.others:
        out.append(Entry(o.relpath, None, None, NOT_DELIVERY, None, _size(o.path), o.rule,
                         o.message, o.resembles))  # fmt: skip
    return sorted(out, key=lambda e: (e.relpath, e.kind or ""))


def _size(path) -> int | None:
    try:
        return path.lstat().st_size
    except OSError:
        return None
