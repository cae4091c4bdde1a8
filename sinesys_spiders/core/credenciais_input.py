"""Validated input for a new credential, from keyword values (CLI, API) or a JSON object (import).

Every problem raises :class:`CampoInvalido` naming the field and the reason, never the value: a
password, TOTP secret or token must not reach an error message even when it is malformed.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from sinesys_spiders.core.domain import Grau, Tribunal, check_tribunal_grau, parse_grau
from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.totp import parse_totp
from sinesys_spiders.core.validation import validate_cpf, validate_url

__all__ = [
    "CampoInvalido",
    "NovaCredencial",
    "TwoFAuth",
    "normalize_totp_secret",
    "validate_advogado_id",
    "validate_senha",
    "validate_usuario",
]

_MAX_SENHA = 256
_MAX_USUARIO = 64
_MIN_TOTP_BYTES = 14  # 112 bits (23 base32 characters): the minimum pyotp accepts
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")
_IMPORT_FIELDS = frozenset({"advogado_id", "tribunal", "grau", "usuario", "senha", "totp_secret", "twofauth"})
_TWOFAUTH_FIELDS = frozenset({"url", "token", "account_id"})


class CampoInvalido(EntradaInvalida):
    """A field of a credential is invalid; the message names the field, never its value."""

    def __init__(self, campo: str, motivo: str, *, prefix: str = "") -> None:
        self.campo = campo
        self.motivo = motivo
        super().__init__(f"{prefix}campo {campo}: {motivo}")

    def with_prefix(self, prefix: str) -> CampoInvalido:
        """The same error, with ``prefix`` (``"entrada 3: "``) in front of its message."""
        return CampoInvalido(self.campo, self.motivo, prefix=prefix)


def normalize_totp_secret(value: str, *, campo: str = "totp_secret") -> str:
    """A TOTP secret in its stored form; ``CampoInvalido`` otherwise.

    A bare base32 secret (30 s steps, 6 digits, as PJE) comes back without spaces or padding, upper
    case; an ``otpauth://totp/`` URI comes back as the bare secret when its period and digits are
    the defaults, else as a canonical URI keeping them (:mod:`sinesys_spiders.core.totp`).
    """
    try:
        spec = parse_totp(value if isinstance(value, str) else "")
    except ValueError as exc:
        raise CampoInvalido(campo, str(exc)) from None
    text = spec.secret
    if not text or not _BASE32.match(text):
        raise CampoInvalido(campo, "não é base32 (use só letras A-Z e dígitos 2-7)")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise CampoInvalido(campo, "não é base32 válido (comprimento incorreto)") from None
    if len(raw) < _MIN_TOTP_BYTES:
        raise CampoInvalido(campo, "curto demais (mínimo 112 bits: 23 caracteres base32)")
    try:
        spec.totp().at(0)  # the library the login uses must accept it as is
    except Exception:
        raise CampoInvalido(campo, "não é aceito como segredo TOTP") from None
    return spec.text()


def _secret_text(value: Any, campo: str, *, max_len: int = _MAX_SENHA) -> SecretStr:
    if not isinstance(value, str):
        raise CampoInvalido(campo, "deve ser texto")
    if not value.strip():
        raise CampoInvalido(campo, "vazio")
    if len(value) > max_len:
        raise CampoInvalido(campo, f"longo demais (máximo {max_len} caracteres)")
    if any(ch in value for ch in "\r\n\x00"):
        raise CampoInvalido(campo, "contém quebra de linha ou caractere nulo")
    return SecretStr(value)


def validate_senha(value: Any) -> SecretStr:
    """A tribunal password: non-empty text, one line, at most 256 characters."""
    return _secret_text(value, "senha")


def validate_advogado_id(value: Any) -> int:
    """A lawyer id: a positive integer (its existence is checked against the database on add)."""
    return _positive_int(value, "advogado_id")


def _positive_int(value: Any, campo: str) -> int:
    if isinstance(value, bool):
        raise CampoInvalido(campo, "deve ser um número inteiro positivo")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 20:
        number = int(value.strip())
    else:
        raise CampoInvalido(campo, "deve ser um número inteiro positivo")
    if number <= 0:
        raise CampoInvalido(campo, "deve ser um número inteiro positivo")
    if number >= 2**63:
        raise CampoInvalido(campo, "grande demais para um id")
    return number


@dataclasses.dataclass(frozen=True, slots=True)
class TwoFAuth:
    """A 2FAuth account that produces a credential's codes. The token is a secret."""

    url: str
    token: SecretStr
    account_id: int

    @classmethod
    def from_values(cls, *, url: Any, token: Any, account_id: Any, campo: str = "twofauth") -> TwoFAuth:
        if not isinstance(url, str):
            raise CampoInvalido(f"{campo}.url", "deve ser texto")
        try:
            clean_url = validate_url(url, field="URL do 2FAuth")
        except EntradaInvalida as exc:
            raise CampoInvalido(f"{campo}.url", exc.message) from None
        return cls(
            url=clean_url,
            token=_secret_text(token, f"{campo}.token", max_len=4096),
            account_id=_positive_int(account_id, f"{campo}.account_id"),
        )

    @classmethod
    def from_config(cls, data: Mapping[str, Any], *, campo: str = "twofauth") -> TwoFAuth:
        """From ``{url, token, account_id}`` (JSON import, or the decrypted stored value)."""
        if not isinstance(data, Mapping):
            raise CampoInvalido(campo, "deve ser um objeto {url, token, account_id}")
        unknown = sorted(set(data) - _TWOFAUTH_FIELDS)
        if unknown:
            raise CampoInvalido(campo, f"chaves desconhecidas: {', '.join(map(str, unknown))}")
        missing = sorted(_TWOFAUTH_FIELDS - set(data))
        if missing:
            raise CampoInvalido(campo, f"faltam as chaves: {', '.join(missing)}")
        return cls.from_values(url=data["url"], token=data["token"], account_id=data["account_id"], campo=campo)

    def as_config(self) -> dict[str, Any]:
        """``{url, token, account_id}`` in plaintext, for encryption or ``core.otp`` (never log it)."""
        return {"url": self.url, "token": self.token.get_secret_value(), "account_id": self.account_id}

    def __repr__(self) -> str:
        return f"TwoFAuth(url={self.url!r}, token=***, account_id={self.account_id})"


