"""``combinada``: a lawyer's daily cycle in one session per credential (the existing system's combined route).

``scrapy crawl combinada -a credenciais=1,2`` (or ``-a advogado=ID``). For each credential, after its session (the
stored one, or one login), two phases:

1. the lists, at once, in the tribunal's download slot: the parts of the plugin's plan
   (``TribunalPlugin.plano_combinada``; PJE-TRT: hearings ``designadas`` (today to today+365, Brasília),
   ``realizadas`` (yesterday) and ``canceladas`` (today to today+365); pending notices ``no prazo`` and ``sem prazo``).
   Each part is the plugin's own capture (``audiencias``, ``pendentes``), checked by its own ``verificar``;
2. ``partes`` and ``timeline`` of every distinct case those lists named (by its id in the tribunal's system, among
   the lawyer's cases in ``acervo``) that was not captured within ``horas_para_recaptura`` hours (default 24), one
   lock per case taken 16 cases at a time, lazily, as the per-case spiders do; every chosen case ends stored,
   skipped, or as an error of its own (``PROCESSO_NAO_CONCLUIDO`` with the reason when its credential failed or the
   crawl stopped first).

Credentials at different tribunals run at the same time (each tribunal keeps its download slot's politeness); a
lawyer's credentials that share one session (the plugin's rule) run one after the other. On N workers
(``-a workers=N``) each worker claims one credential at a time; each list part's state and the cases the lists named
live in the credential's shared state (``listas``, ``processos_listados``), so any worker handles any answer.
The items and raw log are those of the parts (their ``tipo_captura`` is the part's); the history row is ``combinada``,
and each credential's result carries ``combinada``: every part's counts (rows listed per list part, cases found, cases
due for partes and timeline), beside the per-case pipeline's ``partes`` and ``timeline`` results.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy_spider_metadata import Args

from sinesys_spiders import sinais
from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.capturas_processo import ProcessoAlvo
from sinesys_spiders.core.credenciais import CredencialResumo
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.core.errors import SinesysError
from sinesys_spiders.core.items import Audiencia, Expediente
from sinesys_spiders.core.persistencia_processo import selecionar_processos
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.params import CombinadaParams, today_brasilia
from sinesys_spiders.spiders._por_processo import (
    ERROS_DE_LEITURA,
    ProcessoSpider,
    erro_do_plugin,
)
from sinesys_spiders.spiders._turnos import mesma_sessao
from sinesys_spiders.spiders._workers import INTERVALO
from sinesys_spiders.spiders.base import CapturaSpider

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response
    from twisted.python.failure import Failure

__all__ = ["CombinadaSpider"]

logger = logging.getLogger(__name__)

_COLUNAS = {TipoCaptura.PARTES: "partes_capturadas_em", TipoCaptura.TIMELINE: "timeline_capturada_em"}
#: Keys of the credential's state: each list part's own state, and the cases (tribunal ids) the lists named.
_LISTAS = "listas"
_PROCESSOS = "processos_listados"

T = TypeVar("T")


def _processo_listado(item: Any) -> int | None:
    """The case (its id in the tribunal's system) a list item names."""
    if isinstance(item, Audiencia) and item.id_processo_externo:
        return int(item.id_processo_externo)
    if isinstance(item, Expediente):
        return int(item.id_externo)
    return None


@dataclasses.dataclass(slots=True)
class _Credencial:
    """One credential's progress through the parts."""

    lista_pronta: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    na_lista: bool = True
    contextos: dict[str, ContextoCaptura] = dataclasses.field(default_factory=dict)
    contagem: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The per-case parts each chosen case is due for (``acervo`` id -> parts).
    tipos_de: dict[int, list[TipoCaptura]] = dataclasses.field(default_factory=dict)


class CombinadaSpider(ProcessoSpider, Args[CombinadaParams]):
    """``scrapy crawl combinada -a credenciais=1,2 [-a horas_para_recaptura=24]``."""

    name = "combinada"
    tipo_captura = TipoCaptura.COMBINADA
    coluna_capturado = "partes_capturadas_em"
    args: CombinadaParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fases: dict[int, _Credencial] = {}

    def parametros(self) -> dict[str, Any]:
        return {"horas_para_recaptura": self.args.horas_para_recaptura}

    def contagem_partes(self, credencial_id: int) -> dict[str, int]:
        """Each part's counts of one credential so far (rows listed per part, cases per per-case part)."""
        fase = self._fases.get(credencial_id)
        return dict(fase.contagem) if fase else {}

    # -- every credential group at once --------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """One task per session (the plugin's rule: a lawyer at a PJE tribunal), its graus in order; their requests
        merged lazily. The capture's workers claim credentials one at a time instead (any worker answers any part)."""
        if self.estado_credenciais.compartilhado:
            async for produced in super().start():
                yield produced
            return
        self._avisar_sem_credenciais()
        grupos: list[list[CredencialResumo]] = []
        for credencial in self._credenciais:
            grupo = next((g for g in grupos if mesma_sessao(g[0], credencial)), None)
            if grupo is None:
                grupos.append([credencial])
            else:
                grupo.append(credencial)
        fila: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)
        fim = object()

        async def _grupo(credenciais: list[CredencialResumo]) -> None:
            for credencial in credenciais:
                if not await self._tomar_sessao(credencial, espera=self._turnos.espera):
                    continue
                async for produced in self._capturar(credencial):
                    await fila.put(produced)
                await self._terminada(credencial.id).wait()

        async def _todos() -> None:
            try:
                await asyncio.gather(*(_grupo(g) for g in grupos))
            finally:
                await fila.put(fim)

        tarefa = asyncio.ensure_future(_todos())
        while (produced := await fila.get()) is not fim:
            yield produced
        await tarefa

    # -- one credential ------------------------------------------------------------------------------

    async def requests_credencial(self, credencial: CredencialResumo) -> AsyncIterator[Any]:
        ctx = await self._contexto_credencial(credencial)
        if ctx is None:
            return
        fase = self._fases[credencial.id] = _Credencial()
        efetivo = self._endpoints[(ctx.tribunal, ctx.grau)]
        plano = get_registry().plugins[efetivo.plugin].plano_combinada(today_brasilia())
        for parte in plano:
            pctx = dataclasses.replace(
                ctx, tipo_captura=parte.tipo, parametros={**parte.parametros, "parte": parte.nome}
            )
            fase.contextos[parte.nome] = pctx
            try:
                pedidos = list(self._captura(efetivo, parte.tipo).iniciar(pctx))
            except SinesysError as exc:
                self.credencial_falhou(credencial.id, exc)
                break
            for pedido in pedidos:
                yield self._request(pctx, pedido)
        await self._listas_prontas(credencial.id, fase)
        fase.na_lista = False
        if self._falhou(credencial.id):
            return
        listas = self.estado_credenciais.estado(credencial.id).get(_LISTAS, {})
        for nome, pctx in fase.contextos.items():
            if not self._verificar(pctx, listas.get(nome, {})):
                return
            self._contar_lista(fase, nome, listas.get(nome, {}))
        async for produced in self._por_processo(credencial, ctx, fase):
            yield produced

    async def _listas_prontas(self, credencial_id: int, fase: _Credencial) -> None:
        """Wait until every list answer of the credential was handled (by this worker or another)."""
        estado = self.estado_credenciais
        if not estado.compartilhado:
            if estado.pendentes(credencial_id) > 0:
                await fase.lista_pronta.wait()
            return
        while estado.pendentes(credencial_id) > 0 and not self._falhou(credencial_id):
            self.atender_fila()
            await asyncio.sleep(INTERVALO)

    def _contar_lista(self, fase: _Credencial, parte: str, estado: dict[str, Any]) -> None:
        if parte == "pendentes":
            fase.contagem["pendentes_no_prazo"] = int(estado.get("linhas:no_prazo", 0))
            fase.contagem["pendentes_sem_prazo"] = int(estado.get("linhas:sem_prazo", 0))
        else:
            fase.contagem[parte] = int(estado.get("linhas", 0))

    async def _por_processo(
        self, credencial: CredencialResumo, ctx: ContextoCaptura, fase: _Credencial
    ) -> AsyncIterator[Any]:
        """Phase 2: partes and timeline of the cases the lists named, each due per its own column."""
        iniciada_em = await self._iniciar_estado(credencial)
        devidos: dict[TipoCaptura, list[ProcessoAlvo]] = {}
        listados = sorted(set(self.estado_credenciais.estado(credencial.id).get(_PROCESSOS, [])))
        for tipo, coluna in _COLUNAS.items():
            devidos[tipo] = await asyncio.to_thread(self._devidos, credencial, coluna, listados)
        fase.contagem.update(
            processos_encontrados=len(listados),
            processos_partes=len(devidos[TipoCaptura.PARTES]),
            processos_timeline=len(devidos[TipoCaptura.TIMELINE]),
        )
        self._reportar(ctx, fase)
        alvos = {a.processo_id: a for lista in devidos.values() for a in lista}
        fase.tipos_de = {
            pid: [t for t, lista in devidos.items() if any(a.processo_id == pid for a in lista)] for pid in alvos
        }
        # Every chosen case must end stored, skipped or with its error: the per-case pipeline checks it at the close.
        for tipo, lista in devidos.items():
            self.crawler.signals.send_catch_log(
                signal=sinais.processos_selecionados,
                credencial_id=credencial.id,
                tipo_captura=tipo.value,
                tribunal=ctx.tribunal.value,
                grau=ctx.grau.value,
                captura_id=ctx.captura_id,
                iniciada_em=iniciada_em,
                alvos=lista,
            )
        logger.info("combinada: credencial %s: %d processo(s) para partes/timeline", credencial.id, len(alvos))
        async for produced in self._casos_em_lotes(credencial, ctx, list(alvos.values())):
            yield produced

    def _iniciar_caso(self, ctx: ContextoCaptura, alvo: ProcessoAlvo) -> list[Any]:
        """The case's first requests of each per-case part it is due for (an error per part that cannot start)."""
        efetivo = self._endpoints[(ctx.tribunal, ctx.grau)]
        estado = self.estado_credenciais.estado(ctx.credencial_id)
        produzidos: list[Any] = []
        for tipo in self._fases[ctx.credencial_id].tipos_de[alvo.processo_id]:
            pctx = dataclasses.replace(ctx, tipo_captura=tipo, parametros=self.parametros())
            try:
                pedidos = list(self._captura_processo(efetivo, tipo).iniciar_processo(pctx, alvo, estado))
            except (SinesysError, *ERROS_DE_LEITURA) as exc:
                erro = exc if isinstance(exc, SinesysError) else erro_do_plugin(exc, "início do processo")
                produzidos.append(self._erro_de_inicio(pctx, alvo, erro))
                continue
            produzidos += [self._request(pctx, pedido) for pedido in pedidos]
        return produzidos

    def _reportar(self, ctx: ContextoCaptura, fase: _Credencial) -> None:
        """The credential's part counts to the capture extension (recorded in its history entry as ``combinada``;
        the per-case pipeline adds ``partes`` and ``timeline``)."""
        self.crawler.signals.send_catch_log(
            signal=sinais.resultado_credencial,
            captura_id=self.captura_id,
            credencial_id=ctx.credencial_id,
            tribunal=ctx.tribunal.value,
            grau=ctx.grau.value,
            contagem={},
            extra={"combinada": dict(fase.contagem)},
        )

    def _devidos(self, credencial: CredencialResumo, coluna: str, ids_externos: list[int]) -> list[ProcessoAlvo]:
        with get_session_factory()() as session:
            return selecionar_processos(
                session,
                advogado_id=credencial.advogado_id,
                tribunal=credencial.tribunal,
                grau=credencial.grau,
                coluna=coluna,
                horas=self.args.horas_para_recaptura,
                ids_externos=ids_externos,
            )

    # -- list answers and per-case answers share the spider --------------------------------------------

    def _estado_de(self, ctx: ContextoCaptura) -> dict[str, Any]:
        parte = ctx.parametros.get("parte")
        if parte is not None:  # a list part: its own state, in the credential's
            listas = self.estado_credenciais.estado(ctx.credencial_id).setdefault(_LISTAS, {})
            estado: dict[str, Any] = listas.setdefault(parte, {})
            return estado
        return super()._estado_de(ctx)

    def _aplicar(self, ctx: ContextoCaptura, funcao: Callable[[dict[str, Any]], T], request_id: str | None) -> T:
        """A list part's answer changes that part's state, and adds the cases its items name, at once (workers:
        atomically, once per request)."""
        parte = ctx.parametros.get("parte")
        if parte is None:
            return super()._aplicar(ctx, funcao, request_id)

        def na_parte(estado: dict[str, Any]) -> T:
            resultado = funcao(estado.setdefault(_LISTAS, {}).setdefault(parte, {}))
            produzidos = resultado[0] if isinstance(resultado, tuple) else []
            ids = {_processo_listado(item) for item in produzidos} - {None}
            if ids:
                estado[_PROCESSOS] = sorted(set(estado.get(_PROCESSOS, [])) | ids)
            return resultado

        if not self.estado_credenciais.compartilhado:
            return na_parte(self.estado_credenciais.estado(ctx.credencial_id))
        return self.estado_credenciais.alterar(ctx.credencial_id, na_parte, request_id=request_id)

    def _verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> bool:
        if ctx.tipo_captura is TipoCaptura.COMBINADA:  # the credential's end: the parts were checked as they ended
            return True
        return super()._verificar(ctx, estado)

    @staticmethod
    def _por_caso(dados: Any) -> bool:
        return isinstance(dados, dict) and "processo" in dados

    def _request(self, ctx: ContextoCaptura, pedido: Pedido) -> scrapy.Request:
        if self._por_caso(pedido.dados):
            return super()._request(ctx, pedido)
        return CapturaSpider._request(self, ctx, pedido)

    def parse_pedido(self, response: Response) -> Iterable[Any]:
        if self._por_caso(response.meta.get("dados")):
            yield from super().parse_pedido(response)
            return
        yield from CapturaSpider.parse_pedido(self, response)

    def errback_pedido(self, failure: Failure) -> Iterable[Any]:
        if self._por_caso(failure.request.meta.get("dados")):  # type: ignore[attr-defined]
            yield from super().errback_pedido(failure)
            return
        CapturaSpider.errback_pedido(self, failure)

    def _talvez_terminou(self, credencial_id: int) -> None:
        fase = self._fases.get(credencial_id)
        if fase is not None and fase.na_lista and self.estado_credenciais.pendentes(credencial_id) <= 0:
            fase.lista_pronta.set()
        super()._talvez_terminou(credencial_id)
