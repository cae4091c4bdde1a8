"""``/api/captura/historico``: the capture history, filtered and paged; one capture; cancelling one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import capturas
from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.paginas import contadores, paginar
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.historico import CapturaSaida, HistoricoConsulta, HistoricoLista
from api.schemas.outros import Mensagem
from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.domain import BRASILIA

__all__ = ["ROUTES", "captura_saida", "listar_historico", "obter_captura"]


def captura_saida(row: CapturaLog) -> CapturaSaida:
    return CapturaSaida(
        id=row.id,
        tipo_captura=row.tipo_captura,
        advogado_id=row.advogado_id,
        credencial_ids=list(row.credencial_ids or []),
        status=row.status,
        resultado=row.resultado,
        erro=row.erro,
        iniciado_em=row.iniciado_em,
        concluido_em=row.concluido_em,
        created_at=row.created_at,
        solicitante=getattr(row, "solicitante", None),
    )


def _inicio_do_dia(dia: dt.date) -> dt.datetime:
    return dt.datetime.combine(dia, dt.time.min, tzinfo=BRASILIA).astimezone(dt.UTC)


def listar_historico(factory: sessionmaker[Session], q: HistoricoConsulta) -> HistoricoLista:
    conds: list[Any] = []
    if q.tipo_captura is not None:
        conds.append(CapturaLog.tipo_captura == q.tipo_captura)
    if q.advogado_id is not None:
        conds.append(CapturaLog.advogado_id == q.advogado_id)
    if q.status is not None:
        conds.append(CapturaLog.status == q.status)
    if q.data_inicio is not None:
        conds.append(CapturaLog.created_at >= _inicio_do_dia(q.data_inicio))
    if q.data_fim is not None:
        conds.append(CapturaLog.created_at < _inicio_do_dia(q.data_fim + dt.timedelta(days=1)))
    with factory() as session:
        rows, total = paginar(session, CapturaLog, conds, [CapturaLog.id.desc()], q)
        return HistoricoLista(capturas=[captura_saida(r) for r in rows], **contadores(q, total))


def obter_captura(factory: sessionmaker[Session], captura_id: int) -> CapturaSaida:
    with factory() as session:
        row = session.get(CapturaLog, captura_id)
        if row is None:
            raise ErroApi(404, f"Captura {captura_id} não encontrada", detalhes={"id": captura_id})
        return captura_saida(row)


async def listar(p: Pedido) -> Envelope[HistoricoLista]:
    return Envelope[HistoricoLista](data=await p.run(listar_historico, p.app_state.session_factory, p.consulta))


async def obter(p: Pedido) -> Envelope[CapturaSaida]:
    return Envelope[CapturaSaida](data=await p.run(obter_captura, p.app_state.session_factory, p.path["id"]))


async def cancelar(p: Pedido) -> Envelope[Mensagem]:
    captura_id = p.path["id"]
    await p.run(obter_captura, p.app_state.session_factory, captura_id)  # 404 before asking the runner
    await p.run(capturas.cancelar, p.app_state.settings, captura_id)
    return Envelope[Mensagem](data=Mensagem(message=f"Cancelamento da captura {captura_id} solicitado"))


ROUTES = [
    rota(
        "/api/captura/historico",
        listar,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Histórico de capturas (filtrado e paginado)",
        tag="historico",
        consulta=HistoricoConsulta,
        resposta=Envelope[HistoricoLista],
    ),
    rota(
        "/api/captura/historico/{id:int}",
        obter,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Uma captura (o frontend consulta até sair de in_progress)",
        tag="historico",
        resposta=Envelope[CapturaSaida],
    ),
    rota(
        "/api/captura/historico/{id:int}/cancelar",
        cancelar,
        "POST",
        escopo=Escopo.CAPTURA,
        resumo="Cancelar uma captura (o runner encerra o job)",
        tag="historico",
        resposta=Envelope[Mensagem],
    ),
]
