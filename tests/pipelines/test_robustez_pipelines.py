"""What the pipelines do when a store fails: nothing is marked done that was not stored, and the history says so.

Real stores on both back ends (SQLite and PostgreSQL); a store that fails is a real one that cannot work (a database
never migrated) or, for MongoDB, a mongomock collection that loses its connection on writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mongomock
import pytest
from pymongo.errors import AutoReconnect
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, func, select

from pipelines.processo import ProcessoPipeline
from pipelines.rawlog import FALHA_LOG_BRUTO, RawLogPipeline
from plugins.pje_trt.partes import ler_partes
from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.timeline import contar, ler_timeline
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import Advogado, Credencial, Processo, ProcessoParte, TimelineItem
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.items_processo import PartesProcesso, TimelineProcesso
from sinesys_spiders.core.persistencia_processo import selecionar_processos
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.timelines import COLLECTION, MongoTimelineStore
from sinesys_spiders.testing.capturas import conectar_capturas, fechar_crawl
from sinesys_spiders.testing.db_fixtures import CreateDatabase


class _Spider(Spider):
    name = "partes"
    captura_id: int | None = None


class MongoForaDoAr:
    """A MongoDB collection whose indexes exist but whose every other call loses the connection (AutoReconnect)."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def create_index(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.create_index(*args, **kwargs)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def _cai(*args: Any, **kwargs: Any) -> Any:
            raise AutoReconnect("connection closed")

        return _cai


