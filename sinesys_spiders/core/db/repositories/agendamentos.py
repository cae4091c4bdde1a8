"""Data access for ``agendamentos``: capture schedules and the rows that are due."""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update

from sinesys_spiders.core.db.models import PERIODICIDADES, Agendamento
from sinesys_spiders.core.db.repositories._base import UNSET, Repository, Unset, as_text
from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.core.timeutil import ensure_utc

__all__ = ["AgendamentosRepository"]

_HORARIO = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _check(periodicidade: str, intervalo: int | None, horario: str | None) -> None:
    if periodicidade not in PERIODICIDADES:
        raise ValueError(f"periodicidade inválida: {periodicidade!r} (use {', '.join(PERIODICIDADES)})")
    if periodicidade != "diario" and (intervalo is None or intervalo < 1):
        raise ValueError(f"{periodicidade} exige intervalo inteiro positivo")
    if horario is not None and not _HORARIO.match(horario):
        raise ValueError(f"horário inválido: {horario!r} (use HH:MM, 00:00 a 23:59)")


class AgendamentosRepository(Repository):
    """Add, read, list, change and delete schedules; find and claim the due ones."""

    def add(
        self,
        *,
        tipo_captura: TipoCaptura | str,
        periodicidade: str,
        advogado_id: int | None = None,
        credencial_ids: Iterable[int] = (),
        intervalo: int | None = None,
        horario: str | None = None,
        ativo: bool = True,
        parametros_extras: dict[str, Any] | None = None,
        proxima_execucao: dt.datetime | None = None,
    ) -> Agendamento:
        """Insert a schedule; ``ValueError`` on a bad periodicidade, intervalo or horario."""
        _check(periodicidade, intervalo, horario)
        row = Agendamento(
            tipo_captura=as_text(tipo_captura),
            periodicidade=periodicidade,
            advogado_id=advogado_id,
            credencial_ids=[int(i) for i in credencial_ids],
            intervalo=intervalo,
            horario=horario,
            ativo=ativo,
            parametros_extras=dict(parametros_extras or {}),
            proxima_execucao=proxima_execucao,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, *, agendamento_id: int) -> Agendamento | None:
        return self.session.get(Agendamento, agendamento_id)

    def list(self, *, ativo: bool | None = None, advogado_id: int | None = None) -> Sequence[Agendamento]:
        """Schedules ordered by id."""
        query = select(Agendamento).order_by(Agendamento.id)
        if ativo is not None:
            query = query.where(Agendamento.ativo == ativo)
        if advogado_id is not None:
            query = query.where(Agendamento.advogado_id == advogado_id)
        return self.session.scalars(query).all()

    def update(
        self,
        *,
        agendamento_id: int,
        periodicidade: str | Unset = UNSET,
        intervalo: int | Unset | None = UNSET,
        horario: str | Unset | None = UNSET,
        ativo: bool | Unset = UNSET,
        credencial_ids: builtins.list[int] | Unset = UNSET,  # `list` is the method here
        parametros_extras: dict[str, Any] | Unset = UNSET,
        proxima_execucao: dt.datetime | Unset | None = UNSET,
    ) -> Agendamento | None:
        """Change the given fields (validated together); ``None`` when absent."""
        row = self.get(agendamento_id=agendamento_id)
        if row is None:
            return None
        _check(
            row.periodicidade if periodicidade is UNSET else periodicidade,
            row.intervalo if intervalo is UNSET else intervalo,
            row.horario if horario is UNSET else horario,
        )
        changes = {
            "periodicidade": periodicidade,
            "intervalo": intervalo,
            "horario": horario,
            "ativo": ativo,
            "credencial_ids": credencial_ids,
            "parametros_extras": parametros_extras,
            "proxima_execucao": proxima_execucao,
        }
        if self._apply(row, **changes):
            self.session.flush()
        return row

    def delete(self, *, agendamento_id: int) -> bool:
        row = self.get(agendamento_id=agendamento_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def due(self, *, now: dt.datetime, limit: int | None = None) -> Sequence[Agendamento]:
        """Active schedules whose ``proxima_execucao`` is at or before ``now``, earliest first."""
        query = (
            select(Agendamento)
            .where(
                Agendamento.ativo.is_(True),
                Agendamento.proxima_execucao.is_not(None),
                Agendamento.proxima_execucao <= ensure_utc(now),
            )
            .order_by(Agendamento.proxima_execucao, Agendamento.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query).all()

    def claim(self, *, agendamento_id: int, esperado: dt.datetime, proxima_execucao: dt.datetime) -> bool:
        """Move ``proxima_execucao`` from ``esperado`` to the next time, only if nobody did it first.

        Compare-and-set: of two schedulers claiming the same due row, exactly one gets ``True``.
        """
        result = self.session.execute(
            update(Agendamento)
            .where(Agendamento.id == agendamento_id, Agendamento.proxima_execucao == ensure_utc(esperado))
            .values(proxima_execucao=ensure_utc(proxima_execucao))
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_executed(self, *, agendamento_id: int, quando: dt.datetime) -> Agendamento | None:
        """Record ``ultima_execucao``; ``None`` when absent."""
        row = self.get(agendamento_id=agendamento_id)
        if row is not None:
            row.ultima_execucao = ensure_utc(quando)
            self.session.flush()
        return row
