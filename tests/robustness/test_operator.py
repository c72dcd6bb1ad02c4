"""Errors an operator can act on: one German line with what to do, never a traceback.

Unreadable delivery, a full disk, a DuckDB file held open by an analyst; temporary files
gone after every failure; analysts' copy of the marts; owner-only warehouse folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, TEST_KEY, query

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("select 1").fetchall()
print("offen", flush=True)
time.sleep(300)
"""


@contextlib.contextmanager
def _held_open(db: Path):
    """Another program (an analyst's DBeaver, a notebook) with `db` open read-only."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "offen"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_analyst_holding_warehouse_open_stops_run_with_one_line(case, capsys):
    from pipelines.cli import _run

    with _held_open(case.warehouse_db) as analyst:
        t0 = time.monotonic()
        assert _run(case.landing, case.warehouse, None) == 1
        assert time.monotonic() - t0 < 60  # at once, not after the ingest
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1, out.err
    assert lines[0].startswith("Abbruch: warehouse.duckdb ist von einem anderen Programm geöffnet")
    assert f"PID {analyst.pid}" in lines[0] and "python" in lines[0]
    assert "analyse.duckdb" in lines[0]  # what to use instead
    assert "Traceback" not in out.err + out.out


def test_analysis_copy_never_blocks_a_run(example_city, tmp_path):
    from pipelines.warehouse.analysis import analysis_db, write_analysis_copy
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(tmp_path / "wh")
    shutil.copytree(example_city.warehouse, paths.root, symlinks=True)
    copy = analysis_db(paths)
    assert copy.exists()  # written by the run's aufbereitung
    marts = {
        r[0]
        for r in query(paths.warehouse_db, "select table_name from duckdb_tables() where schema_name = 'marts'")
    }  # fmt: skip
    assert {r[0] for r in query(copy, "select table_name from duckdb_tables()")} == marts
    n = query(copy, "select count(*) from marts.indikatoren")[0][0]
    assert n == query(paths.warehouse_db, "select count(*) from marts.indikatoren")[0][0]
    old_inode = copy.stat().st_ino
    with _held_open(copy):
        write_analysis_copy(paths)  # an analyst's open connection does not stop it
    assert copy.stat().st_ino != old_inode
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not list(paths.root.glob(".analyse.*"))


def test_analysis_copy_copies_only_changed_tables(example_city, tmp_path):
    """A table unchanged since the last copy stays; a changed one, a new one and a gone one
    are copied or dropped; a copy changed by someone else is not reused."""
    from pipelines.warehouse.analysis import analysis_db, write_analysis_copy
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(tmp_path / "wh")
    shutil.copytree(example_city.warehouse, paths.root, symlinks=True)
    copy = analysis_db(paths)
    rows, copied = write_analysis_copy(paths)
    assert copied == sorted(rows)  # no stamp yet: everything copied
    rows, copied = write_analysis_copy(paths)
    assert copied == []  # nothing changed
    con = duckdb.connect(str(paths.warehouse_db))
    con.execute(
        "delete from marts.indikatoren where periode = (select max(periode) from marts.indikatoren)"
    )
    con.execute("create table marts.neu as select 1 as x")
    con.execute("drop table marts.kontrakte")
    con.close()
    rows, copied = write_analysis_copy(paths)
    assert copied == ["indikatoren", "neu"]
    assert "kontrakte" not in rows
    marts = {
        r[0]
        for r in query(paths.warehouse_db, "select table_name from duckdb_tables() where schema_name = 'marts'")
    }  # fmt: skip
    assert {r[0] for r in query(copy, "select table_name from duckdb_tables()")} == marts
    for table in marts:
        sql = f"select * from marts.{table} order by all"
        assert query(copy, sql) == query(paths.warehouse_db, sql), table
    # someone wrote into the copy: it is not trusted, every table is copied again
    con = duckdb.connect(str(copy))
    con.execute("delete from marts.gebiete")
    con.close()
    rows, copied = write_analysis_copy(paths)
    assert copied == sorted(rows)
    assert query(copy, "select count(*) from marts.gebiete") == query(
        paths.warehouse_db, "select count(*) from marts.gebiete"
    )


def _drop_read_override() -> list[str]:
    """Run as root without the capability to read other people's (or mode 000) files."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("als root ohne setpriv lässt sich keine fehlende Leseberechtigung zeigen")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


INGEST = """
import sys
from pathlib import Path
from pipelines.runner import run_pipeline
o = run_pipeline(Path(sys.argv[1]), Path(sys.argv[2]), ingest_only=True)
print("EXIT", o.exit_code)
for datei, meldung in o.rejected_files:
    print("ABGEWIESEN", datei, meldung)
"""


