"""The SQL raw-log back end passes the raw-log contract on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.rawlog_contract import RawLogStoreContract


class TestSqlRawLog(RawLogStoreContract):
    @pytest.fixture
    def store(self, engine: Engine) -> Iterator[SqlRawLogStore]:
        store = SqlRawLogStore(make_session_factory(engine))
        yield store
        store.close()

    @pytest.fixture
    def captura_ids(self, engine: Engine) -> tuple[int, int]:
        with make_session_factory(engine).begin() as session:
            rows = [CapturaLog(tipo_captura="acervo_geral", credencial_ids=[]) for _ in range(2)]
            session.add_all(rows)
            session.flush()
            return (rows[0].id, rows[1].id)
