"""Capture history (``capturas_log``), the SQL raw log (``captura_logs_brutos``) and row versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["CapturaLog", "CapturaLogBruto", "RegistroVersao"]


class CapturaLog(TimestampMixin, Base):
    """One capture run: pending -> in_progress -> completed | failed | cancelled, with a result per credential.

    The job columns (0004): who asked (``origem``, ``solicitante``, ``agendamento_id``, ``agendado_para``), the job
    that runs it (``runner``, ``job_id``, ``node``), the crawl's ``heartbeat_em``, why a ``pending`` capture has not
    started (``motivo_pendente``) and when a cancel was asked (``cancelamento_pedido_em``).
    """

    __tablename__ = "capturas_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tipo_captura: Mapped[str] = mapped_column(String(30), nullable=False)
    advogado_id: Mapped[int | None] = mapped_column(ForeignKey("advogados.id", ondelete="SET NULL"), index=True)
    credencial_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    parametros: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    resultado: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    erro: Mapped[str | None] = mapped_column(Text)
    iniciado_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    concluido_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    origem: Mapped[str] = mapped_column(String(20), nullable=False, default="cli", server_default="cli")
    solicitante: Mapped[str | None] = mapped_column(String(200))
    agendamento_id: Mapped[int | None] = mapped_column(ForeignKey("agendamentos.id", ondelete="SET NULL"), index=True)
    agendado_para: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    runner: Mapped[str | None] = mapped_column(String(20))
    job_id: Mapped[str | None] = mapped_column(String(100))
    node: Mapped[str | None] = mapped_column(String(200))
    heartbeat_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    motivo_pendente: Mapped[str | None] = mapped_column(Text)
    cancelamento_pedido_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'in_progress', 'completed', 'failed', 'cancelled')", name="status"),
        CheckConstraint("origem IN ('cli', 'api', 'agendamento', 'recovery')", name="origem"),
        Index("ix_capturas_log_status_created_at", "status", "created_at"),
        Index("ix_capturas_log_status_heartbeat_em", "status", "heartbeat_em"),
    )

    def __repr__(self) -> str:
        return f"<CapturaLog id={self.id} {self.tipo_captura} {self.status}>"


class CapturaLogBruto(Base):
    """A raw PJE payload as captured, replayable without calling PJE again.

    The payload is sealed in ``payload_cifrado`` (AES-GCM bound to ``raw_log_id``; see
    ``sinesys_spiders.core.rawlog.cifra``). ``payload_bruto`` is legacy: the clear payload of rows written
    before migration 0003, NULL on every row written since and emptied by ``sinesys db encrypt-rawlog``.
    """

    __tablename__ = "captura_logs_brutos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_log_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    captura_log_id: Mapped[int | None] = mapped_column(ForeignKey("capturas_log.id", ondelete="SET NULL"), index=True)
    tipo_captura: Mapped[str] = mapped_column(String(30), nullable=False)
    advogado_id: Mapped[int | None] = mapped_column(Integer)
    credencial_id: Mapped[int | None] = mapped_column(Integer)
    tribunal: Mapped[str | None] = mapped_column(String(8))
    grau: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    requisicao: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    payload_bruto: Mapped[Any | None] = mapped_column(JSONType, nullable=True)
    payload_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    resultado_processado: Mapped[Any] = mapped_column(JSONType)
    erro: Mapped[str | None] = mapped_column(Text)
    criado_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    atualizado_em: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('success', 'error')", name="status"),
        Index("ix_captura_logs_brutos_tipo_captura_criado_em", "tipo_captura", "criado_em"),
    )

    def __repr__(self) -> str:
        return f"<CapturaLogBruto {self.raw_log_id} {self.tipo_captura} {self.status}>"


class RegistroVersao(Base):
    """A previous version of a changed row (every one, not only the last)."""

    __tablename__ = "registro_versoes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tabela: Mapped[str] = mapped_column(String(64), nullable=False)
    registro_id: Mapped[int] = mapped_column(Integer, nullable=False)
    versao: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    campos_alterados: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    captura_log_id: Mapped[int | None] = mapped_column(ForeignKey("capturas_log.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (Index("ix_registro_versoes_tabela_registro_id", "tabela", "registro_id"),)
