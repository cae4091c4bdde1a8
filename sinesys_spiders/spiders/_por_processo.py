"""The base of the per-case spiders (``partes``, ``timeline``): cases from the database, one lock per case.

For each credential (after its session, as every capture spider), the cases come from ``acervo``
(:func:`~sinesys_spiders.core.persistencia_processo.selecionar_processos`: the ``processos`` given, or every
case of the lawyer not captured within ``horas_para_recaptura``) and are sent lazily: the engine pulls the
next case only when it has room, so few locks are held at a time. For each case:

1. the lock ``captura:processo:{acervo.id}`` is taken (owner token, TTL ``SINESYS_PROCESSO_LOCK_TTL``,
   default 300 s; an expired lock is taken over), those of the next :data:`LOCKS_POR_VEZ` cases in one go. A case
   held by another run is skipped and reported (an :class:`~sinesys_spiders.core.items_processo.OcorrenciaProcesso`
   ``bloqueado``);
2. the plugin's requests for the case go out (``iniciar_processo``), in the tribunal's download slot, with
   the usual retries; their answers go to the plugin (a 404 as ``None``, binary steps as bytes);
3. the lock is extended every TTL/3 while the case is open (:mod:`._casos`: requests in flight or items in the
   pipelines; shared by the capture's workers) and released, in groups, when the last of them is done.

The chosen cases are announced to the per-case pipeline (``sinais.processos_selecionados``), which reports
at the close every one of them that ended neither stored, nor skipped, nor with an error of its own
(``PROCESSO_NAO_CONCLUIDO``, with the reason: its credential failed first, the crawl stopped...): a case is
never missing silently from the history. A request dropped without an answer (an ``IgnoreRequest``) is its
case's error.

An error of one case (an HTTP error after the retries, an answer the plugin refuses, a malformed field that
makes the plugin raise ``ValidationError``, ``ValueError``, ``KeyError`` or ``TypeError``) is that case's
``erro``, its reason naming the fields, never their values; the credential goes on. Session failures still
stop the credential, as for the list spiders.

Politeness and retries are the list spiders' own (the tribunal's download slot, :mod:`._politeness`; 429/5xx retried
with backoff and ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from pydantic import ValidationError
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from sqlalchemy import select

from sinesys_spiders import sinais
from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.capturas_processo import CapturaProcessoPlugin, ProcessoAlvo, RespostaBinaria
from sinesys_spiders.core.credenciais import CredencialResumo
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.db.models import Advogado, Credencial
from sinesys_spiders.core.errors import (
    ConfiguracaoInvalida,
    NetworkError,
    RedisIndisponivel,
    RespostaInvalida,
    SinesysError,
    TribunalIndisponivel,
)
from sinesys_spiders.core.estado_captura.processos import EstadoProcessos, abrir_estado_processos
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.items_processo import OcorrenciaProcesso
from sinesys_spiders.core.persistencia_processo import selecionar_processos
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.spiders._casos import CasosEmVoo, chave_lock
from sinesys_spiders.spiders.base import CapturaSpider
from sinesys_spiders.workers.fila import CHAVE_RID

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from sinesys_spiders.core.domain import TipoCaptura
    from sinesys_spiders.core.endpoints import EndpointEfetivo

__all__ = ["ProcessoSpider", "chave_lock", "erro_do_plugin"]

logger = logging.getLogger(__name__)

#: Cases whose locks are taken together, in one transaction, before their requests go to the engine.
LOCKS_POR_VEZ = 16

#: What a plugin's parser raises on an answer it cannot read, besides our own errors: one case's error.
ERROS_DE_LEITURA = (ValidationError, ValueError, KeyError, TypeError)


def erro_do_plugin(exc: BaseException, etapa: str) -> RespostaInvalida:
    """A plugin's unexpected exception as a case's error: fields and the exception class, never the values."""
    if isinstance(exc, ValidationError):  # its messages may quote the value: the model, fields and error types only
        campos = [f"{'.'.join(str(p) for p in e['loc']) or 'item'} ({e['type']})" for e in exc.errors()[:3]]
        detalhe = f"{exc.title}: {', '.join(campos)}"
    elif isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        detalhe = f"campo {exc.args[0]!r} ausente"
    else:
        detalhe = type(exc).__name__
    return RespostaInvalida(f"{etapa}: resposta do tribunal não pôde ser lida ({detalhe})")


class ProcessoSpider(CapturaSpider):
    """Shared machinery of the per-case spiders; subclasses set ``coluna_capturado``."""

    #: The ``acervo`` column stamped when a case is captured (``partes_capturadas_em``...).
    coluna_capturado: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The cases in flight (in Redis for the capture's workers) and the locks this crawl took.
        self._casos = CasosEmVoo(lambda: self.locks, ttl=300.0)
        self._selecionados: set[int] = set()
        #: Workers: each credential's per-case state as read from Redis (it does not change once its cases start).
        self._estados_lidos: dict[int, dict[str, Any]] = {}

    @property
    def estado_processos(self) -> EstadoProcessos:
        """The capture's cases in flight and per-case results (in Redis for its workers)."""
        return self._casos.estado

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProcessoSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ProcessoSpider)
        spider._casos.locks.ttl = crawler.settings.getfloat("SINESYS_PROCESSO_LOCK_TTL", 300.0)
        if spider.estado_credenciais.compartilhado:  # the capture's workers share its cases
            spider._casos.compartilhar(abrir_estado_processos(spider.captura_id, compartilhado=True))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_concluido, signal=signal)
        crawler.signals.connect(spider._fechar, signal=signals.spider_closed)
        return spider

    # -- which cases ---------------------------------------------------------------------------------

    def processos_pedidos(self) -> list[int] | None:
        """``acervo`` ids asked for explicitly (``None``: every case due for capture)."""
        return getattr(self.args, "processos", None)

    def _alvos(self, credencial: CredencialResumo) -> list[ProcessoAlvo]:
        with get_session_factory()() as session:
            return selecionar_processos(
                session,
                advogado_id=credencial.advogado_id,
                tribunal=credencial.tribunal,
                grau=credencial.grau,
                coluna=self.coluna_capturado,
                processos=self.processos_pedidos(),
                horas=float(getattr(self.args, "horas_para_recaptura", 24.0)),
            )

    def _cpf_advogado(self, credencial: CredencialResumo) -> str | None:
        with get_session_factory()() as session:
            cpf = session.scalar(select(Advogado.cpf).where(Advogado.id == credencial.advogado_id))
            if not cpf:
                cpf = session.scalar(select(Credencial.usuario).where(Credencial.id == credencial.id))
        return cpf

    # -- the crawl -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        async for produced in super().start():
            yield produced
        pedidos = self.processos_pedidos()
        faltando = sorted(set(pedidos or ()) - self._selecionados)
        if faltando and not self.estado_credenciais.compartilhado:  # workers: each knows only the cases it chose
            logger.warning(
                "%s: processo(s) %s não estão no acervo de nenhuma credencial selecionada (mesmo tribunal e grau)",
                self.name,
                ", ".join(str(i) for i in faltando),
            )

    async def requests_credencial(self, credencial: CredencialResumo) -> AsyncIterator[Any]:
        iniciais = await self._start_credencial(credencial)
        for request in iniciais:
            yield request
        ctx = self._contextos.get(credencial.id)
        if ctx is None or credencial.id in self._falhas:
            return
        iniciada_em = await self._iniciar_estado(credencial)
        alvos = await asyncio.to_thread(self._alvos, credencial)
        self._selecionados.update(a.processo_id for a in alvos)
        # Every chosen case must end stored, skipped or with its error: the pipeline checks it at the close.
        self.crawler.signals.send_catch_log(
            signal=sinais.processos_selecionados,
            credencial_id=credencial.id,
            tipo_captura=ctx.tipo_captura.value,
            tribunal=ctx.tribunal.value,
            grau=ctx.grau.value,
            captura_id=ctx.captura_id,
            iniciada_em=iniciada_em,
            alvos=alvos,
        )
        logger.info("%s: credencial %s: %d processo(s) a capturar", self.name, credencial.id, len(alvos))
        async for produced in self._casos_em_lotes(credencial, ctx, alvos):
            yield produced

    async def _iniciar_estado(self, credencial: CredencialResumo) -> dt.datetime:
        """The credential's per-case state: when its cases started and the lawyer's CPF (read by every worker)."""
        iniciada_em = utcnow()
        cpf = await asyncio.to_thread(self._cpf_advogado, credencial)
        self.estado_credenciais.alterar(
            credencial.id, lambda estado: estado.update(iniciada_em=iniciada_em.isoformat(), cpf_advogado=cpf)
        )
        return iniciada_em

    async def _casos_em_lotes(
        self, credencial: CredencialResumo, ctx: ContextoCaptura, alvos: list[ProcessoAlvo]
    ) -> AsyncIterator[Any]:
        """The cases' requests, lazily: the locks of the next :data:`LOCKS_POR_VEZ` cases in one transaction, a case
        held by another run reported ``bloqueado``, a lock taken for a case never started given back."""
        metadata = {"spider": self.name, "captura_id": self.captura_id, "credencial_id": credencial.id}
        metadata.update(self.metadados_captura())  # workers: taken over at once by the capture's others if it dies
        for inicio in range(0, len(alvos), LOCKS_POR_VEZ):
            if credencial.id in self._falhas:
                return
            grupo: dict[int, ProcessoAlvo] = {}
            for alvo in alvos[inicio : inicio + LOCKS_POR_VEZ]:
                grupo.setdefault(alvo.processo_id, alvo)
            # The locks of the next few cases in one transaction; the engine still pulls the cases one by one.
            situacao = await self._casos.tomar(list(grupo), credencial.id, metadata)
            pendentes = [p for p, s in situacao.items() if s == "aberto"]
            try:
                for alvo in grupo.values():
                    if credencial.id in self._falhas:
                        return
                    if situacao[alvo.processo_id] == "bloqueado":
                        yield self._ocorrencia(ctx, alvo, tipo="bloqueado", codigo="LOCK_OCUPADO",
                                               mensagem="processo em captura por outra execução")  # fmt: skip
                        continue
                    if situacao[alvo.processo_id] != "aberto":  # the same case asked twice in one crawl
                        continue
                    pendentes.remove(alvo.processo_id)
                    produzidos = self._iniciar_caso(ctx, alvo)
                    if not produzidos:
                        self._casos.descartar(alvo.processo_id)
                    for produced in produzidos:
                        yield produced
            finally:  # taken for a case never started (the credential failed, the crawl stopped): given back
                for processo_id in pendentes:
                    self._casos.descartar(processo_id)

    def _iniciar_caso(self, ctx: ContextoCaptura, alvo: ProcessoAlvo) -> list[Any]:
        """A case's first requests (or its error, pending until the pipelines have it)."""
        captura = self._captura_processo(self._endpoints[(ctx.tribunal, ctx.grau)], ctx.tipo_captura)
        try:
            pedidos = list(captura.iniciar_processo(ctx, alvo, self._estado_de(ctx)))
        except (SinesysError, *ERROS_DE_LEITURA) as exc:
            erro = exc if isinstance(exc, SinesysError) else erro_do_plugin(exc, "início do processo")
            return [self._erro_de_inicio(ctx, alvo, erro)]
        return [self._request(ctx, pedido) for pedido in pedidos]

    def _erro_de_inicio(self, ctx: ContextoCaptura, alvo: ProcessoAlvo, erro: SinesysError) -> OcorrenciaProcesso:
        """A case's part that could not start: its error, pending in the case until the pipelines have it."""
        item = self._ocorrencia(ctx, alvo, tipo="erro", codigo=erro.code, mensagem=erro.message)
        token = f"inicio:{ctx.tipo_captura.value}:{alvo.processo_id}"
        self._casos.adicionar(alvo.processo_id, token)
        self._casos.aguardar_itens(alvo.processo_id, token, [item])
        return item

    def _captura_processo(self, efetivo: EndpointEfetivo, tipo: TipoCaptura | None = None) -> CapturaProcessoPlugin:
        """The plugin's per-case capture of ``tipo`` (default: this spider's type) at ``efetivo``."""
        captura = self._captura(efetivo, tipo)
        if not isinstance(captura, CapturaProcessoPlugin):
            raise ConfiguracaoInvalida(f"o plugin {efetivo.plugin} não captura {captura.tipo.value} por processo")
        return captura

    def _ocorrencia(self, ctx: ContextoCaptura, alvo: ProcessoAlvo, **fields: Any) -> OcorrenciaProcesso:
        estado = self.estado_credenciais.estado(ctx.credencial_id)
        extra = {"credencial_iniciada_em": estado["iniciada_em"]} if estado.get("iniciada_em") else {}
        return OcorrenciaProcesso(
            tipo_captura=ctx.tipo_captura,
            processo_id=alvo.processo_id,
            id_processo_externo=alvo.id_externo,
            numero_processo=alvo.numero_processo,
            tribunal=ctx.tribunal,
            grau=ctx.grau,
            advogado_id=ctx.advogado_id,
            credencial_id=ctx.credencial_id,
            captura_id=ctx.captura_id,
            **extra,
            **fields,
        )

    def _estado_de(self, ctx: ContextoCaptura) -> dict[str, Any]:
        """The credential's per-case state (read only by the plugin: workers read it from Redis once)."""
        if not self.estado_credenciais.compartilhado:
            return super()._estado_de(ctx)
        estado = self._estados_lidos.get(ctx.credencial_id)
        if estado is None or "iniciada_em" not in estado:
            estado = self._estados_lidos[ctx.credencial_id] = super()._estado_de(ctx)
        return estado

    def _request(self, ctx: ContextoCaptura, pedido: Pedido) -> scrapy.Request:
        request = super()._request(ctx, pedido)
        request.meta["handle_httpstatus_list"] = [404]
        self._casos.adicionar(int(pedido.dados["processo"]["processo_id"]), str(request.meta[CHAVE_RID]))
        return request

    def parse_pedido(self, response: Response) -> Iterable[Any]:
        ctx = ContextoCaptura.from_meta(response.meta["captura"])
        pedido = Pedido(response.url, response.meta["etapa"], response.meta["dados"])
        alvo = ProcessoAlvo.from_dados(pedido.dados["processo"])
        token = str(response.meta.get(CHAVE_RID, ""))
        saida: Any = None
        try:
            if self._falhou(ctx.credencial_id):
                return
            captura = self._captura_processo(self._endpoints[(ctx.tribunal, ctx.grau)], ctx.tipo_captura)
            try:
                payload = self._payload(response, pedido, captura.etapas_binarias, ctx)
                produzidos = list(captura.processar(ctx, pedido, payload, self._estado_de(ctx)))
            except SinesysError as exc:
                produzidos = [self._ocorrencia(ctx, alvo, tipo="erro", codigo=exc.code, mensagem=exc.message)]
            except ERROS_DE_LEITURA as exc:  # a malformed field: this case's error, named by field, never value
                erro = erro_do_plugin(exc, pedido.etapa)
                logger.warning("processo %s: %s", alvo.processo_id, erro.message)
                produzidos = [self._ocorrencia(ctx, alvo, tipo="erro", codigo=erro.code, mensagem=erro.message)]
            itens = []
            for produced in produzidos:
                if isinstance(produced, Pedido):
                    yield self._request(ctx, produced)
                else:
                    itens.append(produced)
            # the raw page and the case's item: one pass through Scrapy's item path
            saida = Lote(itens) if len(itens) > 1 else (itens[0] if itens else None)
        finally:
            yield from self._respondido(ctx, alvo, token, response.request, saida)

    def _respondido(
        self, ctx: ContextoCaptura, alvo: ProcessoAlvo, token: str, request: scrapy.Request | None, saida: Any
    ) -> Iterable[Any]:
        """An answer (or failure) of the case was handled: its request is done once ``saida``'s items are stored."""
        try:
            itens = (saida.itens if isinstance(saida, Lote) else [saida]) if saida is not None else []
            if not self._casos.aguardar_itens(alvo.processo_id, token, itens):
                self._casos.concluir(alvo.processo_id, token)
            self._done(ctx.credencial_id, request)
        except RedisIndisponivel as exc:  # workers: the shared state is out of reach, the worker stops
            self.redis_indisponivel(exc)
        self._concluir_na_fila(request, saida)
        if saida is not None:
            yield saida

    @staticmethod
    def _payload(response: Response, pedido: Pedido, binarias: frozenset[str], ctx: ContextoCaptura) -> Any:
        if response.status == 404:
            return None
        if pedido.etapa in binarias:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            return RespostaBinaria(response.url, response.status, content_type, response.body)
        try:
            return json.loads(response.body)
        except ValueError:
            raise RespostaInvalida(
                f"{ctx.tribunal.value} respondeu algo que não é JSON (HTTP {response.status}) em {pedido.etapa}"
            ) from None

    def errback_pedido(self, failure: Failure) -> Iterable[Any]:
        request = failure.request  # type: ignore[attr-defined]
        ctx = ContextoCaptura.from_meta(request.meta["captura"])
        dados = request.meta["dados"]
        alvo = ProcessoAlvo.from_dados(dados["processo"])
        saida: Any = None
        try:
            error = getattr(failure.value, "error", None)
            if isinstance(error, SinesysError):  # the session failed: the credential stops
                self.credencial_falhou(ctx.credencial_id, error)
                return
            response = getattr(failure.value, "response", None)
            if failure.check(IgnoreRequest) and response is None and ctx.credencial_id in self._falhas:
                return  # the credential failed: the pipeline reports its cases left undone with that reason
            etapa = request.meta.get("etapa")
            status = getattr(response, "status", None)
            if status is None and failure.check(IgnoreRequest):  # dropped on the way, never silently
                erro: SinesysError = NetworkError(
                    f"{etapa}: pedido descartado sem resposta ({failure.getErrorMessage()})"
                )
            elif status is None:
                erro = NetworkError(f"{etapa}: {failure.getErrorMessage()}")
            elif status >= 500 or status == 429:
                erro = TribunalIndisponivel(f"{etapa}: HTTP {status} depois de todas as tentativas")
            else:
                erro = RespostaInvalida(f"{etapa}: HTTP {status}")
            extra = {"id_documento_externo": int(dados["id_documento"])} if dados.get("id_documento") else {}
            if not self._falhou(ctx.credencial_id):  # here, or in another worker of the capture
                saida = self._ocorrencia(ctx, alvo, tipo="erro", codigo=erro.code, mensagem=erro.message, **extra)
        finally:
            yield from self._respondido(ctx, alvo, str(request.meta.get(CHAVE_RID, "")), request, saida)

    # -- the cases' end -------------------------------------------------------------------------------

    def _item_concluido(self, item: Any, **_: Any) -> None:
        try:
            self._casos.item_concluido(item)
        except RedisIndisponivel as exc:
            self.redis_indisponivel(exc)

    def _fechar(self, spider: scrapy.Spider, reason: str) -> None:
        self._casos.fechar(entregar=self.outros_workers_vivos())
