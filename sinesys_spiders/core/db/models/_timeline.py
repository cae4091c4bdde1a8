"""Case timelines: the whole document (``timelines``), its items as rows, downloaded PDFs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Documento", "Timeline", "TimelineItem"]


class Timeline(TimestampMixin, Base):
    """SQL counterpart of the MongoDB ``timeline`` collection: one document per case."""

    __tablename__ = "timelines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_processo_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    processo_id: Mapped[int | None] = mapped_column(ForeignKey("acervo.id", ondelete="SET NULL"), index=True)
    capturado_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    metadados: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)

    __table_args__ = (UniqueConstraint("id_processo_externo", "tribunal", "grau"),)


class TimelineItem(TimestampMixin, Base):
    """A movement or document of a case timeline, as a row (``tipo`` is part of the key)."""

    __tablename__ = "timeline_itens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    id_processo_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tipo: Mapped[str] = mapped_column(String(10), nullable=False)
    titulo: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    documento_sigiloso: Mapped[bool | None] = mapped_column(Boolean)
    id_signatario: Mapped[int | None] = mapped_column(BigInteger)
    codigo_movimento_cnj: Mapped[str | None] = mapped_column(String(20))
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        UniqueConstraint("tribunal", "grau", "id_processo_externo", "tipo", "id_externo"),
        CheckConstraint("tipo IN ('movimento', 'documento')", name="tipo"),
    )


class Documento(Base):
    """A downloaded PDF of a case: where it is stored and its digest."""

    __tablename__ = "documentos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    id_processo_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    id_documento_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    tamanho: Mapped[int] = mapped_column(BigInteger, nullable=False)
    caminho: Mapped[str] = mapped_column(String(1000), nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    md5_externo: Mapped[str | None] = mapped_column(String(32))
    credencial_id: Mapped[int | None] = mapped_column(ForeignKey("credenciais.id", ondelete="SET NULL"))
    baixado_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("tribunal", "grau", "id_processo_externo", "id_documento_externo"),)
