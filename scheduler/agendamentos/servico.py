"""``AgendamentosService``: create, change, delete, list, show and run schedules; no HTTP, no terminal.

Every input is validated before anything is written (one :class:`EntradaInvalida` naming the field; unknown ids are
:class:`NaoEncontrado`): the timing rule (:mod:`.regras`), the credentials (they exist and are the lawyer's), the
capture type and ``parametros_extras`` as the spider will receive them (:mod:`.parametros`). ``proxima_execucao`` is
computed on create and on every change of timing or of ``ativo``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.agendamentos import parametros as _parametros
from scheduler.agendamentos.despacho import Despacho, PedidoDespacho, despachar_captura
from scheduler.agendamentos.modelos import AgendamentoAlteracao, AgendamentoNovo, AgendamentoView, ExecucaoView
from scheduler.agendamentos.regras import Janela, Regra, parse_horario, primeira_execucao
from sinesys_spiders.core.db.engine import get_session_factory, session_scope
from sinesys_spiders.core.db.models import Agendamento
from sinesys_spiders.core.db.repositories import (
    AdvogadosRepository,
    AgendamentoExecucoesRepository,
    AgendamentosRepository,
    CredenciaisRepository,
)
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.params import describe_validation_error

__all__ = ["AgendamentosService", "regra_de"]

_ORDENAVEIS = {"id", "proxima_execucao", "ultima_execucao", "created_at", "updated_at", "tipo_captura"}


def regra_de(periodicidade: str, horario: str | None, intervalo: int | None, extras: dict[str, Any]) -> Regra:
    """The timing rule of a schedule's columns; ``ValueError`` naming what is wrong."""
    if horario is None:
        raise ValueError("horario é obrigatório (HH:MM)")
    janela = extras.get("janela_execucao")
    return Regra(
        periodicidade=periodicidade,
        horario=parse_horario(horario),
        dias_intervalo=intervalo if periodicidade != "diario" else None,
        janela=Janela.parse(janela) if janela is not None else None,
    )


def _view(row: Agendamento, execucoes: list[ExecucaoView] | None = None) -> AgendamentoView:
    return AgendamentoView(
        id=row.id,
        tipo_captura=row.tipo_captura,
        advogado_id=row.advogado_id,
        credencial_ids=list(row.credencial_ids),
        periodicidade=row.periodicidade,
        dias_intervalo=row.intervalo,
        horario=row.horario,
        ativo=row.ativo,
        parametros_extras=dict(row.parametros_extras),
        ultima_execucao=row.ultima_execucao,
        proxima_execucao=row.proxima_execucao,
        created_at=row.created_at,
        updated_at=row.updated_at,
        execucoes=execucoes,
    )


def _entrada(model: type[Any], dados: Any) -> Any:
    if isinstance(dados, model):
        return dados
    try:
        return model.model_validate(dados)
    except ValidationError as exc:
        raise EntradaInvalida(describe_validation_error(exc).replace("argumento inválido", "campo inválido")) from None


