"""Versioned publish folders: one pointer switch, an older warehouse's layout taken over once."""

from __future__ import annotations

import duckdb
import pytest


def _stage(paths, marker: str) -> None:
    from pipelines.publish import version

    with version.staging(paths) as folder:
        con = duckdb.connect(str(folder / "publish.duckdb"))
        con.execute(f"create table t as select '{marker}' as v")
        con.close()
        for sub, ext in (("parquet", "parquet"), ("excel", "xlsx")):
            (folder / sub).mkdir()
            (folder / sub / f"t.{ext}").write_text(marker)
        version.publish(paths, folder)


def test_old_layout_is_taken_over_and_versions_switch_together(tmp_path):
    from pipelines.publish import version
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(tmp_path / "wh").ensure()
    # a warehouse from before versioned publishing: a plain file and two folders
    con = duckdb.connect(str(paths.publish_db))
    con.execute("create table t as select 'alt' as v")
    con.close()
    for sub in ("parquet", "excel"):
        (paths.root / sub).mkdir()
        (paths.root / sub / "t.x").write_text("alt")
    reader = duckdb.connect(str(paths.publish_db), read_only=True)  # a BI client holds it

    _stage(paths, "eins")
    assert version.check(paths) == []
    for entry in version.ENTRIES:
        assert (paths.root / entry).is_symlink()
    assert (paths.parquet_dir / "t.parquet").read_text() == "eins"
    assert reader.execute("select v from t").fetchone() == ("alt",)  # keeps its version
    reader.close()

    _stage(paths, "zwei")
    _stage(paths, "drei")
    assert version.check(paths) == []
    assert (paths.excel_dir / "t.xlsx").read_text() == "drei"
    con = duckdb.connect(str(paths.publish_db), read_only=True)
    assert con.execute("select v from t").fetchone() == ("drei",)
    con.close()
    base = version.versions_dir(paths)
    # the current version and the one before it; staging and the old layout are gone
    assert sorted(p.name.startswith("v") for p in base.iterdir() if p.name != "aktuell") == [
        True,
        True,
    ]


def test_failed_build_leaves_no_staging_folder_and_the_version_as_it_was(tmp_path):
    from pipelines.publish import version
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(tmp_path / "wh").ensure()
    _stage(paths, "eins")
    before = version.current_version(paths)
    with pytest.raises(RuntimeError), version.staging(paths) as folder:
        (folder / "publish.duckdb").write_text("halb")
        raise RuntimeError("Platte voll")
    assert version.current_version(paths) == before and version.check(paths) == []
    assert [p.name for p in version.versions_dir(paths).iterdir() if p.name.startswith(".")] == []
