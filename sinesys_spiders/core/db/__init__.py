"""The relational store: SQLAlchemy 2.0 models, engine and sessions, repositories, Alembic migrations.

::

    from sinesys_spiders.core.db import session_scope
    from sinesys_spiders.core.db.repositories import AdvogadosRepository

    with session_scope() as session:          # SINESYS_DATABASE_URL, default SQLite under var/
        AdvogadosRepository(session).add(nome_completo="Ana", cpf="12345678909")

- :mod:`.models`: every table, from private ``models/_<area>.py`` modules; times are aware UTC
  (:class:`.types.UTCDateTime`), JSON is ``jsonb`` on PostgreSQL, constraint names follow one convention.
- :mod:`.repositories`: data access only, keyword-only methods over a ``Session`` the caller commits.
- :mod:`.migrate`: ``upgrade(url)``, ``current(url)``, ``head()`` over the Alembic scripts in
  ``migrations/`` (``sinesys db upgrade`` / ``sinesys db current``).
- :mod:`.errors`: unique violations and transient failures recognised alike on both back ends.
"""

from __future__ import annotations

from sinesys_spiders.core.db.engine import (
    get_engine,
    get_session_factory,
    make_engine,
    make_session_factory,
    normalize_url,
    session_scope,
)

__all__ = [
    "get_engine",
    "get_session_factory",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "session_scope",
]
