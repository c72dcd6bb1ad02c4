"""The benchmark's delivery files: generated once per scale, linked into a run folder, plus
one further month (sgb2 + sgb12) derived from the last delivered month for the incremental run."""

from __future__ import annotations

import calendar
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.parsing.german import MONTH_NAMES

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / "cache"
SEED = 1


@dataclass(frozen=True)
class CsvFile:
    relpath: str
    encoding: str  # python codec name
    skip: int  # lines before the header (BA title block)
    size: int


def cached_landing(scale: str) -> tuple[Path, float | None]:
    """Landing folder of `scale` (generated on first use); seconds spent generating or None."""
    landing = CACHE_DIR / scale / "landing"
    if (landing / "manifest.json").exists():
        return landing, None
    import time

    from pipelines.synthetic import generate

    shutil.rmtree(landing, ignore_errors=True)
    t0 = time.perf_counter()
    generate(landing, scale=scale, seed=SEED)
    return landing, time.perf_counter() - t0


def link_copy(src: Path, dst: Path) -> None:
    """A run folder whose files are hard links to the cache: no copy of a GB of data."""
    shutil.rmtree(dst, ignore_errors=True)
    for root, _dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(root) / name, dst / rel / name)


def encodings(landing: Path) -> dict[str, str]:
    manifest = json.loads((landing / "manifest.json").read_text(encoding="utf-8"))
    return {rel: meta.get("encoding") or "utf-8" for rel, meta in manifest["files"].items()}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _next_month(y: int, m: int) -> tuple[int, int]:
    return (y + 1, 1) if m == 12 else (y, m + 1)


def _last(landing: Path, folder: str, pattern: str) -> tuple[Path, re.Match]:
    found = []
    for p in (landing / folder).iterdir():
        m = re.fullmatch(pattern, p.name)
        if m:
            found.append((p.name, p, m))
    if not found:
        raise FileNotFoundError(f"keine Datei {pattern} in {folder}/")
    _, path, match = max(found)
    return path, match


def _date_variants(d: date) -> list[str]:
    return [d.strftime("%d.%m.%Y"), d.isoformat()]


def add_next_month(landing: Path, enc: dict[str, str]) -> list[tuple[str, str]]:
    """Write sgb2 and sgb12 of the month after the last one, copied with shifted period.

    Returns [(relpath, encoding)] of the new files.
    """
    out = []
    # sgb2: the title block names the reporting month; rows carry no period
    path, m = _last(landing, "sgb2", r"sgb2_(\d{4})-(\d{2})\.csv")
    y, mo = int(m[1]), int(m[2])
    ny, nm = _next_month(y, mo)
    rel = f"sgb2/{path.name}"
    codec = enc.get(rel, "utf-8")
    text = path.read_bytes().decode(codec)
    text, n = re.subn(
        rf"(Berichtsmonat\s*:?\s*){MONTH_NAMES[mo - 1]}\s+{y}",
        rf"\g<1>{MONTH_NAMES[nm - 1]} {ny}",
        text,
    )
    if n != 1:
        raise ValueError(f"{rel}: Berichtsmonat im Titelblock nicht gefunden")
    new_rel = f"sgb2/sgb2_{ny:04d}-{nm:02d}.csv"
    (landing / new_rel).write_bytes(text.encode(codec))
    out.append((new_rel, codec))

    # sgb12: the stichtag column holds the period in every row
    path, m = _last(landing, "sgb12", r"sgb12_(\d{4})-(\d{2})-(\d{2})\.csv")
    old_day = date(int(m[1]), int(m[2]), int(m[3]))
    new_day = _month_end(*_next_month(old_day.year, old_day.month))
    rel = f"sgb12/{path.name}"
    codec = enc.get(rel, "utf-8")
    lines = path.read_bytes().decode(codec).split("\n")
    header_idx = next(i for i, line in enumerate(lines) if "stichtag" in line.lower())
    col = [c.strip().strip('"').lower() for c in lines[header_idx].split(";")].index("stichtag")
    swap = dict(zip(_date_variants(old_day), _date_variants(new_day), strict=True))
    changed = 0
    for i in range(header_idx + 1, len(lines)):
        cells = lines[i].split(";")
        if len(cells) > col and cells[col].strip() in swap:
            cells[col] = swap[cells[col].strip()]
            lines[i] = ";".join(cells)
            changed += 1
    if not changed:
        raise ValueError(f"{rel}: keine Zeile mit Stichtag {old_day}")
    new_rel = f"sgb12/sgb12_{new_day.isoformat()}.csv"
    (landing / new_rel).write_bytes("\n".join(lines).encode(codec))
    out.append((new_rel, codec))
    return out


def csv_inventory(landing: Path, enc: dict[str, str]) -> list[CsvFile]:
    """Every CSV delivery with its encoding and the number of title lines before the header."""
    files = []
    for path in sorted(landing.rglob("*.csv")):
        rel = path.relative_to(landing).as_posix()
        codec = enc.get(rel, "utf-8")
        with path.open("rb") as fh:
            head = [fh.readline() for _ in range(60)]
        skip = next((i for i, line in enumerate(head) if line.count(b";") >= 1), 0)
        files.append(CsvFile(rel, codec, skip, path.stat().st_size))
    return files
