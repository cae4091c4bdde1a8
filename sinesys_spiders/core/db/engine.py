"""Engines and sessions for the embedded SQLite default and PostgreSQL (psycopg 3).

``make_engine(url)`` builds an engine with the back end's pragmas; ``get_engine()`` is the
process-wide engine of ``SINESYS_DATABASE_URL`` (SQLite under ``var/`` when unset);
``session_scope()`` is a unit of work that commits on success and rolls back on error.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.privado import arquivo_privado

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "dispose_engines",
    "get_engine",
    "get_session_factory",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "session_scope",
]

#: How long SQLite waits for another writer before ``database is locked``.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Map ``postgresql://`` and ``postgres://`` to the psycopg 3 driver; leave others unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A new engine for ``url``: SQLite with foreign keys, WAL and a busy timeout; PostgreSQL via psycopg 3."""
    sa_url = make_url(normalize_url(url))
    # Bound values (CPFs, ciphertexts) never reach SQLAlchemy's logs or exception messages.
    kwargs.setdefault("hide_parameters", True)
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(sa_url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if sa_url.database and sa_url.database != ":memory:":
            arquivo = Path(sa_url.database)

            def _privado(_connection: Any, _record: Any) -> None:
                # Personal data: the database and its WAL files owner-only, whatever umask created them.
                for path in (
                    arquivo,
                    arquivo.with_name(arquivo.name + "-wal"),
                    arquivo.with_name(arquivo.name + "-shm"),
                ):
                    arquivo_privado(path)

            event.listen(engine, "connect", _privado)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(sa_url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine of ``url`` (default: the effective ``SINESYS_DATABASE_URL``)."""
    url = url or get_settings().effective_database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


@functools.cache
def _factory_for(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def get_session_factory(url: str | None = None) -> sessionmaker[Session]:
    """The session factory of :func:`get_engine`."""
    return _factory_for(get_engine(url))


def dispose_engines() -> None:
    """Close every process-wide engine (tests, or after a fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
    _factory_for.cache_clear()


@contextlib.contextmanager
def session_scope(url: str | None = None, *, factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """A unit of work: commit when the block ends, roll back if it raises, always close."""
    session = (factory or get_session_factory(url))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
