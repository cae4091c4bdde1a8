"""The SQL raw-log back end passes the raw-log contract on SQLite and PostgreSQL, sealing with the configured key."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, insert, select, update

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import CapturaLog, CapturaLogBruto
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import open_rawlog_store
from sinesys_spiders.core.rawlog.base import campos_registro
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.rawlog_contract import RawLogStoreContract, make_entry

_TABLE = CapturaLogBruto.__table__


def _as_bytes(value: Any) -> bytes:
    """A stored value as the driver returns it: binary columns as is, everything else as JSON text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")


class TestSqlRawLog(RawLogStoreContract):
    @pytest.fixture
    def store_factory(self, engine: Engine) -> Callable[[Cipher], SqlRawLogStore]:
        factory = make_session_factory(engine)
        return lambda cipher: SqlRawLogStore(factory, cipher=cipher)

    @pytest.fixture
    def stored_bytes(self, engine: Engine) -> Callable[[str], bytes]:
        def read(raw_log_id: str) -> bytes:
            with engine.connect() as conn:
                row = conn.execute(select(_TABLE).where(_TABLE.c.raw_log_id == raw_log_id)).one()
            return b"\n".join(_as_bytes(value) for value in row)

        return read

    @pytest.fixture
    def copy_stored_payload(self, engine: Engine) -> Callable[[str, str], None]:
        def copy(source: str, target: str) -> None:
            with engine.begin() as conn:
                blob = conn.scalar(select(_TABLE.c.payload_cifrado).where(_TABLE.c.raw_log_id == source))
                conn.execute(update(_TABLE).where(_TABLE.c.raw_log_id == target).values(payload_cifrado=blob))

        return copy

    @pytest.fixture
    def write_legacy(self, engine: Engine) -> Callable[[PaginaBruta], None]:
        def write(entry: PaginaBruta) -> None:
            values = campos_registro(entry.model_copy(update={"payload_bruto": None}), Cipher.from_text(generate_key()))
            values.update(payload_cifrado=None, payload_bruto=entry.payload_bruto)
            with engine.begin() as conn:
                conn.execute(insert(_TABLE), [values])

        return write

    @pytest.fixture
    def captura_ids(self, engine: Engine) -> tuple[int, int]:
        with make_session_factory(engine).begin() as session:
            rows = [CapturaLog(tipo_captura="acervo_geral", credencial_ids=[]) for _ in range(2)]
            session.add_all(rows)
            session.flush()
            return (rows[0].id, rows[1].id)


@pytest.mark.parametrize("mode", ["env", "key_file"])
def test_the_configured_store_seals_with_the_credentials_key(tmp_path: Path, mode: str) -> None:
    """open_rawlog_store() uses the credentials' key (SINESYS_SECRET_KEY, else the key file): one key for both."""
    url = f"sqlite:///{tmp_path / 'sinesys.db'}"
    upgrade(url)
    key = generate_key()
    settings = Settings(var_dir=tmp_path, database_url=url, secret_key=SecretStr(key) if mode == "env" else None)
    store = open_rawlog_store(settings)
    entry = make_entry()
    store.append(entry)
    store.close()

    credenciais_key = CredenciaisService.from_settings(settings).cipher
    if mode == "env":
        assert credenciais_key.fingerprint == Cipher.from_text(key).fingerprint
    else:
        assert (tmp_path / "secret.key").exists()
    engine = make_engine(url)
    try:
        got = SqlRawLogStore(make_session_factory(engine), cipher=credenciais_key).get(entry.raw_log_id)
    finally:
        engine.dispose()
    assert got is not None
    assert got.payload_bruto == entry.payload_bruto
