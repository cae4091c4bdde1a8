"""Authenticated encryption of credentials, stored sessions and raw-log payloads (DESIGN.md §8).

AES-256-GCM with associated data that binds each ciphertext to its table, row and field::

    b"sinesys:credenciais:<uuid>:senha"

so a ciphertext copied to another row or another field fails to decrypt. Blob format (version 1)::

    0x01 | key fingerprint (8 bytes) | nonce (12 bytes) | ciphertext + GCM tag (16 bytes)

The version byte and fingerprint are authenticated too (they are part of the associated data).
The fingerprint lets a wrong key be told apart from a tampered or misplaced ciphertext: both raise
:class:`~sinesys_spiders.core.errors.ChaveInvalida` with a message that says which, and never bytes.

The key is ``SINESYS_SECRET_KEY`` (url-safe base64 of 32 bytes, Fernet-style). Without it, the
embedded default reads ``var/secret.key`` (``Settings.effective_secret_key_file``), generating it
with mode 0600 and a WARNING the first time, and only while the database holds no encrypted value
(otherwise the command stops and names the expected key by its fingerprint). :func:`generate_key` makes a new key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.errors import ChaveInvalida, ConfiguracaoInvalida

__all__ = [
    "BLOB_VERSION",
    "BLOB_VERSION_VINCULADO",
    "Cipher",
    "associated_data",
    "credencial_aad",
    "generate_key",
    "load_cipher",
    "parse_key",
    "rawlog_aad",
    "read_key_file",
    "sessao_aad",
    "stored_fingerprint",
    "write_key_file",
]

logger = logging.getLogger(__name__)

BLOB_VERSION = 1
#: A credential secret sealed with its tribunal and grau in the associated data (issue 17): a row moved to
#: another tribunal does not decrypt. The version byte is authenticated, so a blob cannot be relabelled.
BLOB_VERSION_VINCULADO = 2
_VERSIONS = frozenset({BLOB_VERSION, BLOB_VERSION_VINCULADO})
KEY_BYTES = 32
_FINGERPRINT_BYTES = 8
_NONCE_BYTES = 12
_HEADER_BYTES = 1 + _FINGERPRINT_BYTES
_MIN_BLOB = _HEADER_BYTES + _NONCE_BYTES + 16

_ROTATE_HINT = "SINESYS_SECRET_KEY mudou? Use a chave original (ou o arquivo de chave antigo)"


def associated_data(table: str, row_uuid: str, field: str) -> bytes:
    """The associated data binding a ciphertext to ``table``, row ``row_uuid`` and ``field``.

    The convention every caller uses: ``associated_data("credenciais", uuid, "senha")``,
    ``associated_data("sessoes", uuid, "dados")``.
    """
    for part in (table, row_uuid, field):
        if not part or ":" in part:
            raise ValueError("associated data parts must be non-empty and contain no ':'")
    return f"sinesys:{table}:{row_uuid}:{field}".encode()


def credencial_aad(row_uuid: str, field: str, tribunal: str | None = None, grau: str | None = None) -> bytes:
    """Associated data of a credential secret; ``field`` is ``senha``, ``totp_secret`` or ``twofauth``.

    With ``tribunal`` and ``grau`` (blobs of version :data:`BLOB_VERSION_VINCULADO`) the secret is also bound to
    where it may be used; without them, the legacy form (version 1 blobs written before issue 17).
    """
    base = associated_data("credenciais", row_uuid, field)
    if tribunal is None and grau is None:
        return base
    for part in (str(tribunal or ""), str(grau or "")):
        if not part or ":" in part:
            raise ValueError("tribunal and grau must be non-empty and contain no ':'")
    return base + f":{tribunal}:{grau}".encode()


def sessao_aad(row_uuid: str) -> bytes:
    """Associated data of a stored session (``sessoes.dados_cifrados`` of the row ``uuid``)."""
    return associated_data("sessoes", row_uuid, "dados")


def rawlog_aad(raw_log_id: str) -> bytes:
    """Associated data of a raw-log payload (``captura_logs_brutos.payload_cifrado`` of ``raw_log_id``)."""
    return associated_data("captura_logs_brutos", raw_log_id, "payload")


def generate_key() -> str:
    """A new random key as url-safe base64 (the format of ``SINESYS_SECRET_KEY``)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str, *, source: str = "SINESYS_SECRET_KEY") -> bytes:
    """Decode a url-safe base64 key of 32 bytes; raise ``ConfiguracaoInvalida`` naming ``source``."""
    cleaned = text.strip()
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ConfiguracaoInvalida(
            f"{source} não é uma chave válida: use base64 url-safe de 32 bytes "
            '(gere uma com: python -c "from sinesys_spiders.core.crypto import generate_key; print(generate_key())")'
        )
    return raw


