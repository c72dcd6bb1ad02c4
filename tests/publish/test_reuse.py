"""A new version takes over the Parquet and Excel files whose table did not change (one
more month leaves the projection, the areas and the catalogue as they were) and writes
the others; the files it takes over are the same bytes, and a damaged record writes all."""

from __future__ import annotations

import shutil

import duckdb

from pipelines.config import load_config
from pipelines.publish import version
from pipelines.publish.reuse import RECORD
from pipelines.publish.write import write_publish
from pipelines.warehouse.files import WarehousePaths


def _files(paths: WarehousePaths) -> dict[str, tuple[int, bytes]]:
    folder = version.current_version(paths)
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".parquet", ".xlsx")
    }


def test_new_version_takes_over_unchanged_files(example_city, tmp_path):
    paths = WarehousePaths(tmp_path / "wh")
    shutil.copytree(example_city.warehouse, paths.root, symlinks=True)
    config = load_config()
    (paths.disclosure_cache / RECORD).unlink(missing_ok=True)  # as before this feature

    first = write_publish(paths, config)
    assert first.reused_files == 0
    before = _files(paths)
    assert len(before) >= 30, sorted(before)

    again = write_publish(paths, config)  # nothing changed: every file taken over
    assert again.reused_files == len(before)
    after = _files(paths)
    assert after == before  # the same files (links), the same bytes
    assert version.check(paths) == []

    # one mart changes: its table's files are written, the others taken over
    con = duckdb.connect(str(paths.warehouse_db))
    con.execute("update marts.indikatorkatalog set bezeichnung = bezeichnung || ' (neu)'")
    con.close()
    third = write_publish(paths, config)
    changed = {"parquet/indikatorkatalog.parquet", "excel/indikatorkatalog.xlsx"}
    now = _files(paths)
    assert {rel for rel in now if now[rel] != after[rel]} == changed
    assert third.reused_files == len(before) - len(changed)

    # a damaged record: every file written again
    (paths.disclosure_cache / RECORD).write_text("{kaputt", encoding="utf-8")
    assert write_publish(paths, config).reused_files == 0
    assert version.check(paths) == []
