"""Stored PJE sessions (``sessoes``) and SQL locks (``locks``)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Lock", "Sessao"]


def _new_uuid() -> str:
    return str(uuid_module.uuid4())


class Sessao(TimestampMixin, Base):
    """The PJE session of one credential, encrypted (cookies + JWT claims) and bound to ``uuid``.

    ``dados_cifrados`` is ``None`` once the session was invalidated; the row stays so that
    ``otp_ultimo_passo`` (the last TOTP time step sent, never reused) and ``logins`` survive.
    """

    __tablename__ = "sessoes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credencial_id: Mapped[int] = mapped_column(
        ForeignKey("credenciais.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    uuid: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=_new_uuid)
    dados_cifrados: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_advogado_externo: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    otp_ultimo_passo: Mapped[int | None] = mapped_column(BigInteger)
    logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    def __repr__(self) -> str:  # never the ciphertext
        return f"<Sessao credencial_id={self.credencial_id} expires_at={self.expires_at}>"


class Lock(Base):
    """A named lock held by ``owner`` (a random token) until ``expires_at``."""

    __tablename__ = "locks"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    metadados: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)

    def __repr__(self) -> str:
        return f"<Lock {self.key} expires_at={self.expires_at}>"
