"""The canary guard that fails the suite when a fake secret reaches a log, and the raw log's stored bytes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import bson
import mongomock
import pyotp

from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.rawlog.mongo import COLLECTION, MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.canary import (
    CANARIES,
    CANARY_CPF,
    CANARY_CPF_FORMATADO,
    CANARY_SENHA,
    CANARY_TOTP_SECRET,
    CanaryHandler,
    find_canaries,
)
from sinesys_spiders.testing.rawlog_contract import make_entry, partes_payload


def test_canary_handler_catches_secrets_in_messages_args_and_tracebacks():
    """A canary in a message, its arguments or an exception's traceback is recorded by name, not value."""
    handler = CanaryHandler()
    logger = logging.getLogger("tests.canary.private")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.debug("login with %s", CANARY_SENHA)
        logger.info("nothing secret here")
        try:
            raise RuntimeError(f"boom {CANARY_TOTP_SECRET}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert handler.records_seen == 3
    assert len(handler.hits) == 2
    assert handler.hits[0].startswith("CANARY_SENHA in a record of logger 'tests.canary.private'")
    assert handler.hits[1].startswith("CANARY_TOTP_SECRET")
    assert all(value not in hit for hit in handler.hits for value in CANARIES.values())


def test_session_guard_is_installed_on_the_root_logger(canary_log_guard):
    """The session guard sees records from any logger at DEBUG level."""
    before = canary_log_guard.records_seen
    logging.getLogger("tests.canary.any").debug("a harmless debug line")
    assert canary_log_guard.records_seen == before + 1


def test_find_canaries_scans_text_and_bytes():
    """Canaries are found in text and in UTF-8 or UTF-16 bytes."""
    assert find_canaries(f"x{CANARY_SENHA}y") == ["CANARY_SENHA"]
    assert find_canaries(CANARY_SENHA.encode("utf-16-le")) == ["CANARY_SENHA"]
    assert find_canaries(b"nothing") == []


def test_canary_totp_secret_is_valid_base32():
    """The canary TOTP secret generates codes, so it can pass through real validation."""
    assert pyotp.TOTP(CANARY_TOTP_SECRET).now().isdigit()


def test_a_logged_canary_fails_the_test_run(tmp_path):
    """A suite whose code logs a canary secret ends with an error naming the canary and the logger, not the value."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["sinesys_spiders.testing.canary"]\n')
    (tmp_path / "test_leak.py").write_text(
        "import logging\n"
        "from sinesys_spiders.testing.canary import CANARY_SENHA\n"
        "def test_leaks():\n"
        "    logging.getLogger('app.login').debug('password=%s', CANARY_SENHA)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "sinesys", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # none of the installed plugins is needed here
        timeout=120,
    )
    assert result.returncode != 0
    assert "1 passed, 1 error" in result.stdout
    assert "canary secrets reached the logs" in result.stdout
    assert "CANARY_SENHA in a record of logger 'app.login'" in result.stdout
    guard_lines = [line for line in result.stdout.splitlines() if "canary" in line.lower() and "logs" in line]
    assert guard_lines
    assert all(CANARY_SENHA not in line for line in guard_lines)


def test_the_canary_cpf_is_found_in_both_forms():
    """A CPF as PJE writes it, digits or formatted, is a canary of its own (a full CPF must not leak either)."""
    assert find_canaries(f'{{"cpf": "{CANARY_CPF}"}}') == ["CANARY_CPF"]
    assert find_canaries(f"documento {CANARY_CPF_FORMATADO}".encode()) == ["CANARY_CPF_FORMATADO"]


def test_the_raw_log_keeps_no_full_cpf_in_the_sqlite_file(tmp_path):
    """partes pages with a party's CPF, written, marked and read: the database file never holds the CPF."""
    url = f"sqlite:///{tmp_path / 'sinesys.db'}"
    upgrade(url)
    engine = make_engine(url)
    cipher = Cipher.from_text(generate_key())
    try:
        store = SqlRawLogStore(make_session_factory(engine), cipher=cipher)
        pages = [make_entry(tipo_captura="partes", payload_bruto=partes_payload()) for _ in range(20)]
        store.append_many(pages)
        store.mark_processed(pages[0].raw_log_id, {"inseridos": 2})
        assert [r.payload_bruto for r in store.list(limit=20)] == [partes_payload()] * 20
    finally:
        engine.dispose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("sinesys.db")]  # the file, its -wal and -shm
    assert find_canaries(b"".join(p.read_bytes() for p in files)) == []


def test_the_raw_log_keeps_no_full_cpf_in_mongodb():
    """The same pages in the MongoDB back end: no document of the collection holds the CPF, in any form."""
    client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
    collection = client["sinesys"][COLLECTION]
    store = MongoRawLogStore(collection, cipher=Cipher.from_text(generate_key()))
    pages = [make_entry(tipo_captura="partes", payload_bruto=partes_payload()) for _ in range(5)]
    store.append_many(pages)
    assert store.get(pages[0].raw_log_id).payload_bruto == partes_payload()
    assert find_canaries(b"".join(bson.encode(doc) for doc in collection.find())) == []
