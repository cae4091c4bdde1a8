"""The secret key against existing encrypted data (issue 17, item 4): never a new key over it, never a deletion."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sinesys_spiders.cli import main
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.crypto import Cipher
from tests.cli.helpers import row_counts
from tests.cli.test_cli_credenciais import TOTP_INPUT


@pytest.fixture
def credencial_cifrada(sinesys, secret_key) -> str:
    """A lawyer and one credential sealed under the test's key."""
    advogado = sinesys("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25").stdout.strip()
    added = sinesys(
        "credenciais", "add", "--advogado", advogado, "--tribunal", "TRT3", "--grau", "primeiro_grau", input=TOTP_INPUT
    )
    assert added.exit_code == 0, added.output
    return added.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "argv",
    [
        ("credenciais", "add", "--advogado", "1", "--tribunal", "TRT5", "--grau", "primeiro_grau"),
        ("credenciais", "rotate-key"),
        ("db", "encrypt-rawlog"),
    ],
)
def test_no_key_over_encrypted_data_is_one_line_naming_the_expected_key(
    sinesys, credencial_cifrada, secret_key, database_env, engine, monkeypatch, tmp_path, argv
):
    """Without SINESYS_SECRET_KEY and without the key file, a command that needs the key fails naming the key
    that sealed the data (by fingerprint) and creates no new key file; the database is unchanged."""
    monkeypatch.setenv("SINESYS_VAR_DIR", str(tmp_path / "var"))
    reset_settings()
    before = row_counts(engine)
    env = {"SINESYS_DATABASE_URL": database_env, "SINESYS_SECRET_KEY": None}
    try:
        result = CliRunner().invoke(main, list(argv), input=TOTP_INPUT if "add" in argv else None, env=env)
    finally:
        reset_settings()
    fingerprint = Cipher.from_text(secret_key).fingerprint
    assert result.exit_code != 0, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("erro: ")
    assert fingerprint in line
    assert not (tmp_path / "var" / "secret.key").exists()
    assert row_counts(engine) == before


def test_db_upgrade_binds_legacy_credentials_to_their_tribunal(sinesys, credencial_cifrada, secret_key, engine):
    """``sinesys db upgrade`` re-seals a credential written the pre-issue-17 way; it still decrypts afterwards."""
    from sqlalchemy import select

    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.crypto import credencial_aad
    from sinesys_spiders.core.db import make_session_factory, session_scope
    from sinesys_spiders.core.db.models import Credencial as CredencialRow
    from sinesys_spiders.testing.canary import CANARY_SENHA

    cipher = Cipher.from_text(secret_key)
    with session_scope(factory=make_session_factory(engine)) as session:
        row = session.scalars(select(CredencialRow)).one()
        row.senha_cifrada = cipher.encrypt(CANARY_SENHA, aad=credencial_aad(row.uuid, "senha"))
    result = sinesys("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "1 credenciais re-cifradas" in result.stdout
    with session_scope(factory=make_session_factory(engine)) as session:
        assert bytes(session.scalars(select(CredencialRow.senha_cifrada)).one())[0] == 2
    service = CredenciaisService(make_session_factory(engine), cipher, cache_ttl=0)
    assert service.get(int(credencial_cifrada)).senha.get_secret_value() == CANARY_SENHA
