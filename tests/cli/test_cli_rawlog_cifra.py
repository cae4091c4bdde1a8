"""The raw log's encryption from the command line: ``db encrypt-rawlog`` and ``credenciais rotate-key``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from sinesys_spiders.core.crypto import Cipher, credencial_aad, generate_key, write_key_file
from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.models import CapturaLogBruto
from sinesys_spiders.core.db.models import Credencial as CredencialRow
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.base import campos_registro
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET, find_canaries
from sinesys_spiders.testing.rawlog_contract import make_entry, partes_payload
from tests.cli.helpers import assert_one_line_error

_TABLE = CapturaLogBruto.__table__


def _partes(n: int) -> list[PaginaBruta]:
    return [make_entry(tipo_captura="partes", payload_bruto=partes_payload()) for _ in range(n)]


def _write_legacy(engine: Engine, entry: PaginaBruta) -> None:
    """Store ``entry`` as a version before revision 0003 did: the payload in clear in ``payload_bruto``."""
    values = campos_registro(entry.model_copy(update={"payload_bruto": None}), Cipher.from_text(generate_key()))
    values.update(payload_cifrado=None, payload_bruto=entry.payload_bruto)
    with engine.begin() as conn:
        conn.execute(insert(_TABLE), [values])


def _stored(engine: Engine) -> bytes:
    """Every payload byte the table holds (sealed blobs as is, legacy JSON as text)."""
    with engine.connect() as conn:
        rows = conn.execute(select(_TABLE.c.payload_cifrado, _TABLE.c.payload_bruto)).all()
    parts = [
        bytes(blob) if blob is not None else json.dumps(clear, ensure_ascii=False).encode() for blob, clear in rows
    ]
    return b"\n".join(parts)


def _payloads(engine: Engine, cipher: Cipher, entries: list[PaginaBruta]) -> list[Any]:
    store = SqlRawLogStore(make_session_factory(engine), cipher=cipher)
    return [registro.payload_bruto for registro in map(store.get, [e.raw_log_id for e in entries]) if registro]


@pytest.fixture
def credencial(sinesys) -> int:
    """One credential of one lawyer, added through the command line."""
    advogado = sinesys("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25").stdout.strip()
    result = sinesys(
        "credenciais", "add", "--advogado", advogado, "--tribunal", "TRT3", "--grau", "primeiro_grau",
        input=f"{CANARY_SENHA}\n{CANARY_SENHA}\n{CANARY_TOTP_SECRET}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip().splitlines()[-1])


def test_encrypt_rawlog_seals_the_legacy_pages_and_keeps_them_readable(sinesys, engine, cipher):
    """Pages stored in clear before 0003 are encrypted by `db encrypt-rawlog`; a second run writes nothing."""
    legacy, current = _partes(3), _partes(2)
    for entry in legacy:
        _write_legacy(engine, entry)
    SqlRawLogStore(make_session_factory(engine), cipher=cipher).append_many(current)
    assert find_canaries(_stored(engine)) != []

    result = sinesys("db", "encrypt-rawlog", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert "log bruto: 5 páginas lidas, 0 re-cifradas, 3 legadas cifradas" in result.stdout
    assert find_canaries(_stored(engine)) == []
    assert find_canaries(result.output) == []
    assert _payloads(engine, cipher, legacy + current) == [e.payload_bruto for e in legacy + current]
    again = sinesys("db", "encrypt-rawlog")
    assert "5 páginas lidas, 0 re-cifradas, 0 legadas cifradas" in again.stdout


def test_rotate_key_re_encrypts_the_raw_log(sinesys, engine, cipher, credencial, tmp_path):
    """rotate-key moves every raw-log page (legacy ones too) to the new key: the new key reads them, the old none."""
    pages = _partes(3)
    SqlRawLogStore(make_session_factory(engine), cipher=cipher).append_many(pages)
    legacy = _partes(1)
    _write_legacy(engine, legacy[0])
    target = tmp_path / "nova.key"

    result = sinesys("credenciais", "rotate-key", "--new-key-file", str(target))

    assert result.exit_code == 0, result.output
    assert "re-cifradas 1 credenciais" in result.stdout
    assert "log bruto: 4 páginas lidas, 3 re-cifradas, 1 legadas cifradas" in result.stdout
    new = Cipher.from_text(target.read_text())
    assert _payloads(engine, new, pages + legacy) == [e.payload_bruto for e in pages + legacy]
    assert find_canaries(_stored(engine)) == []
    with pytest.raises(ChaveInvalida):
        _payloads(engine, cipher, pages[:1])


def test_a_rotation_refused_by_a_credential_leaves_the_raw_log_alone(sinesys, engine, cipher, credencial, tmp_path):
    """A credential the old key cannot read stops rotate-key before any raw-log page changes key."""
    pages = _partes(2)
    SqlRawLogStore(make_session_factory(engine), cipher=cipher).append_many(pages)
    with session_scope(factory=make_session_factory(engine)) as session:
        row = session.get(CredencialRow, credencial)
        row.senha_cifrada = Cipher.from_text(generate_key()).encrypt("x", aad=credencial_aad(row.uuid, "senha"))
    target = tmp_path / "nova.key"

    result = sinesys("credenciais", "rotate-key", "--new-key-file", str(target))

    assert_one_line_error(result, f"credencial {credencial}")
    assert not target.exists()
    assert _payloads(engine, cipher, pages) == [e.payload_bruto for e in pages]


def test_an_interrupted_raw_log_rotation_is_finished_by_running_again(sinesys, engine, cipher, credencial, tmp_path):
    """A rotation stopped after its first batch leaves pages under both keys; running again with its key ends it."""
    pages = _partes(5)
    store = SqlRawLogStore(make_session_factory(engine), cipher=cipher)
    store.append_many(pages)
    target = tmp_path / "nova.key"
    write_key_file(target, generate_key())
    new = Cipher.from_text(target.read_text())
    first = next(iter(store.reencrypt(cipher, new, batch_size=2)))  # committed, then stopped
    assert first.recifradas == 2

    result = sinesys("credenciais", "rotate-key", "--new-key-file", str(target))

    assert result.exit_code == 0, result.output
    assert "log bruto: 5 páginas lidas, 3 re-cifradas" in result.stdout
    assert _payloads(engine, new, pages) == [e.payload_bruto for e in pages]


def test_encrypt_rawlog_help(sinesys):
    """`sinesys db encrypt-rawlog --help` says what it does."""
    result = sinesys("db", "encrypt-rawlog", "--help")
    assert result.exit_code == 0
    assert "clear" in result.stdout
