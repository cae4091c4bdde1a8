"""Lawyers (``advogados``) and their court credentials (``credenciais``).

No plaintext secret column exists: passwords, TOTP secrets and 2FAuth settings are stored as
ciphertexts produced by ``core/crypto.py``, bound to the credential's ``uuid``.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime

__all__ = ["Advogado", "Credencial"]


def _new_uuid() -> str:
    return str(uuid_module.uuid4())


class Advogado(TimestampMixin, Base):
    """A lawyer whose cases are captured. ``oabs`` is a list of ``{"numero", "uf"}``."""

    __tablename__ = "advogados"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nome_completo: Mapped[str] = mapped_column(String(255), nullable=False)
    cpf: Mapped[str] = mapped_column(String(11), nullable=False, unique=True)
    oabs: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    #: A disabled lawyer keeps their history; no capture starts for them (API onboarding).
    ativo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())

    credenciais: Mapped[list[Credencial]] = relationship(back_populates="advogado", passive_deletes=True)

    __table_args__ = (CheckConstraint("length(cpf) = 11", name="cpf_11_digitos"),)

    def __repr__(self) -> str:  # no CPF: it is personal data
        return f"<Advogado id={self.id}>"


class Credencial(TimestampMixin, Base):
    """A lawyer's login at one tribunal and grau; secrets only as ciphertexts."""

    __tablename__ = "credenciais"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=_new_uuid)
    advogado_id: Mapped[int] = mapped_column(ForeignKey("advogados.id", ondelete="CASCADE"), nullable=False, index=True)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    usuario: Mapped[str | None] = mapped_column(String(64))
    senha_cifrada: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    totp_secret_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    twofauth_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    #: The last permanent login failure (code, safe message, time): every process refuses to log in
    #: again until the credential is corrected (or, for WAF and maintenance, a cool-down passed).
    falha_login_codigo: Mapped[str | None] = mapped_column(String(40))
    falha_login_mensagem: Mapped[str | None] = mapped_column(String(500))
    falha_login_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    advogado: Mapped[Advogado] = relationship(back_populates="credenciais")

    __table_args__ = (UniqueConstraint("advogado_id", "tribunal", "grau"),)

    def __repr__(self) -> str:  # never the ciphertexts or the login
        return f"<Credencial id={self.id} {self.tribunal}/{self.grau} active={self.active}>"