class Cipher:
    """AES-256-GCM bound to one key. ``repr`` shows only the key fingerprint."""

    __slots__ = ("_aead", "_fingerprint")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ConfiguracaoInvalida("a chave secreta deve ter 32 bytes")
        self._aead = AESGCM(key)
        self._fingerprint = hashlib.sha256(b"sinesys-key-fingerprint:" + key).digest()[:_FINGERPRINT_BYTES]

    @classmethod
    def from_text(cls, text: str, *, source: str = "SINESYS_SECRET_KEY") -> Cipher:
        """A cipher from a url-safe base64 key."""
        return cls(parse_key(text, source=source))

    @property
    def fingerprint(self) -> str:
        """A short public identifier of the key (hex), safe to log."""
        return self._fingerprint.hex()

    def __repr__(self) -> str:
        return f"Cipher(fingerprint={self.fingerprint})"

    def encrypt(self, plaintext: str | bytes, *, aad: bytes, version: int = BLOB_VERSION) -> bytes:
        """Encrypt ``plaintext`` (str is UTF-8) bound to ``aad`` (see :func:`associated_data`)."""
        if version not in _VERSIONS:
            raise ValueError(f"unknown blob version {version}")
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        header = bytes([version]) + self._fingerprint
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return header + nonce + self._aead.encrypt(nonce, data, header + aad)

    def decrypt(self, blob: bytes, *, aad: bytes, what: str = "o dado cifrado") -> bytes:
        """Decrypt a blob made by :meth:`encrypt` with the same ``aad``.

        ``what`` names the value in the error message (``"a senha da credencial 3"``); it must not
        contain secrets. Raises ``ChaveInvalida`` for a wrong key, an unknown format, or a
        ciphertext that does not belong to this row and field (copied or altered).
        """
        blob = bytes(blob)
        if len(blob) < _MIN_BLOB or blob[0] not in _VERSIONS:
            version = blob[0] if blob else None
            raise ChaveInvalida(f"{what} não está num formato de cifra conhecido (versão {version}, esperada 1 ou 2)")
        nonce_end = _HEADER_BYTES + _NONCE_BYTES
        header, nonce, body = blob[:_HEADER_BYTES], blob[_HEADER_BYTES:nonce_end], blob[nonce_end:]
        if header[1:] != self._fingerprint:
            raise ChaveInvalida(
                f"a chave secreta não decifra {what} (cifrado sob a chave {header[1:].hex()}, "
                f"chave atual {self.fingerprint}); {_ROTATE_HINT}."
            )
        try:
            return self._aead.decrypt(nonce, body, header + aad)
        except InvalidTag:
            raise ChaveInvalida(
                f"{what} não confere com seu registro e campo (copiado de outra linha ou alterado)"
            ) from None

    def decrypt_text(self, blob: bytes, *, aad: bytes, what: str = "o dado cifrado") -> str:
        """:meth:`decrypt` and decode UTF-8."""
        return self.decrypt(blob, aad=aad, what=what).decode("utf-8")

    @staticmethod
    def version_of(blob: bytes) -> int | None:
        """The format version of a blob (its first byte), or ``None`` for an empty one."""
        blob = bytes(blob)
        return blob[0] if blob else None

    def owns(self, blob: bytes) -> bool:
        """Whether ``blob`` was encrypted under this key (by fingerprint; no decryption)."""
        blob = bytes(blob)
        return len(blob) >= _HEADER_BYTES and blob[1:_HEADER_BYTES] == self._fingerprint


def read_key_file(path: Path) -> bytes:
    """Read a key file; a malformed one is a clear ``ConfiguracaoInvalida``."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfiguracaoInvalida(f"não foi possível ler o arquivo de chave {path}: {type(exc).__name__}") from None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("key file %s is readable by other users (mode %o); run chmod 600 on it", path, mode)
    return parse_key(text, source=f"o arquivo de chave {path}")


def write_key_file(path: Path, key_text: str, *, replace: bool = False) -> None:
    """Write ``key_text`` to ``path`` with mode 0600, atomically (temporary file + rename).

    With ``replace=False`` an existing file is never overwritten (``FileExistsError``).
    """
    parse_key(key_text, source="a nova chave")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".secret-", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key_text.strip() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            tmp.replace(path)
        else:
            os.link(tmp, path)  # fails with FileExistsError: never clobber a key by accident
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: Columns holding ciphertexts, whose header names the key that sealed them.
_CIFRADOS = (
    ("credenciais", "senha_cifrada"),
    ("sessoes", "dados_cifrados"),
    ("captura_logs_brutos", "payload_cifrado"),
)


def stored_fingerprint(database_url: str) -> str | None:
    """The fingerprint of the key that sealed a value already in the database (``None``: nothing sealed yet).

    Reads one ciphertext's header; a database that does not exist yet, or has no such tables, has none.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and (
        not url.database or url.database == ":memory:" or not Path(url.database).exists()
    ):
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table, column in _CIFRADOS:
                try:
                    blob = conn.execute(
                        text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 1")  # noqa: S608 - constants
                    ).scalar()
                except SQLAlchemyError:
                    conn.rollback()
                    continue
                if blob is not None and len(bytes(blob)) >= _HEADER_BYTES:
                    return bytes(blob)[1:_HEADER_BYTES].hex()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    return None


def load_cipher(settings: Settings | None = None) -> Cipher:
    """The cipher of the configured key: ``SINESYS_SECRET_KEY``, else the key file (generated once)."""
    settings = settings or get_settings()
    if settings.secret_key is not None:
        return Cipher.from_text(settings.secret_key.get_secret_value())
    path = settings.effective_secret_key_file
    if not path.exists():
        esperada = stored_fingerprint(settings.effective_database_url)
        if esperada is not None:  # a new key would read none of it: never generate one over existing data
            raise ConfiguracaoInvalida(
                f"nenhuma chave configurada, mas o banco já guarda dados cifrados sob a chave {esperada}: "
                f"defina SINESYS_SECRET_KEY ou restaure o arquivo de chave {path} (a chave de impressão {esperada})"
            )
        try:
            write_key_file(path, generate_key())
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            logger.warning(
                "generated a new secret key in %s (mode 0600); in production set SINESYS_SECRET_KEY "
                "from your vault instead, and keep a backup: without it the stored credentials are lost",
                path,
            )
    return Cipher(read_key_file(path))
