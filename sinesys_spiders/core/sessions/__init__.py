"""Authenticated tribunal sessions and where they are kept (DESIGN.md §3 step 2).

The back end follows the settings: the project's SQL database by default (table ``sessoes``), Redis when
``SINESYS_REDIS_URL`` is set (hashes ``{SINESYS_REDIS_PREFIX}:sessao:*``). :func:`open_session_store` picks it;
both pass the same contract suite (``sinesys_spiders.testing.sessions_contract``).
"""

from __future__ import annotations

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.crypto import Cipher, load_cipher
from sinesys_spiders.core.sessions.base import DEFAULT_IDLE_TTL, DEFAULT_MAX_AGE, SessaoTribunal, SessionStore
from sinesys_spiders.core.sessions.sql import SqlSessionStore

__all__ = [
    "DEFAULT_IDLE_TTL",
    "DEFAULT_MAX_AGE",
    "SessaoTribunal",
    "SessionStore",
    "SqlSessionStore",
    "open_session_store",
]


def open_session_store(settings: Settings | None = None, *, cipher: Cipher | None = None) -> SessionStore:
    """The configured session store (Redis when ``redis_url`` is set, else the SQL database), sealed with
    ``cipher`` (by default the configured key, loaded now so that a bad key fails before the first login)."""
    settings = settings or get_settings()
    cipher = cipher or load_cipher(settings)
    from sinesys_spiders.core.redis_conexao import abrir_redis

    conexao = abrir_redis(settings)
    if conexao is not None:
        from sinesys_spiders.core.sessions.redis import RedisSessionStore

        return RedisSessionStore(conexao, cipher)
    from sinesys_spiders.core.db.engine import get_session_factory

    return SqlSessionStore(get_session_factory(settings.effective_database_url), cipher)
