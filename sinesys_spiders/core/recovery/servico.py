"""The recovery service: list the raw log, analyse its gaps against the database, re-persist from it.

Nothing here calls a tribunal: pages are read from the raw log and parsed again by their plugin
(:class:`~sinesys_spiders.core.recovery.replay.Releitor`), and re-persisting goes through the capture's own
storing entry points (:func:`~sinesys_spiders.core.upsert.upsert_items` for list pages,
:func:`~sinesys_spiders.core.persistencia_processo.persistir_partes` for a case's parties, the timeline storing
functions for a case's timeline, :mod:`~sinesys_spiders.core.recovery.timelines`), one transaction per page: a
page that fails (unknown id, payload that does not decrypt or does not parse, a type without recovery rule, a
database error) is reported with its reason and leaves nothing half-written; the others go on.

Used by ``sinesys recovery`` and by the API's ``/api/captura/recovery*`` routes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.capturas import Pedido
from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.documentos import DocumentStore, open_document_store
from sinesys_spiders.core.errors import ChaveInvalida, EntradaInvalida, NaoEncontrado, SinesysError
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import ItemCaptura
from sinesys_spiders.core.items_processo import PartesProcesso, TimelineProcesso
from sinesys_spiders.core.persistencia_processo import persistir_partes
from sinesys_spiders.core.rawlog import FiltroRawLog, RawLogStore, RegistroBruto, open_rawlog_store
from sinesys_spiders.core.recovery.lacunas import (
    TIPO_DA_TABELA,
    Lacunas,
    lacunas_lista,
    lacunas_partes,
    processo_do_acervo,
)
from sinesys_spiders.core.recovery.listagem import contar, filtro_rawlog, item_de, percorrer
from sinesys_spiders.core.recovery.modelos import (
    TIPOS_ELEMENTO,
    AnaliseCaptura,
    AnaliseConjunto,
    ElementoRecuperavel,
    EstatisticasRecovery,
    FiltroRecovery,
    ItemRecovery,
    ResultadoDocumento,
    ResultadoReprocesso,
    Totais,
    tipos_validos,
)
from sinesys_spiders.core.recovery.registro import RegistroRecovery
from sinesys_spiders.core.recovery.replay import Releitor
from sinesys_spiders.core.recovery.timelines import LacunasTimeline, documento_lido, gravar_timeline, lacunas_timeline
from sinesys_spiders.core.timelines import SqlTimelineStore, TimelineStore, open_timeline_store
from sinesys_spiders.core.tribunais import PluginRegistry
from sinesys_spiders.core.upsert import table_for, upsert_items

__all__ = ["RecoveryService", "tipos_validos"]

#: List captures are re-persisted before the per-case ones (a recovered case gets its parties after it).
_ORDEM = {"acervo_geral": 0, "arquivados": 0, "pendentes": 1, "audiencias": 1, "partes": 2, "timeline": 2}
_TIPOS_LISTA = frozenset({"processo", "expediente", "audiencia"})


class _Leitura:
    """One page read again: its items and gaps (``erro`` when it could not be read)."""

    def __init__(self) -> None:
        self.lacunas: Lacunas | None = None
        self.itens: list[ItemCaptura] = []
        self.invalidos = 0
        self.partes: PartesProcesso | None = None
        self.timeline: LacunasTimeline | None = None
        self.processo: dict[str, Any] | None = None


class RecoveryService:
    """Raw-log list, gap analysis and re-persisting, on one database and one raw-log store."""

    def __init__(
        self, session_factory: sessionmaker[Session], store: RawLogStore, *, registry: PluginRegistry | None = None,
        timelines: TimelineStore | None = None, documentos: DocumentStore | None = None,
    ) -> None:  # fmt: skip
        """``timelines`` (default: the SQL store on ``session_factory``) and ``documentos`` (default: the configured
        folder) are where the timeline capture keeps whole timelines and PDFs."""
        self._factory = session_factory
        self._store = store
        self._releitor = Releitor(session_factory, registry)
        self._timelines = timelines or SqlTimelineStore(session_factory)
        self._documentos = documentos
        self._depois: list[Any] = []

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RecoveryService:
        """The service on the configured database, raw log (SQL or MongoDB), timeline and document stores."""
        from sinesys_spiders.core.db.engine import get_session_factory

        settings = settings or get_settings()
        return cls(get_session_factory(settings.effective_database_url), open_rawlog_store(settings),
                   timelines=open_timeline_store(settings), documentos=open_document_store(settings))  # fmt: skip

    @property
    def documentos(self) -> DocumentStore:
        if self._documentos is None:
            self._documentos = open_document_store()
        return self._documentos

    def close(self) -> None:
        self._store.close()
        self._timelines.close()

    # -- list ------------------------------------------------------------------------------------

    def listar(self, filtro: FiltroRecovery | None = None, *, pagina: int = 1, limite: int = 50
               ) -> tuple[list[ItemRecovery], int]:  # fmt: skip
        """One page of matching entries (newest first) and how many match."""
        if pagina < 1 or not 1 <= limite <= 1000:
            raise EntradaInvalida("pagina deve ser >= 1 e limite entre 1 e 1000")
        filtro_store = filtro_rawlog(filtro or FiltroRecovery())
        registros = self._store.list(filtro_store, limit=limite, offset=(pagina - 1) * limite)
        return [item_de(r) for r in registros], self._store.count(filtro_store)

    def estatisticas(self, filtro: FiltroRecovery | None = None, *, com_gaps: bool = True) -> EstatisticasRecovery:
        """Counts per status, tribunal and type; with ``com_gaps``, every entry analysed and its gaps summed."""
        registros = list(percorrer(self._store, filtro_rawlog(filtro or FiltroRecovery())))
        out = contar(registros)
        if not com_gaps:
            return out
        gaps: dict[str, int] = {}
        com, sem_regra = 0, 0
        for registro in registros:
            analise = self._analise(registro)
            if analise.erro is not None and not analise.totais:
                sem_regra += int("SEM_REGRA" in analise.erro)
                continue
            for tipo, elementos in analise.gaps.items():
                gaps[tipo] = gaps.get(tipo, 0) + len(elementos)
            com += int(analise.tem_gaps)
        return out.model_copy(update={"gaps": gaps, "com_gaps": com, "sem_regra": sem_regra})

    # -- analysis --------------------------------------------------------------------------------

    def _registro(self, raw_log_id: str) -> RegistroBruto:
        """The entry (payload decrypted); ``NaoEncontrado``, or ``ChaveInvalida`` when it does not decrypt."""
        registro = self._store.get(raw_log_id)
        if registro is None:
            raise NaoEncontrado(f"página {raw_log_id} não está no log bruto")
        return registro

    def _ler(self, session: Session, registro: RegistroBruto, captura_id: int | None = None) -> _Leitura:
        leitura = _Leitura()
        itens = self._releitor.itens(registro, captura_id=captura_id)
        partes: list[Any] = [i for i in itens if isinstance(i, PartesProcesso | TimelineProcesso)]
        pedidos = [i for i in itens if isinstance(i, Pedido)]
        leitura.itens = [i for i in itens if isinstance(i, ItemCaptura)]
        leitura.invalidos = len(itens) - len(partes) - len(leitura.itens) - len(pedidos)
        if partes:  # one case: looked up again in acervo (a recovered case has a new id)
            item = partes[0]
            processo_id = processo_do_acervo(session, item)
            leitura.processo = {"id": processo_id, "numero_processo": item.numero_processo,
                                "id_externo": item.id_processo_externo}  # fmt: skip
            if processo_id is not None:
                item = item.model_copy(update={"processo_id": processo_id})
            if isinstance(item, TimelineProcesso):
                item = item.model_copy(update={"capturado_em": registro.criado_em})
                leitura.timeline = lacunas_timeline(session, item, pedidos, self._timelines, self.documentos)
                leitura.lacunas = leitura.timeline.lacunas
            else:
                leitura.partes = item
                leitura.lacunas = lacunas_partes(session, item, processo_id)
        else:
            leitura.lacunas = lacunas_lista(session, leitura.itens)
        return leitura

    def _analise(self, registro: RegistroBruto, elementos: list[ElementoRecuperavel] | None = None) -> AnaliseCaptura:
        base: dict[str, Any] = {
            "id": registro.raw_log_id,
            "captura_log_id": registro.captura_log_id,
            "tipo_captura": registro.tipo_captura,
            "data_captura": registro.criado_em,
            "status": registro.status,
            "trt": registro.tribunal,
            "grau": registro.grau,
            "erro_original": registro.erro,
            "payload_disponivel": registro.payload_ilegivel is None and registro.payload_bruto is not None,
        }
        if registro.payload_ilegivel is not None:
            return AnaliseCaptura(**base, erro=f"{ChaveInvalida.code}: {registro.payload_ilegivel}")
        if registro.status == "error" and registro.payload_bruto is None:
            return AnaliseCaptura(**base, erro="página com erro de captura: não há payload a recuperar")
        try:
            with self._factory() as session:
                leitura = self._ler(session, registro)
        except SinesysError as exc:
            return AnaliseCaptura(**base, erro=str(exc))
        lacunas = leitura.lacunas
        assert lacunas is not None
        if elementos is not None:
            elementos.extend(lacunas.elementos)
        return AnaliseCaptura(**base, processo=leitura.processo, totais=lacunas.totais(), gaps=lacunas.gaps(),
                              classificacao=dict(lacunas.classificacao))  # fmt: skip

    def analisar(self, raw_log_id: str) -> AnaliseCaptura:
        """The gap analysis of one entry; ``NaoEncontrado`` for an unknown id, ``ChaveInvalida`` if unreadable."""
        return self._analise(self._registro(raw_log_id))

    def elementos(self, raw_log_id: str) -> list[ElementoRecuperavel]:
        """Every element the entry's payload holds, each with whether it is stored."""
        out: list[ElementoRecuperavel] = []
        analise = self._analise(self._registro(raw_log_id), out)
        if analise.erro is not None:
            raise EntradaInvalida(analise.erro)
        return out

    def _da_captura(self, captura_log_id: int) -> list[RegistroBruto]:
        HistoricoService(self._factory).get(captura_log_id)  # NaoEncontrado for an unknown capture
        registros = list(percorrer(self._store, FiltroRawLog(captura_log_id=captura_log_id)))
        return sorted(registros, key=lambda r: (_ORDEM.get(r.tipo_captura, 3), r.criado_em, r.raw_log_id))

    def analisar_captura(self, captura_log_id: int) -> AnaliseConjunto:
        """The analysis of every page of a capture, summed; ``NaoEncontrado`` for an unknown capture."""
        analises = [self._analise(r) for r in self._da_captura(captura_log_id)]
        totais: dict[str, list[int]] = {}
        gaps: dict[str, int] = {}
        for analise in analises:
            for tipo, t in analise.totais.items():
                soma = totais.setdefault(tipo, [0, 0])
                soma[0] += t.esperados
                soma[1] += t.persistidos
            for tipo, elementos in analise.gaps.items():
                gaps[tipo] = gaps.get(tipo, 0) + len(elementos)
        return AnaliseConjunto(
            captura_log_id=captura_log_id,
            total_documentos=len(analises),
            totais={t: Totais(esperados=e, persistidos=p) for t, (e, p) in totais.items()},
            gaps=gaps,
            documentos_com_gaps=sum(a.tem_gaps for a in analises),
            documentos_com_erro=sum(a.erro is not None for a in analises),
            documentos=analises,
        )

    # -- reprocessing ----------------------------------------------------------------------------

    def reprocessar(
        self,
        *,
        raw_log_ids: Sequence[str] = (),
        captura_log_id: int | None = None,
        tipos: Iterable[str] | None = None,
        forcar: bool = False,
        solicitante: str | None = None,
    ) -> ResultadoReprocesso:
        """Re-persist pages from the raw log: only the gaps (default) or everything (``forcar``).

        ``tipos`` limits the element types considered (:data:`TIPOS_ELEMENTO`); a ``partes`` page with a gap
        of those types is stored again as a whole case (the capture's own storing path). The run is recorded
        as a capture of origin ``recovery`` per capture type touched (``solicitante``: who asked, as for any
        capture).
        """
        if bool(raw_log_ids) == (captura_log_id is not None):
            raise EntradaInvalida("informe os ids do log bruto ou o id da captura (um dos dois)")
        escolhidos = tipos_validos(tipos)
        inicio = time.perf_counter()
        documentos: list[ResultadoDocumento] = []
        registros: list[RegistroBruto] = []
        if captura_log_id is not None:
            registros = self._da_captura(captura_log_id)
        else:
            for raw_log_id in dict.fromkeys(raw_log_ids):
                try:
                    registros.append(self._registro(raw_log_id))
                except SinesysError as exc:
                    documentos.append(ResultadoDocumento(id=raw_log_id, sucesso=False, erro=str(exc)))
            registros.sort(key=lambda r: (_ORDEM.get(r.tipo_captura, 3), r.criado_em, r.raw_log_id))
        parametros = {"raw_log_ids": list(raw_log_ids), "captura_log_id": captura_log_id,
                      "tipos": list(escolhidos) if escolhidos else None, "forcar": forcar}  # fmt: skip
        registro_run = RegistroRecovery(self._factory, parametros, solicitante=solicitante)
        try:
            for registro in registros:
                documentos.append(self._reprocessar_um(registro, escolhidos, forcar, registro_run))
            registro_run.concluir()
        except BaseException as exc:
            registro_run.falhar(exc)
            raise
        validos = [d for d in documentos if not d.ignorado]
        return ResultadoReprocesso(
            sucesso=all(d.sucesso for d in documentos),
            captura_ids=registro_run.ids,
            total_documentos=len(documentos),
            total_elementos=sum(d.total_elementos for d in validos),
            total_sucessos=sum(d.sucesso for d in documentos),
            total_erros=sum(not d.sucesso for d in documentos),
            inseridos=sum(d.inseridos for d in validos),
            atualizados=sum(d.atualizados for d in validos),
            documentos=documentos,
            duracao_ms=int((time.perf_counter() - inicio) * 1000),
        )

    def _reprocessar_um(
        self, registro: RegistroBruto, tipos: tuple[str, ...] | None, forcar: bool, run: RegistroRecovery
    ) -> ResultadoDocumento:
        rid, tipo_captura = registro.raw_log_id, registro.tipo_captura
        if registro.payload_ilegivel is not None:
            return ResultadoDocumento(id=rid, tipo_captura=tipo_captura, sucesso=False,
                                      erro=f"{ChaveInvalida.code}: {registro.payload_ilegivel}")  # fmt: skip
        if registro.status == "error" and registro.payload_bruto is None:
            return ResultadoDocumento(id=rid, tipo_captura=tipo_captura, sucesso=True, ignorado=True,
                                      erro="página com erro de captura: não há payload a recuperar")  # fmt: skip
        try:
            self._releitor.verificar(registro)
            captura_id = run.captura_id(tipo_captura, registro.advogado_id, registro.credencial_id)
            self._depois.clear()
            with self._factory.begin() as session:  # one page, one transaction: all or nothing
                resultado = self._gravar(session, registro, captura_id, tipos, forcar)
            for depois in self._depois:  # store updates that must see the page's rows committed
                depois()
        except SinesysError as exc:
            resultado = ResultadoDocumento(id=rid, tipo_captura=tipo_captura, sucesso=False, erro=str(exc))
        except Exception as exc:  # a database error: the page's transaction was rolled back
            resultado = ResultadoDocumento(id=rid, tipo_captura=tipo_captura, sucesso=False,
                                           erro=f"falha ao gravar no banco ({type(exc).__name__})")  # fmt: skip
        if resultado.erro is None or resultado.sucesso or resultado.total_elementos:
            contagem = {"inseridos": resultado.inseridos, "atualizados": resultado.atualizados,
                        "inalterados": resultado.inalterados, "erros": resultado.erros}  # fmt: skip
        else:
            contagem = {"erros": 1}
        if tipo_captura in _ORDEM:
            erro = None if resultado.sucesso else {"raw_log_id": rid, "motivo": resultado.erro}
            run.registrar(tipo_captura, registro.credencial_id, registro.tribunal, registro.grau, contagem=contagem,
                          extra={"documentos": 1, "elementos": resultado.total_elementos}, erro=erro)  # fmt: skip
        if resultado.sucesso and not registro.processado and not resultado.erros:
            self._store.mark_processed(rid, {**contagem, "recovery": run.ids})
        return resultado

    def _gravar(self, session: Session, registro: RegistroBruto, captura_id: int, tipos: tuple[str, ...] | None,
                forcar: bool) -> ResultadoDocumento:  # fmt: skip
        leitura = self._ler(session, registro, captura_id)
        lacunas = leitura.lacunas
        assert lacunas is not None

        def feito(elementos: int = 0, inseridos: int = 0, atualizados: int = 0, inalterados: int = 0,
                  erros: int = 0) -> ResultadoDocumento:  # fmt: skip
            return ResultadoDocumento(id=registro.raw_log_id, tipo_captura=registro.tipo_captura, sucesso=True,
                                      total_elementos=elementos, inseridos=inseridos, atualizados=atualizados,
                                      inalterados=inalterados, erros=leitura.invalidos + erros)  # fmt: skip

        base = {"id": registro.raw_log_id, "tipo_captura": registro.tipo_captura, "erros": leitura.invalidos}
        if leitura.timeline is not None:
            return self._gravar_timeline(session, registro, leitura, captura_id, tipos, forcar, base)
        if leitura.partes is not None:
            item = leitura.partes
            elementos = sum(lacunas.esperados.get(t, 0) for t in (tipos or TIPOS_ELEMENTO)) if forcar else (
                lacunas.contagem(tipos))  # fmt: skip
            if not elementos:
                return feito()
            if leitura.processo is None or leitura.processo["id"] is None:
                raise NaoEncontrado(f"processo {item.numero_processo} não está no acervo: recupere antes a sua lista")
            gravado = persistir_partes(session, item)
            # the batched storing path answers one result per case given (a list), the per-case one a result
            partes = gravado[0] if isinstance(gravado, list) else gravado
            return feito(elementos, partes.inseridos, partes.atualizados, partes.inalterados)
        escolhidos = set(tipos or TIPOS_ELEMENTO) & _TIPOS_LISTA
        fonte = leitura.itens if forcar else lacunas.itens_faltantes
        itens = [i for i in fonte if _tipo_item(i) in escolhidos]
        if not itens:
            return feito()
        upsert = upsert_items(session, itens, captura_id=captura_id)
        total = upsert.total
        return feito(len(itens), total.inseridos, total.atualizados, total.inalterados, total.erros)

    def _gravar_timeline(self, session: Session, registro: RegistroBruto, leitura: _Leitura, captura_id: int,
                         tipos: tuple[str, ...] | None, forcar: bool, base: dict[str, Any]
                         ) -> ResultadoDocumento:  # fmt: skip
        lt = leitura.timeline
        assert lt is not None
        escolhidos = tipos or TIPOS_ELEMENTO
        if not forcar and not lt.lacunas.contagem(escolhidos):
            return ResultadoDocumento(**base, sucesso=True)
        if leitura.processo is None or leitura.processo["id"] is None:
            raise NaoEncontrado(f"processo {lt.item.numero_processo} não está no acervo: recupere antes a sua lista")

        def ler(pedido: Pedido, conteudo: bytes) -> Any:
            return documento_lido(self._releitor.documento(registro, pedido, conteudo, captura_id=captura_id))

        feito = gravar_timeline(session, lt, tipos=escolhidos, forcar=forcar, timelines=self._timelines,
                                documentos=self.documentos, ler_documento=ler,
                                baixado_em=registro.criado_em)  # fmt: skip
        self._depois.extend(feito.depois)
        return ResultadoDocumento(**base | {"erros": leitura.invalidos + len(feito.erros)}, sucesso=not feito.erros,
                                  total_elementos=feito.elementos, inseridos=feito.inseridos,
                                  atualizados=feito.atualizados, inalterados=feito.inalterados,
                                  erro="; ".join(feito.erros) or None)  # fmt: skip


def _tipo_item(item: ItemCaptura) -> str:
    return TIPO_DA_TABELA[table_for(item).name]