@dataclasses.dataclass(frozen=True, slots=True)
class NovaCredencial:
    """A credential to be stored, validated field by field (the lawyer's existence is checked on add)."""

    advogado_id: int
    tribunal: Tribunal
    grau: Grau
    senha: SecretStr
    usuario: str | None = None
    totp_secret: SecretStr | None = None
    twofauth: TwoFAuth | None = None

    @classmethod
    def from_values(
        cls,
        *,
        advogado_id: Any,
        tribunal: Any,
        grau: Any,
        senha: Any,
        usuario: Any = None,
        totp_secret: Any = None,
        twofauth: TwoFAuth | Mapping[str, Any] | None = None,
    ) -> NovaCredencial:
        advogado = _positive_int(advogado_id, "advogado_id")
        if not isinstance(tribunal, str | Tribunal):
            raise CampoInvalido("tribunal", "deve ser texto (TRT1..TRT24 ou TST)")
        try:
            trib = tribunal if isinstance(tribunal, Tribunal) else Tribunal.parse(tribunal)
        except ValueError as exc:
            raise CampoInvalido("tribunal", str(exc)) from None
        if not isinstance(grau, str | Grau):
            raise CampoInvalido("grau", "deve ser texto")
        try:
            gr = grau if isinstance(grau, Grau) else parse_grau(grau)
            check_tribunal_grau(trib, gr)
        except ValueError as exc:
            raise CampoInvalido("grau", str(exc)) from None
        secret = _secret_text(senha, "senha")
        totp = None
        if totp_secret is not None:
            if not isinstance(totp_secret, str):
                raise CampoInvalido("totp_secret", "deve ser texto")
            totp = SecretStr(normalize_totp_secret(totp_secret))
        fa = None
        if twofauth is not None:
            fa = twofauth if isinstance(twofauth, TwoFAuth) else TwoFAuth.from_config(twofauth)
        if totp is not None and fa is not None:
            raise CampoInvalido("totp_secret", "informe totp_secret ou twofauth, não os dois")
        return cls(
            advogado_id=advogado,
            tribunal=trib,
            grau=gr,
            senha=secret,
            usuario=validate_usuario(usuario),
            totp_secret=totp,
            twofauth=fa,
        )

    @classmethod
    def from_mapping(cls, data: Any) -> NovaCredencial:
        """From one object of a JSON import; unknown keys are refused (a typo must not be ignored)."""
        if not isinstance(data, Mapping):
            raise EntradaInvalida("deve ser um objeto JSON")
        unknown = sorted(set(map(str, data)) - _IMPORT_FIELDS)
        if unknown:
            raise CampoInvalido(unknown[0], f"desconhecido (aceitos: {', '.join(sorted(_IMPORT_FIELDS))})")
        for required in ("advogado_id", "tribunal", "grau", "senha"):
            if data.get(required) is None:
                raise CampoInvalido(required, "obrigatório")
        return cls.from_values(**{key: data.get(key) for key in _IMPORT_FIELDS})

    def __repr__(self) -> str:
        otp = "totp" if self.totp_secret else "2fauth" if self.twofauth else "none"
        return f"NovaCredencial(advogado_id={self.advogado_id}, {self.tribunal.value}/{self.grau.value}, otp={otp})"


def validate_usuario(value: Any) -> str | None:
    """``None`` (the lawyer's CPF at login), a CPF (stored as digits) or another login name."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise CampoInvalido("usuario", "deve ser texto")
    text = value.strip()
    if not text:
        return None
    if len(text) > _MAX_USUARIO or any(ch.isspace() for ch in text):
        raise CampoInvalido("usuario", f"inválido (até {_MAX_USUARIO} caracteres, sem espaços)")
    if re.fullmatch(r"[\d.\-]+", text):
        try:
            return validate_cpf(text)
        except EntradaInvalida as exc:
            raise CampoInvalido("usuario", exc.message) from None
    return text
