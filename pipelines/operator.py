"""Errors an operator can fix, as one German line that says what to do.

A full disk, a file the run may not read or write, a DuckDB file another program holds
open: these are not bugs, and a traceback (English, 90 lines, from SQLite or DuckDB)
tells the operator at 7 a.m. nothing. `explain` turns them into one line; anything it
does not recognise stays an error with its traceback (that is a bug to report).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

_LOCK = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in '
    r"(?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+?))?[.\s]"
)
_DISK_FULL = ("No space left on device", "database or disk is full", "Disk quota exceeded")


class OperatorError(RuntimeError):
    """An error with a German one-line message for the operator (no traceback)."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _error_info_chain(info):
    while info is not None:
        yield info
        info = info.cause or info.context


def _program(pid: int, fallback: str) -> str:
    """The command line of the process holding a lock (what an operator recognises)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return fallback
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    text = " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:6]))
    text = " ".join(text.split())  # one line, whatever the arguments hold
    return (text[:120] + " ...") if len(text) > 120 else text or fallback


def locked_file_message(text: str) -> str | None:
    m = _LOCK.search(text)
    if not m:
        return None
    name = Path(m["file"]).name
    pid = int(m["pid"])
    who = f"PID {pid}: {_program(pid, m['program'])}" + (
        f", Benutzer {m['user']}" if m["user"] else ""
    )
    hint = (
        " (für Auswertungen analyse.duckdb öffnen, das blockiert keinen Lauf)"
        if name == "warehouse.duckdb"
        else ""
    )
    return (
        f"{name} ist von einem anderen Programm geöffnet ({who}). Bitte dieses Programm "
        f"schließen{hint} und den Lauf wiederholen."
    )


def disk_full_message(where: str | None) -> str:
    place = f" für {where}" if where else ""
    return (
        f"Kein Speicherplatz mehr auf dem Datenträger{place}. Bitte Platz schaffen "
        "(z. B. alte Berichte oder Sicherungen verschieben) und den Lauf wiederholen; die "
        "veröffentlichten Daten sind unverändert."
    )


def permission_message(where: str | None) -> str:
    place = f" auf {where}" if where else ""
    return (
        f"Keine Berechtigung{place}. Bitte Eigentümer und Rechte prüfen (der Lauf braucht "
        "Lese- und Schreibrecht im Warehouse-Ordner) und den Lauf wiederholen."
    )


def _from_text(text: str, where: str | None = None) -> str | None:
    lock = locked_file_message(text)
    if lock:
        return lock
    if any(s in text for s in _DISK_FULL):
        return disk_full_message(where)
    if "Permission denied" in text:
        return permission_message(where)
    return None


def explain(exc: BaseException) -> str | None:
    """One German line for an operator error anywhere in the exception chain, else None."""
    for e in _chain(exc):
        if isinstance(e, OperatorError):
            return str(e)
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return disk_full_message(e.filename and str(e.filename))
        if isinstance(e, PermissionError):
            return permission_message(e.filename and str(e.filename))
    for e in _chain(exc):
        msg = _from_text(f"{type(e).__name__}: {e}")
        if msg:
            return msg
    return None


def explain_error_info(info) -> str | None:
    """The same for a Dagster step failure (a SerializableErrorInfo chain)."""
    for i in _error_info_chain(info):
        if i.cls_name == "OperatorError":
            return i.message.split(": ", 1)[-1].strip()
        msg = _from_text(f"{i.cls_name}: {i.message}")
        if msg:
            return msg
    return None


def probe_writable(db: Path) -> None:
    """Refuse to start when another program holds a warehouse DuckDB file open.

    DuckDB locks the whole file, a read-only connection too: an analyst's DBeaver on
    warehouse.duckdb would make the first write of the run fail. Checked before anything
    is read, so the run stops in seconds with the holder named.
    """
    import duckdb

    if not db.exists():
        return
    try:
        duckdb.connect(str(db)).close()
    except duckdb.IOException as exc:
        msg = locked_file_message(str(exc))
        if msg:
            raise OperatorError(msg) from None
        raise
