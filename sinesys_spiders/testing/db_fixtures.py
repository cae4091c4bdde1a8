"""Database fixtures: SQLite and a private PostgreSQL cluster, each built by the migrations.

Request ``database_url`` and a test runs twice, on SQLite and on PostgreSQL, each time on a fresh
database of its own already at the migrations' head. The migrations run once per back end and
session into a template; each test gets a copy (a file copy for SQLite, ``CREATE DATABASE ...
TEMPLATE`` for PostgreSQL), so tests are isolated and still fast.

Where the back end matters: the storage code's own tests (repositories, stores, SQL) run on both;
an end-to-end test (a crawl, a browser login, a server) runs once, on PostgreSQL, by marking its
module ``pytestmark = [on_postgresql]`` (or one test ``@on_postgresql``), unless it is about a
difference between back ends. ``on_sqlite`` is the same for SQLite.

Under pytest-xdist every worker has its own cluster, templates and databases (names carry the
worker id and the process id), so workers never share a database.

Fixtures: ``postgres_server`` (session), ``db_backend`` ("sqlite" | "postgresql"),
``create_database`` (a callable ``(name=None, *, migrated=True) -> url`` for the current back end),
``database_url``, ``engine``, ``db_session`` and ``database_env`` (``SINESYS_DATABASE_URL`` set to
``database_url`` with the cached settings and engines reset).

PostgreSQL missing is a skip, or a test error when ``SINESYS_TEST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.db.engine import dispose_engines, make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.testing.postgres import PostgresServer, PostgresUnavailable, start_postgres

__all__ = ["BACKENDS", "CreateDatabase", "on_postgresql", "on_sqlite", "services_required"]

BACKENDS = ("sqlite", "postgresql")
CreateDatabase = Callable[..., str]

_counter = itertools.count(1)

#: Run the marked module (``pytestmark``) or test on PostgreSQL only: end-to-end tests, where one back end suffices.
on_postgresql = pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True, scope="module")
#: Run the marked module or test on SQLite only.
on_sqlite = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True, scope="module")


def _worker() -> str:
    """``gw0``, ``gw1``... under pytest-xdist, ``main`` otherwise (part of every database name)."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def services_required() -> bool:
    """Whether a missing service must fail the tests instead of skipping them."""
    return os.environ.get("SINESYS_TEST_REQUIRE_SERVICES", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session (private cluster, stopped at the end)."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if services_required():
            pytest.fail(f"PostgreSQL required (SINESYS_TEST_REQUIRE_SERVICES=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"sinesys_template_{_worker()}_{os.getpid()}"
    postgres_server.drop_database(name)
    upgrade(postgres_server.create_database(name))
    yield name
    postgres_server.drop_database(name)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.requires_postgres),
    ],
)
def db_backend(request: pytest.FixtureRequest) -> str:
    """The back end a test runs on; every test requesting a database runs on both."""
    backend: str = request.param
    if backend == "postgresql":
        request.getfixturevalue("postgres_server")
    return backend


@pytest.fixture(scope="module")
def create_database(
    db_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CreateDatabase]:
    """``create_database(name=None, *, migrated=True) -> url``: a new database on the current back end.

    ``migrated=True`` gives a copy of the migrated template; ``False`` an empty database. Databases
    are dropped (PostgreSQL) or deleted (SQLite) when the module's tests are done.
    """
    created: list[str] = []
    server: PostgresServer | None = None
    if db_backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        template: str | Path = request.getfixturevalue("_postgres_template")
    else:
        template = request.getfixturevalue("_sqlite_template")
    folder = tmp_path_factory.mktemp("sqlite-dbs")

    def _create(name: str | None = None, *, migrated: bool = True) -> str:
        name = name or f"sinesys_test_{_worker()}_{os.getpid()}_{next(_counter)}"
        if server is not None:
            url = server.create_database(name, template=str(template) if migrated else None)
            created.append(name)
            return url
        path = folder / f"{name}.db"
        if path.exists():
            raise ValueError(f"database {name!r} already exists")
        if migrated:
            shutil.copyfile(str(template), path)
        created.append(str(path))
        return f"sqlite:///{path}"

    yield _create
    dispose_engines()
    for name in created:
        if server is not None:
            server.drop_database(name)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)


@pytest.fixture
def database_url(create_database: CreateDatabase) -> str:
    """A fresh database at the migrations' head, on SQLite and on PostgreSQL (one test each)."""
    return create_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url``, disposed after the test."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session on the test's own database; what it did not commit is rolled back at the end."""
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def database_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``SINESYS_DATABASE_URL`` pointed at ``database_url`` (settings and process engines reset)."""
    monkeypatch.setenv("SINESYS_DATABASE_URL", database_url)
    reset_settings()
    dispose_engines()
    try:
        yield database_url
    finally:
        dispose_engines()
        monkeypatch.delenv("SINESYS_DATABASE_URL", raising=False)
        reset_settings()
