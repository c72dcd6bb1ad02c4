"""One published version is one unit: publish.duckdb, parquet/ and excel/ switch together.

A version is built in a staging folder, sealed (every file's sha256 in `version.json`,
renamed to its final name) and published by one atomic rename of the symlink
`veroeffentlichung/aktuell`. The entries BI tools and scripts know stay where they were,
as fixed symlinks through that pointer:

    publish.duckdb -> veroeffentlichung/aktuell/publish.duckdb
    parquet        -> veroeffentlichung/aktuell/parquet
    excel          -> veroeffentlichung/aktuell/excel

A reader opening any of them gets one complete version; a reader that wants several files
of one version resolves `veroeffentlichung/aktuell` once (`current_version`). A BI client
holding publish.duckdb open keeps its version: the previous version stays on disk until
the next publish, older ones are removed (an open file stays readable after removal).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines import faults
from pipelines.warehouse.files import WarehousePaths

FOLDER = "veroeffentlichung"
CURRENT = "aktuell"
MANIFEST = "version.json"
ENTRIES = ("publish.duckdb", "parquet", "excel")
STAGING_PREFIX = ".neu."
KEEP_PREVIOUS = 1  # besides the current one: a reader may have resolved it just before a swap


def versions_dir(paths: WarehousePaths) -> Path:
    return paths.root / FOLDER


def current_version(paths: WarehousePaths) -> Path | None:
    """The folder of the published version (resolved once), or None before the first publish."""
    link = versions_dir(paths) / CURRENT
    if not link.is_symlink():
        return None
    return link.resolve()


@contextlib.contextmanager
def staging(paths: WarehousePaths) -> Iterator[Path]:
    """A folder for the next version; it is removed if anything fails before `seal`."""
    base = versions_dir(paths)
    base.mkdir(mode=0o700, exist_ok=True)
    folder = base / f"{STAGING_PREFIX}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def files_of(folder: Path) -> list[str]:
    """Relative paths of the files of a version (without its manifest)."""
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    )


def publish(paths: WarehousePaths, folder: Path) -> Path:
    """Seal the staging folder and make it the published version with one rename."""
    base = versions_dir(paths)
    name = f"v{time.strftime('%Y%m%dT%H%M%S')}_{time.time_ns() % 10**9:09d}"
    manifest = {
        "version": name,
        "erstellt_am": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "dateien": {rel: _sha256(folder / rel) for rel in files_of(folder)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    # durable before it is visible: after a power cut the pointer never names a folder
    # whose files are still only in the page cache
    for rel in [*manifest["dateien"], MANIFEST]:
        _fsync(folder / rel)
    for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync(sub)
    final = base / name
    os.rename(folder, final)
    _fsync(base)
    faults.point("publish:versiegelt")
    tmp = base / f".{CURRENT}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(name, tmp)
    os.replace(tmp, base / CURRENT)  # the switch: one rename, all three outputs at once
    _fsync(base)
    faults.point("publish:umgeschaltet")
    _link_entries(paths)
    remove_stale(paths)
    return final


def _link_entries(paths: WarehousePaths) -> None:
    """publish.duckdb, parquet/ and excel/ as fixed links through the pointer.

    A warehouse from before versioned publishing has them as a plain file and folders:
    they are replaced once (the old file and folders move into the versions folder
    and are removed with the other stale versions).
    """
    for entry in ENTRIES:
        path = paths.root / entry
        target = f"{FOLDER}/{CURRENT}/{entry}"
        if path.is_symlink() and os.readlink(path) == target:
            continue
        if path.exists() and not path.is_symlink() and path.is_dir():
            os.rename(path, versions_dir(paths) / f"{STAGING_PREFIX}alt-{entry}")
        tmp = paths.root / f".{entry}.link.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, path)


def remove_stale(paths: WarehousePaths) -> None:
    """Staging folders of failed or killed publishes, and versions older than the previous one.

    Runs under the writer lock: no other publish is building a staging folder now.
    """
    base = versions_dir(paths)
    if not base.is_dir():
        return
    current = current_version(paths)
    mine = f"{STAGING_PREFIX}{os.getpid()}"
    versions = []
    for p in base.iterdir():
        if p.name == CURRENT or p.name == mine:
            continue
        if p.name.startswith(".") and p.is_symlink():
            p.unlink(missing_ok=True)
        elif p.name.startswith(STAGING_PREFIX):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        elif p.is_dir() and p.resolve() != current:
            versions.append(p)
    for old in sorted(versions, key=lambda p: p.name)[: -KEEP_PREVIOUS or None]:
        shutil.rmtree(old, ignore_errors=True)


def check(paths: WarehousePaths) -> list[str]:
    """What is wrong with the published version (empty: one complete, consistent version)."""
    current = current_version(paths)
    if current is None:
        return ["keine veröffentlichte Version (veroeffentlichung/aktuell fehlt)"]
    problems = []
    for entry in ENTRIES:
        resolved = (paths.root / entry).resolve()
        if resolved != current / entry:
            problems.append(f"{entry} zeigt auf {resolved}, nicht auf {current / entry}")
    try:
        manifest = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [*problems, f"{current.name}: version.json unlesbar ({type(exc).__name__})"]
    listed = manifest.get("dateien", {})
    if sorted(listed) != files_of(current):
        problems.append(f"{current.name}: Dateien weichen von version.json ab")
    for rel, sha in listed.items():
        if not (current / rel).is_file() or _sha256(current / rel) != sha:
            problems.append(f"{current.name}: {rel} verändert oder fehlt")
    return problems
