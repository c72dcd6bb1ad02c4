"""Files of the published version that the next version can take over unchanged.

A published Parquet or Excel file is a function of its table (rows and types), the
table's German comments and the code that writes it. Each is kept under a digest of
those in the warehouse folder's disclosure cache (`dateien_geschrieben.json`, with the
name of the version that holds them); the next version links a file whose digest is the
same instead of writing it again (one more month leaves the projection, the areas, the
catalogue and most of the Bedarfsplanung as they were). A missing or damaged record,
or another published version than the recorded one, writes every file.
"""

from __future__ import annotations

import json
import os
import shutil
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.disclosure.digest import digest, frame_bytes, rules_digest
from pipelines.publish import version
from pipelines.warehouse.files import WarehousePaths

RECORD = "dateien_geschrieben.json"


@cache
def _writer_code() -> str:
    """The source of everything that shapes a published file (pipelines/publish, the
    Bedarfsplanung helpers of the report the Kita workbook uses, and with `rules_digest`
    the disclosure rules) and the versions of the libraries that write Parquet."""
    import pyarrow

    here = Path(__file__).resolve().parent
    files = [*sorted(here.glob("*.py")), here.parent / "report" / "bedarfsplanung.py"]
    return digest(pyarrow.__version__, pl.__version__, rules_digest(*files))


class Reuse:
    """What the current version holds (relative path -> digest) and what this one writes."""

    def __init__(self, paths: WarehousePaths, tables: dict[str, pl.DataFrame], docs) -> None:
        # each table's digest, taken once: its rows and types, its comments, the writer code
        self.tables = {
            name: digest(_writer_code(), repr(docs[name]), frame_bytes(frame))
            for name, frame in tables.items()
        }
        self.record = paths.disclosure_cache / RECORD
        self.previous = version.current_version(paths)
        self.old: dict[str, str] = {}
        self.new: dict[str, str] = {}
        self.reused: list[str] = []
        try:
            stored = json.loads(self.record.read_text(encoding="utf-8"))
            if self.previous is not None and stored.get("version") == self.previous.name:
                self.old = {str(k): str(v) for k, v in stored["dateien"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.old = {}

    def take(self, folder: Path, rel: str, *names: str) -> bool:
        """Link the current version's file `rel` into `folder` when the tables `names` it
        is made of are the same as then; False: the caller writes it."""
        key = digest(rel, *(self.tables[n] for n in names))
        self.new[rel] = key
        if self.previous is None or self.old.get(rel) != key:
            return False
        source = self.previous / rel
        if not source.is_file():
            return False
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        self.reused.append(rel)
        return True

    def save(self, published: Path) -> None:
        """After the switch: the new version holds what this run wrote or took over."""
        self.record.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.record.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"version": published.name, "dateien": self.new}, indent=0),
            encoding="utf-8",
        )
        os.replace(tmp, self.record)
