"""Engine and sessions: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.

Two kinds of transaction:
- `db.session()` for reads;
- `db.session(write=True)` for changes. On SQLite it starts with BEGIN IMMEDIATE, so the write lock
  is taken up front and concurrent writers queue (busy_timeout) instead of failing half-way.
  On PostgreSQL the callers lock rows with SELECT … FOR UPDATE.
  On SQLite the process's writers also queue on a lock before BEGIN IMMEDIATE: SQLite's busy handler
  sleeps in steps of up to 100 ms, so 20 threads polling it gave a p99 of seconds (bench, issue 19);
  the busy timeout still covers writers in other processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.common.sqlite import set_pragmas

# Named constraints, so later migrations can alter them (also on SQLite's batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

SQLITE_BUSY_TIMEOUT_MS = 15000


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)

    # A pool of open connections: SQLAlchemy 1.4's default for SQLite files opens one per session, and
    # every close flushes the write-ahead log to disk (bench: ticket creates/s doubled with the pool).
    engine = create_engine(
        url,
        future=True,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    def _create_directory(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if parsed.database and parsed.database != ":memory:":  # on first use, not at import
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        set_pragmas(dbapi_connection, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS, foreign_keys=True)

    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    # event.listen rather than the listens_for decorator, which SQLAlchemy 1.4 leaves untyped.
    event.listen(engine, "do_connect", _create_directory)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False, future=True)
        writer_engine = self.engine.execution_options(sqlite_immediate=True)
        self._writer = sessionmaker(bind=writer_engine, expire_on_commit=False, future=True)
        self._write_lock = threading.RLock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        name: str = self.engine.dialect.name
        return name == "sqlite"

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        with self._write_lock if write and self._write_lock else nullcontext():
            session = (self._writer if write else self._reader)()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()
