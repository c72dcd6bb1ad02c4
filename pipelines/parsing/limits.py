"""Hard limits on every delivered file, checked before its content is held in memory.

A landing folder is written by other offices and by hand; a file may be a mistake (an
export of the whole register instead of one table) or hostile (a 40 KB XLSX that unpacks to
gigabytes, one line of a gigabyte). Each limit refuses the file with `datei_zu_gross` and a
German message that names the limit and what the file has; nothing of it is loaded.

The limits are far above any real delivery (the largest file of the Berlin bench city is a
few MB; a BA small-area workbook of a city is under 5 MB) and far below what would exhaust
a 24 GB machine. They are constants, not city settings: a delivery that needs more is a
delivery to be split, not a threshold to raise.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from pipelines.parsing.errors import FileRejected
from pipelines.parsing.german import thousands

MAX_FILE_BYTES = 256 * 1024 * 1024  # a text delivery (CSV, GeoJSON) on disk
MAX_LINE_CHARS = 4 * 1024 * 1024  # one line of a CSV; a cell over 2,000 characters is
# quarantined anyway, a line this long is no table
MAX_XLSX_BYTES = 64 * 1024 * 1024  # the workbook on disk
MAX_XLSX_UNPACKED = 512 * 1024 * 1024  # all its parts unpacked, counted while unpacking
MAX_XLSX_PARTS = 10_000  # zip members (sheets, styles, strings, ...)
MAX_XLSX_CELL_CHARS = 32_767  # Excel's own limit: a longer text was not written by Excel
MAX_SMALL_FILE_BYTES = 1024 * 1024  # control files in the landing folder (bestaetigungen.txt)

REASON = "datei_zu_gross"


def _mb(n: int) -> str:
    return f"{thousands(n / (1024 * 1024))} MB"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or FileRejected if it is larger than `limit` (checked before reading)."""
    size = path.stat().st_size
    if size > limit:
        raise FileRejected(
            REASON,
            f"Datei ist {_mb(size)} groß, erlaubt sind höchstens {_mb(limit)}: "
            "Lieferung aufteilen oder Exporteinstellungen prüfen",
        )
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise FileRejected(REASON, f"Datei wächst beim Lesen über {_mb(limit)}")
    return data


def check_line_lengths(lines: Iterable[str], first_line: int = 1) -> None:
    """FileRejected naming the first line longer than MAX_LINE_CHARS."""
    lines = list(lines)
    if max(map(len, lines), default=0) <= MAX_LINE_CHARS:
        return
    for no, line in enumerate(lines, start=first_line):
        if len(line) > MAX_LINE_CHARS:
            raise FileRejected(
                REASON,
                f"Zeile {no} hat {thousands(len(line))} Zeichen, erlaubt sind höchstens "
                f"{thousands(MAX_LINE_CHARS)}: keine Tabellenzeile (fehlende Zeilenumbrüche?)",
            )


def check_workbook(path: Path) -> None:
    """Refuse an XLSX whose parts unpack beyond the limits, before any reader expands it.

    The sizes in the zip directory are written by the sender and may lie, so the parts are
    really unpacked (streamed, nothing kept) and the bytes counted; a file that is no zip at
    all is left to the reader, which says so.
    """
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise FileRejected(
            REASON,
            f"Excel-Datei ist {_mb(size)} groß, erlaubt sind höchstens {_mb(MAX_XLSX_BYTES)}",
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_PARTS:
            raise FileRejected(
                REASON,
                f"Excel-Datei hat {thousands(len(members))} Bestandteile, erlaubt sind höchstens "
                f"{thousands(MAX_XLSX_PARTS)}",
            )
        total = 0
        for member in members:
            try:
                with archive.open(member) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_XLSX_UNPACKED:
                            raise FileRejected(
                                REASON,
                                "Excel-Datei entpackt sich auf über "
                                f"{_mb(MAX_XLSX_UNPACKED)} (Teil {member.filename}): "
                                "kein Arbeitsbuch einer Lieferung",
                            )
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError):
                return  # damaged or encrypted: the reader refuses it with its own message


def check_cells(rows: Iterable[Iterable[str]], first_row: int = 1) -> None:
    """FileRejected naming the first spreadsheet cell longer than Excel allows."""
    for no, row in enumerate(rows, start=first_row):
        for col, value in enumerate(row, start=1):
            if len(value) > MAX_XLSX_CELL_CHARS:
                raise FileRejected(
                    REASON,
                    f"Zelle in Zeile {no}, Spalte {col} hat {thousands(len(value))} Zeichen, Excel "
                    f"erlaubt höchstens {thousands(MAX_XLSX_CELL_CHARS)}: keine mit Excel geschriebene "
                    "Arbeitsmappe",
                )
