"""API access: local users (``usuarios_api``), service keys (``chaves_api``) and cookie sessions (``sessoes_api``).

No secret is stored in clear: passwords as argon2 hashes, keys and session tokens as SHA-256 digests
(they carry 256 random bits, so a plain digest cannot be reversed or guessed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["ChaveApi", "SessaoApi", "UsuarioApi"]


class UsuarioApi(TimestampMixin, Base):
    """A local user of the web frontend (cookie session), with one scope."""

    __tablename__ = "usuarios_api"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    nome: Mapped[str | None] = mapped_column(String(255))
    senha_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    escopos: Mapped[list[Any]] = mapped_column(JSONType, nullable=False, default=list)
    ativo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())

    def __repr__(self) -> str:
        return f"<UsuarioApi id={self.id} {self.login}>"


class ChaveApi(Base):
    """A service key: its public ``prefixo`` finds the row, the digest of the whole key proves it."""

    __tablename__ = "chaves_api"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nome: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    prefixo: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    escopos: Mapped[list[Any]] = mapped_column(JSONType, nullable=False, default=list)
    criada_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expira_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revogada_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ultimo_uso_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:  # never the digest
        return f"<ChaveApi id={self.id} {self.nome}>"


class SessaoApi(Base):
    """A server-side session of a local user: idle and absolute expiry, revoked on logout."""

    __tablename__ = "sessoes_api"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    csrf_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    usuario_id: Mapped[int] = mapped_column(
        ForeignKey("usuarios_api.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criada_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ultimo_uso_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expira_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    revogada_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<SessaoApi id={self.id} usuario={self.usuario_id}>"