class AgendamentosService:
    """Schedules on one database; ``despachar`` starts a capture for a run (default: the capture service)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        despachar: Despacho | None = None,
        relogio: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._factory = session_factory
        self._despachar = despachar or despachar_captura
        self._relogio = relogio

    @classmethod
    def from_settings(cls, database_url: str | None = None, **kwargs: Any) -> AgendamentosService:
        return cls(get_session_factory(database_url), **kwargs)

    # -- validation ----------------------------------------------------------------------------------

    def _validar(
        self,
        session: Session,
        *,
        tipo_captura: str,
        advogado_id: int | None,
        credencial_ids: list[int],
        periodicidade: str,
        horario: str | None,
        intervalo: int | None,
        extras: dict[str, Any],
    ) -> Regra:
        try:
            regra = regra_de(periodicidade, horario, intervalo, extras)
            _parametros.validar_parametros(tipo_captura, extras)
        except ValueError as exc:
            raise EntradaInvalida(str(exc)) from None
        if advogado_id is None or AdvogadosRepository(session).get(advogado_id=advogado_id) is None:
            raise NaoEncontrado(f"advogado {advogado_id} não existe")
        encontradas = {c.id: c for c in CredenciaisRepository(session).list(ids=credencial_ids)}
        faltam = [i for i in credencial_ids if i not in encontradas]
        if faltam:
            raise NaoEncontrado(f"credencial não existe: {', '.join(map(str, faltam))}")
        alheias = [i for i in credencial_ids if encontradas[i].advogado_id != advogado_id]
        if alheias:
            raise EntradaInvalida(
                f"credencial de outro advogado: {', '.join(map(str, alheias))} (não pertence ao advogado {advogado_id})"
            )
        return regra

    # -- commands ------------------------------------------------------------------------------------

    def criar(self, dados: AgendamentoNovo | dict[str, Any]) -> AgendamentoView:
        """Validate and create a schedule; its view with ``proxima_execucao`` (``None`` when inactive)."""
        novo: AgendamentoNovo = _entrada(AgendamentoNovo, dados)
        credencial_ids = list(dict.fromkeys(novo.credencial_ids))
        with session_scope(factory=self._factory) as session:
            regra = self._validar(
                session,
                tipo_captura=novo.tipo_captura,
                advogado_id=novo.advogado_id,
                credencial_ids=credencial_ids,
                periodicidade=novo.periodicidade,
                horario=novo.horario,
                intervalo=novo.dias_intervalo,
                extras=novo.parametros_extras,
            )
            row = AgendamentosRepository(session).add(
                tipo_captura=novo.tipo_captura,
                periodicidade=novo.periodicidade,
                advogado_id=novo.advogado_id,
                credencial_ids=credencial_ids,
                intervalo=regra.dias_intervalo,
                horario=f"{regra.horario:%H:%M}",
                ativo=novo.ativo,
                parametros_extras=novo.parametros_extras,
                proxima_execucao=primeira_execucao(regra, self._relogio()) if novo.ativo else None,
            )
            return _view(row)

    def atualizar(self, agendamento_id: int, alteracao: AgendamentoAlteracao | dict[str, Any]) -> AgendamentoView:
        """Change the given fields (validated together with the others); ``proxima_execucao`` recomputed."""
        mudanca: AgendamentoAlteracao = _entrada(AgendamentoAlteracao, alteracao)
        dados = mudanca.model_dump(exclude_unset=True)
        if any(dados.get(k, 0) is None for k in ("tipo_captura", "periodicidade", "horario", "ativo")):
            raise EntradaInvalida("campo obrigatório não pode ser nulo")
        with session_scope(factory=self._factory) as session:
            row = self._get(session, agendamento_id)
            periodicidade = dados.get("periodicidade", row.periodicidade)
            intervalo = dados.get("dias_intervalo", row.intervalo)
            extras = dados.get("parametros_extras", row.parametros_extras) or {}
            ativo = dados.get("ativo", row.ativo)
            regra = self._validar(
                session,
                tipo_captura=dados.get("tipo_captura", row.tipo_captura),
                advogado_id=row.advogado_id,
                credencial_ids=list(dict.fromkeys(dados.get("credencial_ids", row.credencial_ids))),
                periodicidade=periodicidade,
                horario=dados.get("horario", row.horario),
                intervalo=intervalo,
                extras=extras,
            )
            row.tipo_captura = dados.get("tipo_captura", row.tipo_captura)
            row.credencial_ids = list(dict.fromkeys(dados.get("credencial_ids", row.credencial_ids)))
            row.periodicidade = periodicidade
            row.intervalo = regra.dias_intervalo
            row.horario = f"{regra.horario:%H:%M}"
            row.ativo = ativo
            row.parametros_extras = dict(extras)
            row.proxima_execucao = primeira_execucao(regra, self._relogio()) if ativo else None
            session.flush()
            return _view(row)

    def remover(self, agendamento_id: int) -> None:
        """Delete a schedule and its runs' records (captures it started stay in the history)."""
        with session_scope(factory=self._factory) as session:
            if not AgendamentosRepository(session).delete(agendamento_id=agendamento_id):
                raise NaoEncontrado(f"agendamento {agendamento_id} não existe")

    def obter(self, agendamento_id: int, *, execucoes: int = 10) -> AgendamentoView:
        """One schedule with its latest runs."""
        with session_scope(factory=self._factory) as session:
            row = self._get(session, agendamento_id)
            runs = AgendamentoExecucoesRepository(session).ultimas(agendamento_id=agendamento_id, limite=execucoes)
            return _view(row, [ExecucaoView.model_validate(r, from_attributes=True) for r in runs])

    def listar(
        self,
        *,
        pagina: int = 1,
        limite: int = 50,
        advogado_id: int | None = None,
        tipo_captura: str | None = None,
        ativo: bool | None = None,
        proxima_execucao_min: dt.datetime | None = None,
        proxima_execucao_max: dt.datetime | None = None,
        ordenar_por: str = "id",
        ordem: str = "asc",
    ) -> tuple[list[AgendamentoView], int]:
        """A page of schedules and the total matching the filters."""
        if pagina < 1 or not 1 <= limite <= 100:
            raise EntradaInvalida("pagina deve ser >= 1 e limite entre 1 e 100")
        if ordenar_por not in _ORDENAVEIS or ordem not in ("asc", "desc"):
            raise EntradaInvalida(f"ordenar_por deve ser um de {', '.join(sorted(_ORDENAVEIS))}; ordem asc ou desc")
        filtros = []
        if advogado_id is not None:
            filtros.append(Agendamento.advogado_id == advogado_id)
        if tipo_captura is not None:
            filtros.append(Agendamento.tipo_captura == tipo_captura)
        if ativo is not None:
            filtros.append(Agendamento.ativo.is_(ativo))
        if proxima_execucao_min is not None:
            filtros.append(Agendamento.proxima_execucao >= proxima_execucao_min)
        if proxima_execucao_max is not None:
            filtros.append(Agendamento.proxima_execucao <= proxima_execucao_max)
        coluna = getattr(Agendamento, ordenar_por)
        with session_scope(factory=self._factory) as session:
            total = session.scalar(select(func.count()).select_from(Agendamento).where(*filtros)) or 0
            rows = session.scalars(
                select(Agendamento)
                .where(*filtros)
                .order_by(coluna.asc() if ordem == "asc" else coluna.desc(), Agendamento.id)
                .offset((pagina - 1) * limite)
                .limit(limite)
            ).all()
            return [_view(r) for r in rows], int(total)

    def executar(self, agendamento_id: int, *, solicitante: str | None = None) -> int:
        """Run a schedule now (also an inactive one): a manual run row, dispatched at once; the capture id."""
        agora = self._relogio()
        dono = "manual-" + secrets.token_hex(8)
        with session_scope(factory=self._factory) as session:
            row = self._get(session, agendamento_id)
            try:
                argumentos = _parametros.argumentos_spider(row.tipo_captura, row.parametros_extras, agora)
            except ValueError as exc:
                raise EntradaInvalida(str(exc)) from None
            pedido = PedidoDespacho(
                tipo_captura=row.tipo_captura,
                advogado_id=row.advogado_id,
                credencial_ids=tuple(row.credencial_ids),
                parametros=argumentos,
                agendamento_id=row.id,
                agendado_para=agora,
                solicitante=solicitante,
            )
            repo = AgendamentoExecucoesRepository(session)
            execucao = repo.adicionar(
                agendamento_id=row.id, agendado_para=agora, credencial_ids=row.credencial_ids, manual=True
            )
            execucao.status, execucao.dono = "reivindicada", dono
            execucao.reivindicada_ate, execucao.reivindicacoes = agora + dt.timedelta(minutes=5), 1
            execucao_id = execucao.id
        try:
            captura_id = self._despachar(pedido)
        except Exception as exc:
            with session_scope(factory=self._factory) as session:
                AgendamentoExecucoesRepository(session).marcar_falha(
                    execucao_id=execucao_id, dono=None, erro=f"{type(exc).__name__}: {exc}", agora=agora
                )
            raise
        with session_scope(factory=self._factory) as session:
            AgendamentoExecucoesRepository(session).marcar_despachada(
                execucao_id=execucao_id, dono=dono, captura_id=captura_id, agora=agora
            )
            AgendamentosRepository(session).mark_executed(agendamento_id=agendamento_id, quando=agora)
        return captura_id

    @staticmethod
    def _get(session: Session, agendamento_id: int) -> Agendamento:
        row = AgendamentosRepository(session).get(agendamento_id=agendamento_id)
        if row is None:
            raise NaoEncontrado(f"agendamento {agendamento_id} não existe")
        return row
