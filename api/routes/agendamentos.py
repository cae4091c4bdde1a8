"""``/api/captura/agendamentos``: schedules through the scheduler's :class:`AgendamentosService` (CRUD, executar).

The service owns every rule: the timing rule and ``proxima_execucao`` (:mod:`scheduler.agendamentos.regras`, Brasília
time), the capture type's ``parametros_extras`` as the spider will get them, the lawyer's credentials, and
``executar`` (a manual run recorded with the schedule's runs, its capture dispatched by the capture facade). This
module only adapts HTTP: the body models for the OpenAPI document, the ids checked as on the start routes, and the
service's :class:`EntradaInvalida` / :class:`NaoEncontrado` answered as 400 per field / 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import capturas
from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.paginas import contadores
from api.routes.captura_trt import MENSAGEM_INICIADA, validar_ids
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
from scheduler.agendamentos import AgendamentosService, AgendamentoView, PedidoDespacho
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado

__all__ = ["ROUTES", "campo_de"]

#: The service's messages name their field first; the API's 400 lists it as ``campo``.
_CAMPOS = (
    ("dias_intervalo", "dias_intervalo"),
    ("janela_execucao", "parametros_extras.janela_execucao"),
    ("parametros_extras.dataRelativa", "parametros_extras.dataRelativa"),
    ("parametros_extras", "parametros_extras"),
    ("horario", "horario"),
    ("periodicidade", "periodicidade"),
    ("credencial", "credencial_ids"),
    ("advogado", "advogado_id"),
    ("tipo de captura", "tipo_captura"),
)


def campo_de(motivo: str) -> str:
    """The request field a service message is about (``corpo`` when it names none)."""
    return next((campo for chave, campo in _CAMPOS if chave in motivo), "corpo")


def _servico(factory: sessionmaker[Session], settings: Settings | None = None) -> AgendamentosService:
    """The scheduler's service on the app's database; its runs dispatched with the app's settings."""

    def despachar(pedido: PedidoDespacho) -> int:
        assert settings is not None
        assert pedido.advogado_id is not None
        return capturas.iniciar(
            settings,
            pedido.tipo_captura,
            advogado_id=pedido.advogado_id,
            credencial_ids=list(pedido.credencial_ids),
            parametros=dict(pedido.parametros),
            solicitante=pedido.solicitante or "api",
            origem="agendamento",
            agendamento_id=pedido.agendamento_id,
            agendado_para=pedido.agendado_para,
        )

    return AgendamentosService(factory, despachar=despachar)


def _chamar(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except NaoEncontrado as exc:
        raise ErroApi(404, exc.message[:1].upper() + exc.message[1:]) from None
    except EntradaInvalida as exc:
        detalhe = {"campo": campo_de(exc.message), "motivo": exc.message}
        raise ErroApi(400, "Dados inválidos", detalhes=[detalhe]) from None


def _saida(view: AgendamentoView) -> AgendamentoSaida:
    return AgendamentoSaida.model_validate(view.model_dump(exclude={"execucoes"}))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=BRASILIA)


def listar_agendamentos(factory: sessionmaker[Session], q: AgendamentosConsulta) -> AgendamentosLista:
    views, total = _chamar(
        _servico(factory).listar,
        pagina=q.pagina,
        limite=q.limite,
        advogado_id=q.advogado_id,
        tipo_captura=q.tipo_captura,
        ativo=q.ativo,
        proxima_execucao_min=_aware(q.proxima_execucao_min),
        proxima_execucao_max=_aware(q.proxima_execucao_max),
        ordenar_por=q.ordenar_por,
        ordem=q.ordem,
    )
    return AgendamentosLista(agendamentos=[_saida(v) for v in views], **contadores(q, total))


def criar_agendamento(factory: sessionmaker[Session], corpo: AgendamentoNovo) -> AgendamentoSaida:
    ids = validar_ids(factory, corpo.advogado_id, corpo.credencial_ids)
    dados = corpo.model_dump(mode="json", exclude={"parametros_extras"})
    dados["credencial_ids"] = ids
    dados["parametros_extras"] = corpo.parametros_extras.model_dump(mode="json", exclude_none=True)
    return _saida(_chamar(_servico(factory).criar, dados))


def obter_agendamento(factory: sessionmaker[Session], agendamento_id: int) -> AgendamentoSaida:
    return _saida(_chamar(_servico(factory).obter, agendamento_id, execucoes=0))


def atualizar_agendamento(
    factory: sessionmaker[Session], agendamento_id: int, corpo: AgendamentoAtualizar
) -> AgendamentoSaida:
    atual = obter_agendamento(factory, agendamento_id)
    if corpo.advogado_id is not None and corpo.advogado_id != atual.advogado_id:
        motivo = "não pode ser alterado (crie um agendamento para o outro advogado)"
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "advogado_id", "motivo": motivo}])
    dados = corpo.model_dump(mode="json", exclude_none=True, exclude={"advogado_id", "parametros_extras"})
    if corpo.credencial_ids is not None and atual.advogado_id is not None:
        dados["credencial_ids"] = validar_ids(factory, atual.advogado_id, corpo.credencial_ids)
    if corpo.parametros_extras is not None:
        dados["parametros_extras"] = corpo.parametros_extras.model_dump(mode="json", exclude_none=True)
    return _saida(_chamar(_servico(factory).atualizar, agendamento_id, dados))


def apagar_agendamento(factory: sessionmaker[Session], agendamento_id: int) -> None:
    _chamar(_servico(factory).remover, agendamento_id)


def executar_agendamento(
    factory: sessionmaker[Session], settings: Settings, agendamento_id: int, solicitante: str
) -> tuple[int, int]:
    """Run the schedule now through the scheduler (a manual run); the capture id and its credential count."""
    servico = _servico(factory, settings)
    ag = _chamar(servico.obter, agendamento_id, execucoes=0)
    if ag.advogado_id is None:
        raise ErroApi(400, f"Agendamento {ag.id} não tem advogado")
    validar_ids(factory, ag.advogado_id, ag.credencial_ids)
    return _chamar(servico.executar, agendamento_id, solicitante=solicitante), len(ag.credencial_ids)


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
    assert p.principal is not None
    captura_id, n = await p.run(
        executar_agendamento, st.session_factory, st.settings, p.path["id"], p.principal.solicitante
    )
    return CapturaIniciada(
        capture_id=captura_id,
        data={"credenciais_processadas": n, "message": MENSAGEM_INICIADA},  # type: ignore[arg-type]
    )


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
