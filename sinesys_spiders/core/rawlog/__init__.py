"""The raw log: every page fetched from a tribunal, as received (DESIGN.md §3, §4).

The back end follows the settings: the project's SQL database by default (table
``captura_logs_brutos``), MongoDB when ``SINESYS_MONGODB_URI`` is set (database
``SINESYS_MONGODB_DATABASE``, collection ``captura_logs_brutos``). :func:`open_rawlog_store` picks
it; both pass the same contract suite (``sinesys_spiders.testing.rawlog_contract``). Payloads are
encrypted at rest with the credentials' key (:mod:`sinesys_spiders.core.rawlog.cifra`).
"""

from __future__ import annotations

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.crypto import Cipher, load_cipher
from sinesys_spiders.core.rawlog.base import (
    FiltroRawLog,
    RawLogDuplicado,
    RawLogStore,
    ReencryptionProgress,
    RegistroBruto,
)

__all__ = [
    "FiltroRawLog",
    "RawLogDuplicado",
    "RawLogStore",
    "ReencryptionProgress",
    "RegistroBruto",
    "open_rawlog_store",
]


def open_rawlog_store(settings: Settings | None = None, *, cipher: Cipher | None = None) -> RawLogStore:
    """The configured raw-log store: MongoDB when ``mongodb_uri`` is set, else the SQL database.

    Its payloads are sealed with ``cipher``, by default the configured key (``SINESYS_SECRET_KEY`` or the
    key file), loaded now so that a bad key fails before the first page.
    """
    settings = settings or get_settings()
    cipher = cipher or load_cipher(settings)
    if settings.mongodb_uri is not None and settings.mongodb_uri.get_secret_value():
        from sinesys_spiders.core.rawlog.mongo import MongoRawLogStore

        uri = settings.mongodb_uri.get_secret_value()
        return MongoRawLogStore.from_uri(uri, settings.mongodb_database, cipher=cipher)
    from sinesys_spiders.core.db.engine import get_session_factory
    from sinesys_spiders.core.rawlog.sql import SqlRawLogStore

    return SqlRawLogStore(get_session_factory(settings.effective_database_url), cipher=cipher)
