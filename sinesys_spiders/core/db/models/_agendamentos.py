"""Capture schedules (``agendamentos``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime

__all__ = ["ESTADOS_EXECUCAO", "PERIODICIDADES", "Agendamento", "AgendamentoExecucao"]

PERIODICIDADES = ("diario", "a_cada_N_dias", "a_cada_N_horas")
#: pendente -> reivindicada (a scheduler holds its lease) -> despachada (a capture started) -> concluida | falhou.
ESTADOS_EXECUCAO = ("pendente", "reivindicada", "despachada", "concluida", "falhou")


class Agendamento(TimestampMixin, Base):
    """A recurring capture: ``diario`` at ``horario``, every ``intervalo`` days or hours."""

    __tablename__ = "agendamentos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tipo_captura: Mapped[str] = mapped_column(String(30), nullable=False)
    advogado_id: Mapped[int | None] = mapped_column(ForeignKey("advogados.id", ondelete="CASCADE"), index=True)
    credencial_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    periodicidade: Mapped[str] = mapped_column(String(20), nullable=False)
    intervalo: Mapped[int | None] = mapped_column(Integer)
    horario: Mapped[str | None] = mapped_column(String(5))
    ativo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    parametros_extras: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    ultima_execucao: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    proxima_execucao: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (
        CheckConstraint("periodicidade IN ('diario', 'a_cada_N_dias', 'a_cada_N_horas')", name="periodicidade"),
        CheckConstraint("intervalo IS NULL OR intervalo > 0", name="intervalo_positivo"),
    )

    def __repr__(self) -> str:
        return f"<Agendamento id={self.id} {self.tipo_captura} {self.periodicidade} ativo={self.ativo}>"


class AgendamentoExecucao(TimestampMixin, Base):
    """One run of a schedule: unique per (schedule, scheduled time, attempt), claimed by one scheduler at a time.

    ``tentativa`` 1 is the run itself; a retry of its credentials that failed with transient errors is attempt 2, 3...
    of the same scheduled time, due at ``nao_antes_de``. A scheduler claims a row by setting ``dono`` and
    ``reivindicada_ate`` (its lease); a claim whose lease lapsed (the scheduler died) is claimed again.
    """

    __tablename__ = "agendamento_execucoes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agendamento_id: Mapped[int] = mapped_column(ForeignKey("agendamentos.id", ondelete="CASCADE"), nullable=False)
    agendado_para: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    tentativa: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    credencial_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pendente")
    atrasada: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    nao_antes_de: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    dono: Mapped[str | None] = mapped_column(String(64))
    reivindicada_ate: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reivindicacoes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    captura_id: Mapped[int | None] = mapped_column(ForeignKey("capturas_log.id", ondelete="SET NULL"))
    despachada_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    erro: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("agendamento_id", "agendado_para", "tentativa", name="uq_agendamento_execucoes_vez"),
        CheckConstraint("status IN ('pendente', 'reivindicada', 'despachada', 'concluida', 'falhou')", name="status"),
        Index("ix_agendamento_execucoes_status_nao_antes_de", "status", "nao_antes_de"),
    )

    def __repr__(self) -> str:
        return (
            f"<AgendamentoExecucao id={self.id} agendamento={self.agendamento_id} {self.agendado_para:%Y-%m-%d %H:%M}"
            f" tentativa={self.tentativa} {self.status}>"
        )
