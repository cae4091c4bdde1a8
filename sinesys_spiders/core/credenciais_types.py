"""The values the credential service hands out: a decrypted credential, a listing row, a rotation report.

None of them shows a secret or a full CPF in its repr.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

from pydantic import SecretStr

from sinesys_spiders.core.credenciais_input import TwoFAuth
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.validation import mask_cpf

__all__ = ["Credencial", "CredencialResumo", "OtpKind", "RotationReport", "mask_usuario"]


def mask_usuario(usuario: str) -> str:
    """A login fit for display: a CPF masked (``123.***.***-01``), anything else cut to two characters."""
    return mask_cpf(usuario) if usuario.isdigit() and len(usuario) == 11 else usuario[:2] + "***"


class OtpKind(enum.StrEnum):
    """Where a credential's second factor comes from."""

    TOTP = "totp"
    TWOFAUTH = "2fauth"
    NONE = "none"


@dataclasses.dataclass(frozen=True, slots=True)
class Credencial:
    """A decrypted credential, held only in memory. The repr shows no secret and no full CPF."""

    id: int
    uuid: str
    advogado_id: int
    tribunal: Tribunal
    grau: Grau
    #: The login typed at the SSO: ``credenciais.usuario``, or the lawyer's CPF by default.
    usuario: str
    senha: SecretStr
    totp_secret: SecretStr | None
    twofauth: TwoFAuth | None
    active: bool

    @property
    def otp_kind(self) -> OtpKind:
        if self.totp_secret is not None:
            return OtpKind.TOTP
        return OtpKind.TWOFAUTH if self.twofauth is not None else OtpKind.NONE

    def otp_config(self) -> dict[str, Any]:
        """Keyword arguments for ``core.otp.otp_provider_for`` (plaintext: pass them on, never log them)."""
        return {
            "totp_secret": self.totp_secret.get_secret_value() if self.totp_secret else None,
            "twofauth": self.twofauth.as_config() if self.twofauth else None,
        }

    def __repr__(self) -> str:
        return (
            f"Credencial(id={self.id}, advogado_id={self.advogado_id}, tribunal={self.tribunal.value}, "
            f"grau={self.grau.value}, usuario={mask_usuario(self.usuario)}, otp={self.otp_kind.value}, "
            f"active={self.active})"
        )

    __str__ = __repr__


@dataclasses.dataclass(frozen=True, slots=True)
class CredencialResumo:
    """What may be shown about a credential without decrypting it (listings, the API)."""

    id: int
    advogado_id: int
    tribunal: str
    grau: str
    usuario_mascarado: str
    otp_kind: OtpKind
    active: bool
    #: The code of the recorded login failure that stops new logins (``core.falhas_login``), if any.
    falha_login: str | None = None
    falha_login_em: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RotationReport:
    """How many rows a key rotation re-encrypted."""

    credenciais: int
    sessoes: int
    chave_antiga: str
    chave_nova: str