@pytest.fixture
def mundo(engine: Engine, database_url: str, tmp_path: Path) -> dict[str, Any]:
    """A sandbox case with parties in ``acervo``, its lawyer and credential, and an open capture."""
    world = World.generate(seed=3, scale="tiny", users=1, tribunais=["TRT3"], today=dt.date(2026, 11, 24))
    user = world.users[0]
    caso = next(
        c
        for c in world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1)
        if ler_partes(world.partes("TRT3", "primeiro_grau", c["id"]), cpf_advogado=user.cpf)
    )
    factory = make_session_factory(engine)
    with factory.begin() as session:
        advogado = Advogado(nome_completo="ADVOGADA", cpf=user.cpf)
        session.add(advogado)
        session.flush()
        credencial = Credencial(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        processo = Processo(id_externo=caso["id"], tribunal="TRT3", grau="primeiro_grau",
                            numero_processo=caso["numeroProcesso"], advogado_id=advogado.id)  # fmt: skip
        session.add_all([credencial, processo])
        session.flush()
        ids = {"advogado": advogado.id, "credencial": credencial.id, "processo": processo.id}
    return {
        "world": world,
        "user": user,
        "caso": caso,
        "factory": factory,
        "ids": ids,
        "database_url": database_url,
        "documentos": PastaDocumentStore(tmp_path / "docs"),
    }


def _comum(mundo: dict[str, Any], tipo: str, captura: int) -> dict[str, Any]:
    return {
        "tipo_captura": tipo,
        "processo_id": mundo["ids"]["processo"],
        "id_processo_externo": mundo["caso"]["id"],
        "numero_processo": mundo["caso"]["numeroProcesso"],
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "advogado_id": mundo["ids"]["advogado"],
        "credencial_id": mundo["ids"]["credencial"],
        "captura_id": captura,
    }


def _crawler(mundo: dict[str, Any], captura: int) -> Any:
    crawler = get_crawler(_Spider, {"PERSISTENCIA_DATABASE_URL": mundo["database_url"]})
    crawler.spider = _Spider.from_crawler(crawler)
    crawler.spider.captura_id = captura
    crawler.stats.open_spider()
    conectar_capturas(crawler, mundo["database_url"])
    return crawler


async def test_a_timeline_the_store_did_not_save_leaves_the_case_due_for_capture(mundo: dict[str, Any]) -> None:
    """MongoDB down while saving a timeline: the case is not stamped, no rows kept, the error recorded."""
    factory = mundo["factory"]
    captura = HistoricoService(factory).start(tipo_captura="timeline", credencial_ids=[mundo["ids"]["credencial"]])
    client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
    store = MongoTimelineStore(MongoForaDoAr(client["sinesys"][COLLECTION]))
    crawler = _crawler(mundo, captura)
    pipeline = ProcessoPipeline(crawler, mundo["database_url"], store, mundo["documentos"])
    bruta = mundo["world"].timeline("TRT3", "primeiro_grau", mundo["caso"]["id"])
    itens = ler_timeline(bruta)
    documentos, movimentos = contar(itens)
    item = TimelineProcesso(**_comum(mundo, "timeline", captura), itens=itens, bruta=bruta,
                            total_documentos=documentos, total_movimentos=movimentos)  # fmt: skip

    with pytest.raises(DropItem):
        await pipeline.process_item(item)
    await pipeline.close_spider()
    fechar_crawl(crawler)

    with factory() as session:
        assert session.get(Processo, mundo["ids"]["processo"]).timeline_capturada_em is None
        assert session.scalar(select(func.count()).select_from(TimelineItem)) == 0
        devidos = selecionar_processos(session, advogado_id=mundo["ids"]["advogado"], tribunal="TRT3",
                                       grau="primeiro_grau", coluna="timeline_capturada_em")  # fmt: skip
    assert [a.processo_id for a in devidos] == [mundo["ids"]["processo"]]
    [entry] = HistoricoService(factory).get(captura).resultados
    assert entry["resultado"]["erros"] == 1
    assert entry["erros_itens"][0]["motivo"] == "ERRO_PERSISTENCIA: falha ao gravar no banco (AutoReconnect)"


async def _capturar_partes(mundo: dict[str, Any], database_processo: str) -> tuple[str, SqlRawLogStore, bool]:
    """A partes page and its case's parties through the raw-log and per-case pipelines.

    The page's id, the raw-log store, and whether the parties' item went on to the feeds (stored) or was dropped.
    """
    factory = mundo["factory"]
    captura = HistoricoService(factory).start(tipo_captura="partes", credencial_ids=[mundo["ids"]["credencial"]])
    crawler = _crawler(mundo, captura)
    store = SqlRawLogStore(factory)
    rawlog = RawLogPipeline(crawler, store, batch_size=20)
    processo = ProcessoPipeline(crawler, database_processo, None, mundo["documentos"])
    payload = mundo["world"].partes("TRT3", "primeiro_grau", mundo["caso"]["id"])
    comum = _comum(mundo, "partes", captura)
    pagina = PaginaBruta(captura_id=captura, tipo_captura="partes", advogado_id=comum["advogado_id"],
                         credencial_id=comum["credencial_id"], tribunal="TRT3", grau="primeiro_grau",
                         requisicao={"processo_id": comum["processo_id"]}, payload_bruto=payload)  # fmt: skip
    partes = PartesProcesso(**comum, partes=ler_partes(payload, cpf_advogado=mundo["user"].cpf),
                            raw_ref=pagina.raw_log_id)  # fmt: skip
    with pytest.raises(DropItem):
        await rawlog.process_item(pagina)
    try:
        passou = await processo.process_item(partes) is partes
    except DropItem:
        passou = False
    await rawlog.close_spider()
    await processo.close_spider()
    rawlog.spider_closed()
    return pagina.raw_log_id, SqlRawLogStore(factory), passou


async def test_a_partes_page_whose_parties_were_not_stored_stays_unprocessed(
    mundo: dict[str, Any], create_database: CreateDatabase
) -> None:
    """Persisting the parties fails (a database without tables): the raw page stays findable as not processed."""
    raw_log_id, store, passou = await _capturar_partes(mundo, create_database(migrated=False))
    assert passou is False  # not stored: not exported either

    registro = store.get(raw_log_id)
    assert registro is not None
    assert registro.processado is False


async def test_a_partes_page_is_marked_processed_with_its_counts_once_the_parties_are_stored(
    mundo: dict[str, Any],
) -> None:
    """Parties stored: the raw page is processed, its counts those of the rows written for the case."""
    raw_log_id, store, passou = await _capturar_partes(mundo, mundo["database_url"])
    assert passou is True  # stored: it goes on to the feeds

    registro = store.get(raw_log_id)
    assert registro is not None
    assert registro.processado is True
    with mundo["factory"]() as session:
        vinculos = session.scalar(select(func.count()).select_from(ProcessoParte))
    assert vinculos > 0
    assert registro.resultado_processado["inseridos"] >= vinculos
    assert registro.resultado_processado["erros"] == 0


async def test_a_raw_log_batch_that_cannot_be_written_is_an_item_error_in_the_history(
    seeded: dict[str, Any], database_url: str, create_database: CreateDatabase
) -> None:
    """The raw log's database is unusable: each lost page is an error of its credential, named with its id."""
    crawler = get_crawler(_Spider, {})
    crawler.spider = _Spider.from_crawler(crawler)
    crawler.spider.captura_id = seeded["captura"]
    crawler.stats.open_spider()
    quebrado = SqlRawLogStore(make_session_factory(create_database(migrated=False)))
    rawlog = RawLogPipeline(crawler, quebrado, batch_size=20)
    conectar_capturas(crawler, database_url)
    pagina = PaginaBruta(captura_id=seeded["captura"], tipo_captura="acervo_geral", credencial_id=seeded["a"],
                         tribunal="TRT3", grau="primeiro_grau", payload_bruto={"resultado": []})  # fmt: skip

    with pytest.raises(DropItem):
        await rawlog.process_item(pagina)
    await rawlog.close_spider()
    fechar_crawl(crawler)

    resumo = HistoricoService(seeded["factory"]).get(seeded["captura"])
    [entry] = [e for e in resumo.resultados if e["credencial_id"] == seeded["a"]]
    assert entry["resultado"]["erros"] == 1
    [erro] = entry["erros_itens"]
    assert erro["motivo"].startswith(f"{FALHA_LOG_BRUTO}: página {pagina.raw_log_id} não gravada no log bruto (")
    assert crawler.stats.get_value("sinesys/rawlog/falhas") == 1
