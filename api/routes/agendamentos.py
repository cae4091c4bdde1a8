"""``/api/captura/agendamentos``: schedules on the ``agendamentos`` table (CRUD and ``executar``).

The scheduler engine (``sinesys scheduler run``) claims due rows; this module only writes them, setting
``proxima_execucao`` by the schedule's rule (:mod:`scheduler.agendamentos.regras`: diario, a_cada_N_dias,
a_cada_N_horas in its window, Brasília time) whenever a schedule is created or changed, after checking its
``parametros_extras`` as the spider will get them. ``executar`` starts the schedule's capture now through the
capture service, like a start route (``dataRelativa`` resolved to that day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import asc, desc
from sqlalchemy.orm import Session, sessionmaker

from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.paginas import contadores, paginar
from api.routes.captura_trt import iniciar, validar_ids
from api.routing import Pedido, rota
from api.schemas.agendamentos import (
    AgendamentoAtualizar,
    AgendamentoNovo,
    AgendamentoSaida,
    AgendamentosConsulta,
    AgendamentosLista,
)
from api.schemas.base import Envelope
from api.schemas.capturas import CapturaIniciada
from api.schemas.outros import Mensagem
from scheduler.agendamentos.parametros import argumentos_spider, validar_parametros
from scheduler.agendamentos.regras import primeira_execucao
from scheduler.agendamentos.servico import regra_de
from sinesys_spiders.core.db.models import Agendamento
from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["ROUTES", "proxima_execucao"]


def proxima_execucao(
    tipo_captura: str,
    periodicidade: str,
    horario: str | None,
    intervalo: int | None,
    extras: dict[str, Any],
    ativo: bool,
) -> dt.datetime | None:
    """The schedule's first run under its rule (scheduler.agendamentos); 400 when the rule or the
    ``parametros_extras`` are not valid for its capture type (checked when saved, not when it fires)."""
    try:
        regra = regra_de(periodicidade, horario, intervalo, extras)
        validar_parametros(tipo_captura, extras)
    except ValueError as exc:
        motivo = str(exc)
        campo = next((c for c in ("horario", "dias_intervalo", "periodicidade") if motivo.startswith(c)), None)
        campo = campo or ("parametros_extras.janela_execucao" if "janela" in motivo else "parametros_extras")
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": campo, "motivo": motivo}]) from None
    return primeira_execucao(regra, utcnow()) if ativo else None


def _saida(row: Agendamento) -> AgendamentoSaida:
    return AgendamentoSaida(
        id=row.id,
        tipo_captura=row.tipo_captura,
        advogado_id=row.advogado_id,
        credencial_ids=list(row.credencial_ids or []),
        periodicidade=row.periodicidade,
        dias_intervalo=row.intervalo,
        horario=row.horario,
        ativo=row.ativo,
        parametros_extras=dict(row.parametros_extras or {}),
        ultima_execucao=row.ultima_execucao,
        proxima_execucao=row.proxima_execucao,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _get(session: Session, agendamento_id: int) -> Agendamento:
    row = session.get(Agendamento, agendamento_id)
    if row is None:
        raise ErroApi(404, f"Agendamento {agendamento_id} não encontrado", detalhes={"id": agendamento_id})
    return row


def listar_agendamentos(factory: sessionmaker[Session], q: AgendamentosConsulta) -> AgendamentosLista:
    conds: list[Any] = []
    if q.advogado_id is not None:
        conds.append(Agendamento.advogado_id == q.advogado_id)
    if q.tipo_captura is not None:
        conds.append(Agendamento.tipo_captura == q.tipo_captura)
    if q.ativo is not None:
        conds.append(Agendamento.ativo == q.ativo)
    if q.proxima_execucao_min is not None:
        conds.append(Agendamento.proxima_execucao >= _aware(q.proxima_execucao_min))
    if q.proxima_execucao_max is not None:
        conds.append(Agendamento.proxima_execucao <= _aware(q.proxima_execucao_max))
    ordem = asc if q.ordem == "asc" else desc
    with factory() as session:
        order = [ordem(getattr(Agendamento, q.ordenar_por)), Agendamento.id]
        rows, total = paginar(session, Agendamento, conds, order, q)
        return AgendamentosLista(agendamentos=[_saida(r) for r in rows], **contadores(q, total))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=BRASILIA)


def criar_agendamento(factory: sessionmaker[Session], corpo: AgendamentoNovo) -> AgendamentoSaida:
    ids = validar_ids(factory, corpo.advogado_id, corpo.credencial_ids)
    extras = corpo.parametros_extras.model_dump(mode="json", exclude_none=True)
    with factory.begin() as session:
        row = Agendamento(
            tipo_captura=corpo.tipo_captura,
            advogado_id=corpo.advogado_id,
            credencial_ids=ids,
            periodicidade=corpo.periodicidade,
            intervalo=corpo.dias_intervalo if corpo.periodicidade != "diario" else None,
            horario=corpo.horario,
            ativo=corpo.ativo,
            parametros_extras=extras,
            proxima_execucao=proxima_execucao(
                corpo.tipo_captura, corpo.periodicidade, corpo.horario, corpo.dias_intervalo, extras, corpo.ativo
            ),
        )
        session.add(row)
        session.flush()
        return _saida(row)


def obter_agendamento(factory: sessionmaker[Session], agendamento_id: int) -> AgendamentoSaida:
    with factory() as session:
        return _saida(_get(session, agendamento_id))


def atualizar_agendamento(
    factory: sessionmaker[Session], agendamento_id: int, corpo: AgendamentoAtualizar
) -> AgendamentoSaida:
    with factory() as session:
        atual = _get(session, agendamento_id)
        advogado_id = corpo.advogado_id or atual.advogado_id
        credencial_ids = corpo.credencial_ids or list(atual.credencial_ids or [])
        periodicidade = corpo.periodicidade or atual.periodicidade
    if corpo.advogado_id is not None or corpo.credencial_ids is not None:
        if advogado_id is None:
            raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "advogado_id", "motivo": "obrigatório"}])
        credencial_ids = validar_ids(factory, advogado_id, credencial_ids)
    with factory.begin() as session:
        row = _get(session, agendamento_id)
        intervalo = corpo.dias_intervalo if corpo.dias_intervalo is not None else row.intervalo
        if periodicidade != "diario" and intervalo is None:
            motivo = f"obrigatório (> 0) quando periodicidade é {periodicidade}"
            raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "dias_intervalo", "motivo": motivo}])
        if corpo.tipo_captura is not None:
            row.tipo_captura = corpo.tipo_captura
        row.advogado_id = advogado_id
        row.credencial_ids = credencial_ids
        row.periodicidade = periodicidade
        row.intervalo = intervalo if periodicidade != "diario" else None
        if corpo.ativo is not None:
            row.ativo = corpo.ativo
        if corpo.parametros_extras is not None:
            row.parametros_extras = corpo.parametros_extras.model_dump(mode="json", exclude_none=True)
        row.horario = corpo.horario or row.horario
        row.proxima_execucao = proxima_execucao(
            row.tipo_captura, periodicidade, row.horario, row.intervalo, dict(row.parametros_extras or {}), row.ativo
        )
        session.flush()
        return _saida(row)


def apagar_agendamento(factory: sessionmaker[Session], agendamento_id: int) -> None:
    with factory.begin() as session:
        session.delete(_get(session, agendamento_id))


async def listar(p: Pedido) -> Envelope[AgendamentosLista]:
    data = await p.run(listar_agendamentos, p.app_state.session_factory, p.consulta)
    return Envelope[AgendamentosLista](data=data)


async def criar(p: Pedido) -> Envelope[AgendamentoSaida]:
    data = await p.run(criar_agendamento, p.app_state.session_factory, p.corpo)
    return Envelope[AgendamentoSaida](data=data)


async def obter(p: Pedido) -> Envelope[AgendamentoSaida]:
    data = await p.run(obter_agendamento, p.app_state.session_factory, p.path["id"])
    return Envelope[AgendamentoSaida](data=data)


async def atualizar(p: Pedido) -> Envelope[AgendamentoSaida]:
    data = await p.run(atualizar_agendamento, p.app_state.session_factory, p.path["id"], p.corpo)
    return Envelope[AgendamentoSaida](data=data)


async def apagar(p: Pedido) -> Envelope[Mensagem]:
    await p.run(apagar_agendamento, p.app_state.session_factory, p.path["id"])
    return Envelope[Mensagem](data=Mensagem(message=f"Agendamento {p.path['id']} removido"))


async def executar(p: Pedido) -> CapturaIniciada:
    st = p.app_state
    ag = await p.run(obter_agendamento, st.session_factory, p.path["id"])
    if ag.advogado_id is None:
        raise ErroApi(400, f"Agendamento {ag.id} não tem advogado")
    ids = await p.run(validar_ids, st.session_factory, ag.advogado_id, ag.credencial_ids)
    try:  # dataRelativa becomes today's (or yesterday's) date in Brasília
        parametros = argumentos_spider(ag.tipo_captura, ag.parametros_extras, utcnow())
    except ValueError as exc:
        raise ErroApi(400, f"Agendamento {ag.id}: {exc}") from None
    return await iniciar(p, ag.tipo_captura, ag.advogado_id, ids, parametros, agendamento_id=ag.id)


_T = "agendamentos"
_P = "/api/captura/agendamentos"
ROUTES = [
    rota(
        _P,
        listar,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Agendamentos (filtrados e paginados)",
        tag=_T,
        consulta=AgendamentosConsulta,
        resposta=Envelope[AgendamentosLista],
    ),
    rota(
        _P,
        criar,
        "POST",
        escopo=Escopo.CAPTURA,
        resumo="Criar um agendamento",
        tag=_T,
        corpo=AgendamentoNovo,
        resposta=Envelope[AgendamentoSaida],
        status=201,
    ),
    rota(
        _P + "/{id:int}",
        obter,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Um agendamento",
        tag=_T,
        resposta=Envelope[AgendamentoSaida],
    ),
    rota(
        _P + "/{id:int}",
        atualizar,
        "PUT",
        escopo=Escopo.CAPTURA,
        resumo="Alterar um agendamento",
        tag=_T,
        corpo=AgendamentoAtualizar,
        resposta=Envelope[AgendamentoSaida],
    ),
    rota(
        _P + "/{id:int}",
        apagar,
        "DELETE",
        escopo=Escopo.CAPTURA,
        resumo="Remover um agendamento",
        tag=_T,
        resposta=Envelope[Mensagem],
    ),
    rota(
        _P + "/{id:int}/executar",
        executar,
        "POST",
        escopo=Escopo.CAPTURA,
        resumo="Executar um agendamento agora (responde com o capture_id)",
        tag=_T,
        resposta=CapturaIniciada,
    ),
]
