"""``/api/captura/trt/*``: start a capture. The answer comes at once with ``capture_id``; the crawl runs
as a job through a runner (:mod:`api.capturas`), never in the API's process.

Before anything is created the ids are checked: an unknown lawyer or credential is 404, a credential of
another lawyer (or an inactive one) is 400, each with the ids in ``detalhes``. ``parametros`` carry the
spiders' own argument names (``data_inicio``, ``filtros_prazo``...) as text, as Scrapyd passes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import capturas
from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.routing import Pedido, rota
from api.schemas.capturas import (
    AudienciasCorpo,
    CapturaCorpo,
    CapturaIniciada,
    CombinadaCorpo,
    PartesCorpo,
    PendentesCorpo,
    TimelineCorpo,
)
from sinesys_spiders.core.db.models import Advogado, Credencial

__all__ = ["ROUTES", "iniciar", "validar_ids"]

MENSAGEM_INICIADA = "A captura está sendo processada em background. Consulte o histórico para acompanhar o progresso."


def validar_ids(factory: sessionmaker[Session], advogado_id: int, credencial_ids: list[int]) -> list[int]:
    """The distinct credential ids, once every one exists, is active and belongs to ``advogado_id``."""
    ids = sorted(set(credencial_ids))
    with factory() as session:
        advogado = session.get(Advogado, advogado_id)
        if advogado is None:
            raise ErroApi(404, f"Advogado {advogado_id} não encontrado", detalhes={"advogado_id": advogado_id})
        if not advogado.ativo:
            raise ErroApi(400, f"Advogado {advogado_id} está desativado", detalhes={"advogado_id": advogado_id})
        rows = session.execute(
            select(Credencial.id, Credencial.advogado_id, Credencial.active).where(Credencial.id.in_(ids))
        ).all()
    found = {r.id: r for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ErroApi(404, "Credencial(is) não encontrada(s)", detalhes={"credencial_ids": missing})
    alheias = [i for i in ids if found[i].advogado_id != advogado_id]
    if alheias:
        raise ErroApi(
            400,
            f"Credencial(is) não pertence(m) ao advogado {advogado_id}",
            detalhes={"advogado_id": advogado_id, "credencial_ids": alheias},
        )
    inativas = [i for i in ids if not found[i].active]
    if inativas:
        raise ErroApi(400, "Credencial(is) desativada(s)", detalhes={"credencial_ids": inativas})
    return ids


def credencial_de(factory: sessionmaker[Session], advogado_id: int, tribunal: str, grau: str) -> int:
    """The lawyer's active credential at ``tribunal`` and ``grau`` (timeline's body names no credential)."""
    with factory() as session:
        if session.get(Advogado, advogado_id) is None:
            raise ErroApi(404, f"Advogado {advogado_id} não encontrado", detalhes={"advogadoId": advogado_id})
        cred = session.scalars(
            select(Credencial).where(
                Credencial.advogado_id == advogado_id, Credencial.tribunal == tribunal, Credencial.grau == grau
            )
        ).first()
    if cred is None or not cred.active:
        raise ErroApi(
            404,
            f"O advogado {advogado_id} não tem credencial ativa em {tribunal} {grau}",
            detalhes={"advogadoId": advogado_id, "trtCodigo": tribunal, "grau": grau},
        )
    return cred.id


async def iniciar(
    p: Pedido,
    tipo: str,
    advogado_id: int,
    ids: list[int],
    parametros: dict[str, Any],
    *,
    agendamento_id: int | None = None,
) -> CapturaIniciada:
    """Start the capture as the caller (recorded as who asked) and answer as the existing routes do."""
    st = p.app_state
    assert p.principal is not None
    captura_id = await p.run(
        capturas.iniciar,
        st.settings,
        tipo,
        advogado_id=advogado_id,
        credencial_ids=ids,
        parametros=parametros,
        solicitante=p.principal.solicitante,
        agendamento_id=agendamento_id,
    )
    return CapturaIniciada(
        capture_id=captura_id,
        data={"credenciais_processadas": len(ids), "message": MENSAGEM_INICIADA},  # type: ignore[arg-type]
    )


def _simples(tipo: str) -> Any:
    async def handler(p: Pedido) -> CapturaIniciada:
        corpo: CapturaCorpo = p.corpo
        ids = await p.run(validar_ids, p.app_state.session_factory, corpo.advogado_id, corpo.credencial_ids)
        return await iniciar(p, tipo, corpo.advogado_id, ids, _parametros(tipo, corpo))

    return handler


def _csv(values: list[Any] | None) -> str | None:
    return ",".join(str(v) for v in values) if values else None


def _parametros(tipo: str, corpo: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(corpo, AudienciasCorpo):
        out = {
            "data_inicio": corpo.dataInicio.isoformat() if corpo.dataInicio else None,
            "data_fim": corpo.dataFim.isoformat() if corpo.dataFim else None,
            "situacao": corpo.status,
        }
    elif isinstance(corpo, PendentesCorpo):
        out = {"filtros_prazo": _csv(list(dict.fromkeys(corpo.filtrosPrazo)))}
    elif isinstance(corpo, CombinadaCorpo):
        horas = corpo.horasParaRecaptura
        out = {"horas_para_recaptura": None if horas is None else f"{horas:g}"}
    elif isinstance(corpo, PartesCorpo):
        out = {"processos": _csv(corpo.processo_ids), "tribunais": _csv(corpo.trts), "graus": _csv(corpo.graus)}
    return {k: v for k, v in out.items() if v is not None}


async def timeline(p: Pedido) -> CapturaIniciada:
    corpo: TimelineCorpo = p.corpo
    st = p.app_state
    cred = await p.run(credencial_de, st.session_factory, corpo.advogadoId, corpo.trtCodigo, corpo.grau)
    ids = await p.run(validar_ids, st.session_factory, corpo.advogadoId, [cred])
    parametros = {
        "processo": corpo.processoId,
        "tribunal": corpo.trtCodigo,
        "grau": corpo.grau,
        "baixar_documentos": str(corpo.baixarDocumentos).lower(),
        "apenas_assinados": str(corpo.filtroDocumentos.apenasAssinados).lower(),
        "apenas_nao_sigilosos": str(corpo.filtroDocumentos.apenasNaoSigilosos).lower(),
    }
    if corpo.numeroProcesso:
        parametros["numero_processo"] = corpo.numeroProcesso
    return await iniciar(p, "timeline", corpo.advogadoId, ids, parametros)


#: path under /api/captura/trt/ -> (tipo_captura, body, summary); timeline has its own handler.
_INICIOS: dict[str, tuple[str, type[CapturaCorpo], str]] = {
    "acervo-geral": ("acervo_geral", CapturaCorpo, "Capturar o acervo geral"),
    "arquivados": ("arquivados", CapturaCorpo, "Capturar os arquivados"),
    "audiencias": ("audiencias", AudienciasCorpo, "Capturar audiências"),
    "pendentes-manifestacao": ("pendentes", PendentesCorpo, "Capturar expedientes pendentes"),
    "partes": ("partes", PartesCorpo, "Capturar as partes dos processos"),
    "combinada": ("combinada", CombinadaCorpo, "Captura combinada (audiências, expedientes, partes, timeline)"),
}
ROUTES = [
    *(
        rota(f"/api/captura/trt/{slug}", _simples(tipo), "POST", escopo=Escopo.CAPTURA, resumo=resumo,
             tag="captura", corpo=corpo, resposta=CapturaIniciada)
        for slug, (tipo, corpo, resumo) in _INICIOS.items()
    ),
    rota("/api/captura/trt/timeline", timeline, "POST", escopo=Escopo.CAPTURA,
         resumo="Capturar a timeline de um processo", tag="captura", corpo=TimelineCorpo, resposta=CapturaIniciada),
]  # fmt: skip
