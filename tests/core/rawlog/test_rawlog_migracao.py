"""Revision 0003 on a raw log written in clear: old pages stay readable, then get encrypted; downgrade is guarded."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text

from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import alembic_config, current, head, upgrade
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.canary import find_canaries
from sinesys_spiders.testing.db_fixtures import CreateDatabase
from sinesys_spiders.testing.rawlog_contract import make_entry, partes_payload

_RAW_LOG_ID = "0b8f2c7e-5f4e-4d7c-9a51-0d1e2f3a4b5c"
_INSERT_0002 = text(
    "INSERT INTO captura_logs_brutos (raw_log_id, tipo_captura, status, payload_bruto, resultado_processado, "
    "criado_em, atualizado_em) VALUES (:id, 'partes', 'success', :payload, 'null', :t, :t)"
)


def _database_at_0002_with_a_clear_page(create_database: CreateDatabase) -> str:
    url = create_database(migrated=False)
    upgrade(url, "0002")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            payload = json.dumps(partes_payload(), ensure_ascii=False)
            conn.execute(_INSERT_0002, {"id": _RAW_LOG_ID, "payload": payload, "t": "2026-11-20 12:00:00+00:00"})
    finally:
        engine.dispose()
    return url


def test_a_page_written_in_clear_before_0003_is_read_then_encrypted(create_database: CreateDatabase) -> None:
    """After upgrading, the old page reads as it was; reencrypt(key, key) seals it; new pages are sealed at once."""
    url = _database_at_0002_with_a_clear_page(create_database)
    upgrade(url)
    assert current(url) == head()
    engine = make_engine(url)
    cipher = Cipher.from_text(generate_key())
    try:
        store = SqlRawLogStore(make_session_factory(engine), cipher=cipher)
        got = store.get(_RAW_LOG_ID)
        assert got is not None
        assert got.payload_bruto == partes_payload()

        [progress] = list(store.reencrypt(cipher, cipher))

        assert progress.legado == 1
        with engine.connect() as conn:
            clear, blob = conn.execute(
                text("SELECT payload_bruto, payload_cifrado FROM captura_logs_brutos WHERE raw_log_id = :id"),
                {"id": _RAW_LOG_ID},
            ).one()
        assert clear is None
        assert find_canaries(bytes(blob)) == []
        got = store.get(_RAW_LOG_ID)
        assert got is not None
        assert got.payload_bruto == partes_payload()
    finally:
        engine.dispose()


def test_downgrade_refuses_while_pages_are_encrypted(create_database: CreateDatabase) -> None:
    """Going back to 0002 would lose encrypted payloads: refused with the count; allowed once there are none."""
    url = create_database(migrated=False)
    upgrade(url)
    engine = make_engine(url)
    try:
        store = SqlRawLogStore(make_session_factory(engine), cipher=Cipher.from_text(generate_key()))
        store.append_many([make_entry(), make_entry(payload_bruto=None)])
        # The revisions after 0003 step down with pages present; SQLite runs DDL outside a transaction, so the
        # guard is checked from 0003 itself, where both back ends must stay after the refusal.
        command.downgrade(alembic_config(url), "0003")
        with pytest.raises(RuntimeError, match="1 página"):
            command.downgrade(alembic_config(url), "0002")
        assert current(url) == "0003"
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM captura_logs_brutos WHERE payload_cifrado IS NOT NULL"))
        command.downgrade(alembic_config(url), "0002")
        assert current(url) == "0002"
    finally:
        engine.dispose()
