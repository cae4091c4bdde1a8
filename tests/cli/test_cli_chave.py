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
