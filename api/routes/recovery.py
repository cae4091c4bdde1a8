"""``/api/captura/recovery*``: the raw log against what was stored, and re-persisting from it (no tribunal call).

Over :class:`~sinesys_spiders.core.recovery.RecoveryService` (the same service as ``sinesys recovery``), one per
app, on the configured raw log (SQL or MongoDB). Reads need ``leitura``; ``reprocess`` writes (``captura``) and is
recorded as a capture of origin ``recovery`` asked by the caller. Every answer goes through
:func:`api.mascaras.sem_documentos`: no party's CPF or CNPJ leaves the API, and no payload does.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from pydantic import BaseModel

from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.mascaras import sem_documentos
from api.paginas import contadores
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.recovery import (
    AnaliseSaida,
    ElementoSaida,
    ElementosLista,
    EstatisticasSaida,
    ItemRecoverySaida,
    RecoveryConsulta,
    RecoveryLista,
    ReprocessCorpo,
    ReprocessResultado,
)
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado, SinesysError
from sinesys_spiders.core.recovery import AnaliseCaptura, ElementoRecuperavel, FiltroRecovery, RecoveryService

__all__ = ["ROUTES"]

_LOCK = threading.Lock()
#: A raw-log id is at most this long (uuid hex, ObjectId); a longer one is unknown (404).
_MAX_ID = 64


def _servico(state: Any) -> RecoveryService:
    """The app's recovery service, opened on first use (its plugin registry loads once)."""
    with _LOCK:
        servico = getattr(state, "recovery", None)
        if servico is None:
            servico = RecoveryService.from_settings(state.settings)
            state.recovery = servico
        return servico


def _chamar(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except NaoEncontrado as exc:
        raise ErroApi(404, sem_documentos(exc.message)) from None
    except EntradaInvalida as exc:
        raise ErroApi(400, sem_documentos(exc.message)) from None
    except SinesysError as exc:  # a payload that does not decrypt (another key), ...
        raise ErroApi(409, f"Página ilegível: {exc.code}") from None


_Saida = TypeVar("_Saida", bound=BaseModel)


def _limpo(model: type[_Saida], dados: dict[str, Any]) -> _Saida:
    return model.model_validate(sem_documentos(dados))


def _id(p: Pedido) -> str:
    raw_log_id = str(p.path["id"])
    if len(raw_log_id) > _MAX_ID:
        raise ErroApi(404, "Página não encontrada no log bruto")
    return raw_log_id


def listar_logs(state: Any, q: RecoveryConsulta) -> RecoveryLista:
    servico = _servico(state)
    filtro = FiltroRecovery(**q.model_dump(exclude={"pagina", "limite", "incluir_estatisticas"}))
    itens, total = _chamar(servico.listar, filtro, pagina=q.pagina, limite=q.limite)
    estatisticas = None
    if q.incluir_estatisticas:
        est = _chamar(servico.estatisticas, filtro)
        estatisticas = _limpo(EstatisticasSaida, est.model_dump(mode="json", by_alias=True))
    logs = [_limpo(ItemRecoverySaida, i.model_dump(mode="json", by_alias=True)) for i in itens]
    return RecoveryLista(logs=logs, estatisticas=estatisticas, **contadores(q, total))


def _elemento(e: ElementoRecuperavel) -> ElementoSaida:
    return _limpo(ElementoSaida, {**e.model_dump(mode="json", by_alias=True), "dadosBrutos": None})


def analisar(state: Any, raw_log_id: str) -> AnaliseSaida:
    a: AnaliseCaptura = _chamar(_servico(state).analisar, raw_log_id)
    fora = {"gaps", "totais", "partes_faltantes", "enderecos_faltantes", "representantes_faltantes"}
    dados = a.model_dump(mode="json", by_alias=True, exclude=fora)
    dados["totais"] = {t: {"esperados": v.esperados, "persistidos": v.persistidos, "faltantes": v.faltantes}
                       for t, v in a.totais.items()}  # fmt: skip
    por_tipo = {t: [_elemento(e) for e in els] for t, els in a.gaps.items()}
    dados["gaps"] = {
        "partesFaltantes": por_tipo.get("parte", []),
        "enderecosFaltantes": por_tipo.get("endereco", []),
        "representantesFaltantes": por_tipo.get("representante", []),
        "porTipo": por_tipo,
    }
    dados = sem_documentos({k: v for k, v in dados.items() if k != "gaps"}) | {"gaps": dados["gaps"]}
    return AnaliseSaida.model_validate(dados)


def elementos(state: Any, raw_log_id: str) -> ElementosLista:
    lista = [_elemento(e) for e in _chamar(_servico(state).elementos, raw_log_id)]
    return ElementosLista(id=raw_log_id, elementos=lista, total=len(lista))


def reprocessar(state: Any, corpo: ReprocessCorpo, solicitante: str) -> ReprocessResultado:
    resultado = _chamar(
        _servico(state).reprocessar,
        raw_log_ids=corpo.rawLogIds or (),
        captura_log_id=corpo.capturaLogId,
        tipos=corpo.tiposElementos,
        forcar=corpo.filtros.forcarAtualizacao or not corpo.filtros.apenasGaps,
        solicitante=solicitante,
    )
    return _limpo(ReprocessResultado, resultado.model_dump(mode="json", by_alias=True))


async def listar(p: Pedido) -> Envelope[RecoveryLista]:
    return Envelope[RecoveryLista](data=await p.run(listar_logs, p.app_state, p.consulta))


async def obter(p: Pedido) -> Envelope[AnaliseSaida]:
    return Envelope[AnaliseSaida](data=await p.run(analisar, p.app_state, _id(p)))


async def listar_elementos(p: Pedido) -> Envelope[ElementosLista]:
    return Envelope[ElementosLista](data=await p.run(elementos, p.app_state, _id(p)))


async def reprocess(p: Pedido) -> Envelope[ReprocessResultado]:
    assert p.principal is not None
    data = await p.run(reprocessar, p.app_state, p.corpo, p.principal.solicitante)
    return Envelope[ReprocessResultado](data=data)


_T = "recovery"
_P = "/api/captura/recovery"
ROUTES = [
    rota(_P, listar, "GET", escopo=Escopo.LEITURA, resumo="Páginas do log bruto (filtradas, paginadas, estatísticas)",
         tag=_T, consulta=RecoveryConsulta, resposta=Envelope[RecoveryLista]),
    rota(_P + "/reprocess", reprocess, "POST", escopo=Escopo.CAPTURA,
         resumo="Regravar a partir do log bruto (sem chamar o tribunal)", tag=_T, corpo=ReprocessCorpo,
         resposta=Envelope[ReprocessResultado]),
    rota(_P + "/{id}", obter, "GET", escopo=Escopo.LEITURA, resumo="Lacunas de uma página do log bruto", tag=_T,
         resposta=Envelope[AnaliseSaida]),
    rota(_P + "/{id}/elementos", listar_elementos, "GET", escopo=Escopo.LEITURA,
         resumo="Elementos recuperáveis de uma página", tag=_T, resposta=Envelope[ElementosLista]),
]  # fmt: skip
