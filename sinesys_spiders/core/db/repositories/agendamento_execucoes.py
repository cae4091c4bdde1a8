"""Data access for ``agendamento_execucoes``: the runs of schedules, created once and claimed under a lease.

Exactly-once rests on two things here, on any number of scheduler processes:

- :meth:`criar_devidas` locks the due schedules (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer
  at a time), inserts the run row (unique per schedule, scheduled time and attempt) and moves ``proxima_execucao``
  in the same transaction;
- :meth:`reivindicar` locks the claimable runs the same way and gives them to one owner until its lease lapses;
  :meth:`marcar_despachada` only succeeds for the owner whose lease is current (compare-and-set).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from sinesys_spiders.core.db.models import Agendamento, AgendamentoExecucao
from sinesys_spiders.core.db.repositories._base import Repository, insert_ignoring_conflicts
from sinesys_spiders.core.timeutil import ensure_utc

__all__ = ["AgendamentoExecucoesRepository"]


class AgendamentoExecucoesRepository(Repository):
    """Create, claim and settle schedule runs."""

    def _skip_locked(self) -> dict[str, Any]:
        return {"skip_locked": True} if self.session.get_bind().dialect.name == "postgresql" else {}

    def criar_devidas(
        self,
        *,
        agora: dt.datetime,
        proxima: Callable[[Agendamento, dt.datetime], dt.datetime | None],
        tolerancia: dt.timedelta,
        limite: int = 100,
    ) -> list[AgendamentoExecucao]:
        """Turn due schedules into run rows (attempt 1) and move each schedule to its next time.

        ``proxima(agendamento, agendado_para)`` gives the next time; a run more than ``tolerancia`` behind ``agora``
        is recorded as late. Schedules locked by another scheduler are skipped (it is creating their runs).
        """
        agora = ensure_utc(agora)
        devidos = self.session.scalars(
            select(Agendamento)
            .where(
                Agendamento.ativo.is_(True),
                Agendamento.proxima_execucao.is_not(None),
                Agendamento.proxima_execucao <= agora,
            )
            .order_by(Agendamento.proxima_execucao, Agendamento.id)
            .limit(limite)
            .with_for_update(**self._skip_locked())
        ).all()
        criadas = []
        for agendamento in devidos:
            agendado_para = ensure_utc(agendamento.proxima_execucao)  # type: ignore[arg-type]
            valores = {
                "agendamento_id": agendamento.id,
                "agendado_para": agendado_para,
                "tentativa": 1,
                "credencial_ids": list(agendamento.credencial_ids),
                "status": "pendente",
                "atrasada": agora - agendado_para > tolerancia,
                "manual": False,
                "nao_antes_de": agendado_para,
                "reivindicacoes": 0,
                "created_at": agora,
                "updated_at": agora,
            }
            statement = insert_ignoring_conflicts(
                self.session,
                AgendamentoExecucao,
                valores,
                index_elements=["agendamento_id", "agendado_para", "tentativa"],
            )
            inserida = self.session.execute(statement).first()
            agendamento.proxima_execucao = proxima(agendamento, agendado_para)
            if inserida is not None:
                criadas.append(self.session.get(AgendamentoExecucao, inserida[0]))
        self.session.flush()
        return [c for c in criadas if c is not None]

    def adicionar(
        self,
        *,
        agendamento_id: int,
        agendado_para: dt.datetime,
        credencial_ids: Sequence[int],
        tentativa: int = 1,
        nao_antes_de: dt.datetime | None = None,
        manual: bool = False,
        atrasada: bool = False,
    ) -> AgendamentoExecucao:
        """A run row: a manual run (``executar``) or a retry attempt."""
        row = AgendamentoExecucao(
            agendamento_id=agendamento_id,
            agendado_para=ensure_utc(agendado_para),
            tentativa=tentativa,
            credencial_ids=[int(i) for i in credencial_ids],
            status="pendente",
            atrasada=atrasada,
            manual=manual,
            nao_antes_de=ensure_utc(nao_antes_de or agendado_para),
            reivindicacoes=0,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def reivindicar(
        self, *, dono: str, agora: dt.datetime, lease: dt.timedelta, limite: int = 10
    ) -> list[AgendamentoExecucao]:
        """Claim up to ``limite`` runs that are due, or whose claim's lease lapsed, for ``dono`` until now+lease."""
        agora = ensure_utc(agora)
        rows = self.session.scalars(
            select(AgendamentoExecucao)
            .where(
                or_(
                    and_(AgendamentoExecucao.status == "pendente", AgendamentoExecucao.nao_antes_de <= agora),
                    and_(AgendamentoExecucao.status == "reivindicada", AgendamentoExecucao.reivindicada_ate < agora),
                )
            )
            .order_by(AgendamentoExecucao.nao_antes_de, AgendamentoExecucao.id)
            .limit(limite)
            .with_for_update(**self._skip_locked())
        ).all()
        for row in rows:
            row.status = "reivindicada"
            row.dono = dono
            row.reivindicada_ate = agora + lease
            row.reivindicacoes += 1
        self.session.flush()
        return list(rows)

    def _do_dono(self, execucao_id: int, dono: str, agora: dt.datetime) -> Any:
        return and_(
            AgendamentoExecucao.id == execucao_id,
            AgendamentoExecucao.status == "reivindicada",
            AgendamentoExecucao.dono == dono,
            AgendamentoExecucao.reivindicada_ate >= ensure_utc(agora),
        )

    def ainda_minha(self, *, execucao_id: int, dono: str, agora: dt.datetime) -> bool:
        """Whether ``dono`` still holds the run's claim (its lease has not lapsed)."""
        found = self.session.scalar(select(AgendamentoExecucao.id).where(self._do_dono(execucao_id, dono, agora)))
        return found is not None

    def marcar_despachada(self, *, execucao_id: int, dono: str, captura_id: int, agora: dt.datetime) -> bool:
        """Record the capture a run started; ``False`` when another scheduler claimed the run meanwhile.

        A lease that lapsed while the dispatch went on is still ``dono``'s if nobody took it over.
        """
        result = self.session.execute(
            update(AgendamentoExecucao)
            .where(
                AgendamentoExecucao.id == execucao_id,
                AgendamentoExecucao.status == "reivindicada",
                AgendamentoExecucao.dono == dono,
            )
            .values(status="despachada", captura_id=captura_id, despachada_em=ensure_utc(agora), updated_at=agora)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def devolver(
        self, *, execucao_id: int, dono: str, nao_antes_de: dt.datetime, erro: str, agora: dt.datetime
    ) -> bool:
        """Give a claimed run back (its dispatch failed for a transient reason): due again at ``nao_antes_de``."""
        result = self.session.execute(
            update(AgendamentoExecucao)
            .where(self._do_dono(execucao_id, dono, agora))
            .values(
                status="pendente",
                dono=None,
                reivindicada_ate=None,
                nao_antes_de=ensure_utc(nao_antes_de),
                erro=erro[:2000],
                updated_at=ensure_utc(agora),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def marcar_falha(self, *, execucao_id: int, dono: str | None, erro: str, agora: dt.datetime) -> bool:
        """A run that could not be dispatched (or whose capture failed for good): ``falhou`` with the reason."""
        condicao = AgendamentoExecucao.id == execucao_id
        if dono is not None:
            condicao = self._do_dono(execucao_id, dono, agora)
        result = self.session.execute(
            update(AgendamentoExecucao)
            .where(condicao)
            .values(status="falhou", erro=erro[:2000], updated_at=ensure_utc(agora))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def marcar_concluida(self, *, execucao_id: int, agora: dt.datetime) -> None:
        self.session.execute(
            update(AgendamentoExecucao)
            .where(AgendamentoExecucao.id == execucao_id)
            .values(status="concluida", updated_at=ensure_utc(agora))
            .execution_options(synchronize_session=False)
        )

    def despachadas(self, *, limite: int = 100) -> Sequence[AgendamentoExecucao]:
        """Runs whose capture was started and whose outcome is not settled yet, oldest first."""
        return self.session.scalars(
            select(AgendamentoExecucao)
            .where(AgendamentoExecucao.status == "despachada")
            .order_by(AgendamentoExecucao.despachada_em, AgendamentoExecucao.id)
            .limit(limite)
            .with_for_update(**self._skip_locked())
        ).all()

    def ultimas(self, *, agendamento_id: int, limite: int = 10) -> Sequence[AgendamentoExecucao]:
        """A schedule's latest runs, newest first."""
        return self.session.scalars(
            select(AgendamentoExecucao)
            .where(AgendamentoExecucao.agendamento_id == agendamento_id)
            .order_by(AgendamentoExecucao.agendado_para.desc(), AgendamentoExecucao.tentativa.desc())
            .limit(limite)
        ).all()

    def contar(self, *, agendamento_id: int | None = None, status: str | None = None) -> int:
        query = select(func.count()).select_from(AgendamentoExecucao)
        if agendamento_id is not None:
            query = query.where(AgendamentoExecucao.agendamento_id == agendamento_id)
        if status is not None:
            query = query.where(AgendamentoExecucao.status == status)
        return int(self.session.scalar(query) or 0)
