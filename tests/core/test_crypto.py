"""Authenticated encryption bound to row and field, key loading, and the key file."""

from __future__ import annotations

import logging
import stat

import pytest

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import (
    Cipher,
    associated_data,
    generate_key,
    load_cipher,
    parse_key,
    write_key_file,
)
from sinesys_spiders.core.errors import ChaveInvalida, ConfiguracaoInvalida
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET

ROW_A = "7b0d7a4e-8a7c-4a8e-9d0e-1f2a3b4c5d6e"
ROW_B = "0c9e8d7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"


@pytest.fixture
def cipher() -> Cipher:
    return Cipher.from_text(generate_key())


def test_roundtrip_text_and_bytes(cipher):
    """What is encrypted for a row and field decrypts back for the same row and field."""
    aad = associated_data("credenciais", ROW_A, "senha")
    assert cipher.decrypt_text(cipher.encrypt(CANARY_SENHA, aad=aad), aad=aad) == CANARY_SENHA
    assert cipher.decrypt(cipher.encrypt(b"\x00\xffbytes", aad=aad), aad=aad) == b"\x00\xffbytes"


def test_ciphertext_holds_no_plaintext_and_never_repeats(cipher):
    """The blob does not contain the secret, and encrypting twice gives different blobs."""
    aad = associated_data("credenciais", ROW_A, "senha")
    first, second = cipher.encrypt(CANARY_SENHA, aad=aad), cipher.encrypt(CANARY_SENHA, aad=aad)
    assert first != second
    assert CANARY_SENHA.encode() not in first
    assert first[0] == 1


def test_ciphertext_copied_to_another_row_fails(cipher):
    """A password blob moved to another credential's row does not decrypt there."""
    blob = cipher.encrypt(CANARY_SENHA, aad=associated_data("credenciais", ROW_A, "senha"))
    with pytest.raises(ChaveInvalida, match="não confere com seu registro"):
        cipher.decrypt(blob, aad=associated_data("credenciais", ROW_B, "senha"))


def test_ciphertext_copied_to_another_field_fails(cipher):
    """A TOTP secret blob moved into the password field does not decrypt there."""
    blob = cipher.encrypt(CANARY_TOTP_SECRET, aad=associated_data("credenciais", ROW_A, "totp_secret"))
    with pytest.raises(ChaveInvalida, match="não confere"):
        cipher.decrypt(blob, aad=associated_data("credenciais", ROW_A, "senha"))


def test_ciphertext_copied_to_another_table_fails(cipher):
    """A credential blob moved into a session row does not decrypt there."""
    blob = cipher.encrypt("x", aad=associated_data("credenciais", ROW_A, "senha"))
    with pytest.raises(ChaveInvalida):
        cipher.decrypt(blob, aad=associated_data("sessoes", ROW_A, "senha"))


def test_wrong_key_gives_a_clear_message_without_bytes(cipher):
    """Decrypting under another key says the key changed, names the value, and shows no bytes or traceback chain."""
    aad = associated_data("credenciais", ROW_A, "senha")
    blob = cipher.encrypt(CANARY_SENHA, aad=aad)
    other = Cipher.from_text(generate_key())
    with pytest.raises(ChaveInvalida) as info:
        other.decrypt(blob, aad=aad, what="a senha da credencial 3")
    message = str(info.value)
    assert "a chave secreta não decifra a senha da credencial 3" in message
    assert "SINESYS_SECRET_KEY mudou?" in message
    assert cipher.fingerprint in message
    assert other.fingerprint in message
    assert "\\x" not in message
    assert "b'" not in message
    assert info.value.__cause__ is None


def test_tampered_or_truncated_blobs_fail(cipher):
    """A changed byte, a truncated blob or an unknown format version never decrypts."""
    aad = associated_data("credenciais", ROW_A, "senha")
    blob = bytearray(cipher.encrypt("segredo", aad=aad))
    blob[-1] ^= 1
    with pytest.raises(ChaveInvalida, match="alterado"):
        cipher.decrypt(bytes(blob), aad=aad)
    with pytest.raises(ChaveInvalida, match="formato"):
        cipher.decrypt(bytes(blob[:20]), aad=aad)
    blob[0] = 9
    with pytest.raises(ChaveInvalida, match="versão 9"):
        cipher.decrypt(bytes(blob), aad=aad)


