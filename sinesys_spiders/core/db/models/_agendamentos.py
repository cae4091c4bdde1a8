"""Capture schedules (``agendamentos``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime

__all__ = ["PERIODICIDADES", "Agendamento"]

PERIODICIDADES = ("diario", "a_cada_N_dias", "a_cada_N_horas")


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
