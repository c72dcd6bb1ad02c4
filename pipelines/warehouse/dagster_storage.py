"""Dagster's SQLite storage in the warehouse folder, with one SQLAlchemy engine per database.

Dagster's own SQLite event log creates (and disposes) a SQLAlchemy engine for every
connection, five or more per event, and every commit waits for the disk: about 30 ms per
event here, 10 to 15 s of a Musterstadt run (932 events in its build run: materialisations,
planned and evaluated asset checks of the dbt tests). This storage creates one engine per
database file and commits with `synchronous=NORMAL`; the connection is still opened and
closed on every use, so nothing is held open or locked between uses and the UI, the daemon
and `run` share the files as before. Every Dagster database is in WAL mode, where NORMAL
stays consistent after any crash (a power cut may lose the last events, never the
warehouse, whose own audit is in DuckDB). The files, tables and migrations are Dagster's own: a folder
written with the default storage reads with this one and the other way round
(docs/decisions.md, "Dagster's run record: one engine per file").

`dagster.yaml` names the class (`pipelines.runner.prepare_dagster_home`); the base folder
comes from `DAGSTER_HOME`, so a copied or moved warehouse folder keeps its run record.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.pool import NullPool

# engines kept per process: the run being written, the index and a few runs the UI reads
ENGINES_KEPT = 32

STORAGE_YAML = (
    "storage:\n"
    "  custom:\n"
    "    module: pipelines.warehouse.dagster_storage\n"
    "    class: WarehouseSqliteStorage\n"
    "    config:\n"
    "      base_dir:\n"
    "        env: DAGSTER_HOME\n"
)


def _normal_sync(dbapi_connection, _record) -> None:
    # every Dagster database is in WAL mode: NORMAL keeps it consistent after any crash;
    # a power cut may lose the last events, never the warehouse (its own audit is DuckDB's)
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def _engine(conn_string: str):
    """One engine per database file, a connection per use as Dagster's (`NullPool`): closing
    the last connection checkpoints the WAL into the file, which is what the UI's watcher
    of a run's log reacts to (a connection kept idle would leave the live log still)."""
    engine = create_engine(
        conn_string,
        poolclass=NullPool,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    sqlalchemy.event.listen(engine, "connect", _normal_sync)
    return engine


class EngineCachingEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log; an engine per shard is created once."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        with self._engines_lock:  # not _db_lock: has_table runs inside _connect too
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = self._engines[shard] = _engine(self.conn_string_for_shard(shard))
            while len(self._engines) > ENGINES_KEPT:
                _old, evicted = self._engines.popitem(last=False)
                evicted.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator:
        # as SqliteEventLogStorage._connect, with the engine kept instead of created anew
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # asked before many index queries; Dagster's creates an engine each time
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def _forget_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                _shard, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        self._forget_engines()
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        with self._engines_lock:
            engine = self._engines.pop(run_id, None)
        if engine is not None:
            engine.dispose()
        super().delete_events(run_id)

    def dispose(self) -> None:
        self._forget_engines()
        super().dispose()


class EngineCachingRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage with one engine instead of one per connection."""

    _engine_kept = None

    @contextmanager
    def connect(self) -> Iterator:
        if self._engine_kept is None:
            self._engine_kept = _engine(self._conn_string)
        with self._engine_kept.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if self._engine_kept is not None:
            self._engine_kept.dispose()
            self._engine_kept = None
        super().dispose()


class WarehouseSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (same folders, same files), engines kept."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # not super().__init__: it would build Dagster's own storages first
        self.base_dir = base_dir
        self._run_storage = EngineCachingRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = EngineCachingEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
