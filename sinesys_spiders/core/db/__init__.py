"""The relational store: SQLAlchemy 2.0 models, engine and sessions, repositories, Alembic migrations.

Import models from :mod:`sinesys_spiders.core.db.models`, repositories from
:mod:`sinesys_spiders.core.db.repositories` and migrations from :mod:`sinesys_spiders.core.db.migrate`.
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