def test_unreadable_file_is_refused_and_the_run_goes_on(case):
    target = case.landing / "sgb2" / "sgb2_2024-12.csv"
    data = target.read_bytes().replace(b"\r\n", b"\n")  # a changed file: the run must read it
    target.write_bytes(data)
    target.chmod(0)
    # a new, readable month next to it must still be loaded
    (case.landing / "sgb2" / "sgb2_2024-11.csv").write_bytes(
        data.replace(b"Dezember 2024", b"November 2024").replace(b"12/2024", b"11/2024")
    )
    env = {**os.environ, "SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY, "CI": "1"}
    proc = subprocess.run(
        [*_drop_read_override(), sys.executable, "-c", INGEST, str(case.landing), str(case.warehouse)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    assert "EXIT 3" in proc.stdout, proc.stdout + proc.stderr[-3000:]
    refused = [line for line in proc.stdout.splitlines() if line.startswith("ABGEWIESEN")]
    assert any("sgb2/sgb2_2024-12.csv" in r and "keine Leseberechtigung" in r for r in refused)
    loaded = query(
        case.warehouse_db,
        "select status from audit.loads where datei = 'sgb2/sgb2_2024-11.csv' order by beendet_am",
    )
    assert loaded and loaded[-1][0] == "geladen"


@contextlib.contextmanager
def _tiny_disk(tmp_path: Path, size_mb: int):
    """A small tmpfs (root only): the disk a warehouse fills up."""
    mnt = tmp_path / "platte"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("volle Platte nur als root nachstellbar (tmpfs)")
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
    )
    if res.returncode != 0:
        pytest.skip(f"tmpfs nicht einhängbar: {res.stderr.decode(errors='replace')[:200]}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path, leave_bytes: int) -> None:
    free = shutil.disk_usage(disk).free
    with (disk / "ballast").open("wb") as fh:
        fh.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = max(free - leave_bytes, 0)
        while remaining > 0:
            try:
                fh.write(chunk[: min(len(chunk), remaining)])
                fh.flush()
            except OSError:
                break
            remaining -= len(chunk)


def _temp_files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.name.startswith((".publish.", ".neu.", ".analyse.")) or p.name.endswith(".tmp")
    )


def test_full_disk_gives_one_german_line_and_leaves_no_temporary_files(
    example_city, tmp_path, capsys
):
    from pipelines.cli import _run
    from pipelines.config import load_config
    from pipelines.operator import explain
    from pipelines.publish import version
    from pipelines.publish.write import write_publish
    from pipelines.warehouse.files import WarehousePaths

    size = sum(f.stat().st_size for f in example_city.warehouse.rglob("*") if f.is_file())
    with _tiny_disk(tmp_path, size // (1 << 20) + 64) as disk:
        paths = WarehousePaths(disk / "warehouse")
        shutil.copytree(example_city.warehouse, paths.root, symlinks=True)
        before = version.current_version(paths)
        _fill(disk, 64 * 1024)
        # 1. the publish step alone: its staging folder is removed, the version stays
        with pytest.raises(Exception) as failure:
            write_publish(paths, load_config())
        assert "Kein Speicherplatz" in (explain(failure.value) or "")
        assert _temp_files(paths.root) == []
        assert version.current_version(paths) == before and version.check(paths) == []
        # 2. a whole run: one German line, no traceback, nothing left behind
        (paths.root / ".aufbereitung_stand").unlink(missing_ok=True)
        code = _run(example_city.landing, paths.root, None)
        out = capsys.readouterr()
        text = out.out + out.err
        assert code == 1
        assert "Traceback" not in text and "sqlite3" not in text and "OperationalError" not in text
        assert "Kein Speicherplatz" in text, text
        assert _temp_files(paths.root) == []
        assert version.current_version(paths) == before and version.check(paths) == []


def test_everything_in_the_warehouse_folder_is_owner_only(example_city):
    loose = []
    for folder, dirs, files in os.walk(example_city.warehouse):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                loose.append(f"{oct(stat.S_IMODE(st.st_mode))} {os.path.join(folder, name)}")
    assert loose == []
    n = sum(len(f) for _, _, f in os.walk(example_city.warehouse))
    assert n > 50  # Dagster storage and logs, dbt state, published files: all walked


def test_retention_setting_is_refused_not_silently_ignored(tmp_path):
    """`aufbewahrung` was accepted and did nothing; it is gone (docs/decisions.md)."""
    from pipelines.config import ConfigError, load_config

    cfg = tmp_path / "stadt.yaml"
    cfg.write_text("aufbewahrung:\n  landing_loeschen_nach_tagen: 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Unbekannter Schlüssel 'aufbewahrung'"):
        load_config(cfg)