def test_repr_shows_the_fingerprint_not_the_key():
    """A cipher's repr is safe to log: the key never appears in it."""
    key = generate_key()
    cipher = Cipher.from_text(key)
    assert key not in repr(cipher)
    assert repr(cipher) == f"Cipher(fingerprint={cipher.fingerprint})"
    assert cipher.owns(cipher.encrypt("x", aad=b"a"))
    assert not Cipher.from_text(generate_key()).owns(cipher.encrypt("x", aad=b"a"))


@pytest.mark.parametrize(
    "text",
    ["", "abc", "not base64 at all!!", generate_key()[:20]],
    ids=["empty", "short", "not-base64", "truncated-key"],  # stable ids: pytest-xdist workers must collect the same
)
def test_malformed_key_is_a_clear_configuration_error(text):
    """A SINESYS_SECRET_KEY that is not 32 bytes of url-safe base64 says how to make one."""
    with pytest.raises(ConfiguracaoInvalida, match="SINESYS_SECRET_KEY não é uma chave válida") as info:
        load_cipher(Settings(secret_key=text))
    if text:
        assert text not in str(info.value)


def test_generated_key_is_accepted_with_or_without_padding():
    """generate_key() yields a key SINESYS_SECRET_KEY accepts, padded or not."""
    key = generate_key()
    assert len(parse_key(key)) == 32
    assert parse_key(key.rstrip("=")) == parse_key(key)


def test_env_key_is_used_and_no_key_file_written(tmp_path):
    """With SINESYS_SECRET_KEY set, that key is used and no key file is created."""
    key = generate_key()
    cipher = load_cipher(Settings(secret_key=key, var_dir=tmp_path))
    assert cipher.fingerprint == Cipher.from_text(key).fingerprint
    assert not (tmp_path / "secret.key").exists()


def test_embedded_default_generates_a_private_key_file_once(tmp_path, caplog):
    """Without SINESYS_SECRET_KEY a 0600 key file is generated once, with a warning, and reused."""
    settings = Settings(secret_key=None, secret_key_file=None, var_dir=tmp_path / "var")
    with caplog.at_level(logging.WARNING, logger="sinesys_spiders.core.crypto"):
        first = load_cipher(settings)
    path = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "SINESYS_SECRET_KEY" in warnings[0].getMessage()
    assert path.read_text().strip() not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sinesys_spiders.core.crypto"):
        second = load_cipher(settings)
    assert second.fingerprint == first.fingerprint
    assert not caplog.records


def test_corrupt_key_file_is_a_clear_configuration_error(tmp_path):
    """A key file that does not hold a key names the file and stops."""
    path = tmp_path / "secret.key"
    path.write_text("garbage\n")
    path.chmod(0o600)
    with pytest.raises(ConfiguracaoInvalida, match="arquivo de chave"):
        load_cipher(Settings(secret_key=None, secret_key_file=path))


def test_write_key_file_replaces_atomically_and_never_clobbers_by_accident(tmp_path):
    """A key file is only replaced when asked, keeps mode 0600 and leaves no temporary files."""
    path = tmp_path / "secret.key"
    first, second = generate_key(), generate_key()
    write_key_file(path, first)
    with pytest.raises(FileExistsError):
        write_key_file(path, second)
    assert path.read_text().strip() == first
    write_key_file(path, second, replace=True)
    assert path.read_text().strip() == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_associated_data_rejects_ambiguous_parts():
    """Row and field names cannot contain the separator, so two bindings never collide."""
    assert associated_data("credenciais", ROW_A, "senha") == f"sinesys:credenciais:{ROW_A}:senha".encode()
    with pytest.raises(ValueError):
        associated_data("credenciais", "a:b", "senha")
    with pytest.raises(ValueError):
        associated_data("credenciais", "", "senha")
