"""Pipelines on a real Scrapy crawler object: validation, raw log, upsert and history, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import mongomock
import pytest
from pydantic import ConfigDict, ValidationError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from pipelines.persistencia import PersistenciaPipeline
from pipelines.rawlog import RawLogPipeline
from pipelines.validacao import ValidacaoPipeline
from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
from plugins.pje_trt.requests import acervo_geral_url
from sinesys_spiders.core.db.models import CapturaLogBruto
from sinesys_spiders.core.db.models import Processo as ProcessoModel
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import SenhaInvalida
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import ItemInvalido, PaginaBruta, Processo
from sinesys_spiders.core.rawlog import FiltroRawLog
from sinesys_spiders.core.rawlog.mongo import COLLECTION, MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.extensions.capturas import CapturaExtension
from sinesys_spiders.testing.capturas import conectar_capturas

API = "https://pje.trt3.jus.br/pje-comum-api/api"


class AcervoGeralSpider(Spider):
    name = "acervo_geral"


def row(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": 1_000_000 + n,
        "numero": n,
        "numeroProcesso": f"{n:07d}-00.2025.5.03.0001",
        "classeJudicial": "ATOrd",
        "nomeParteAutora": f"AUTOR {n}      ",
        "dataAutuacao": "2025-07-11T11:12:15.261",
        **extra,
    }


def page(seeded: dict[str, Any], rows: list[dict[str, Any]], *, cred: str = "a") -> Any:
    tribunal, grau = (Tribunal("TRT3"), Grau.PRIMEIRO_GRAU) if cred == "a" else (Tribunal("TRT5"), Grau.SEGUNDO_GRAU)
    contexto = ContextoPagina(
        tipo_captura=TipoCaptura.ACERVO_GERAL,
        tribunal=tribunal,
        grau=grau,
        advogado_id=seeded["advogado"],
        credencial_id=seeded[cred],
        captura_id=seeded["captura"],
    )
    payload = {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 1, "totalRegistros": len(rows), "resultado": rows}
    return parse_pagina(payload, contexto, url=acervo_geral_url(API, 29203))


def crawler_for(database_url: str, **settings: Any) -> tuple[Crawler, Spider]:
    crawler = get_crawler(
        AcervoGeralSpider,
        {
            "PERSISTENCIA_DATABASE_URL": database_url,
            "CAPTURAS_DATABASE_URL": database_url,
            "PERSISTENCIA_BATCH_SIZE": 3,
            "RAWLOG_BATCH_SIZE": 2,
            **settings,
        },
    )
    spider = AcervoGeralSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    crawler.signals.send_catch_log(signal=signals.spider_opened, spider=spider)
    return crawler, spider


def close(crawler: Crawler, spider: Spider, reason: str) -> None:
    """What the engine does once every pipeline has closed: the spider_closed signal."""
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason=reason)


async def run_chain(pipes: list[Any], items: list[Any]) -> tuple[list[Any], list[str]]:
    """Push items through the pipelines as Scrapy's item processor does; return passed items and drop reasons."""
    for pipe in pipes:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    passed, dropped = [], []
    for item in items:
        try:
            for pipe in pipes:
                result = pipe.process_item(item)
                item = await result if hasattr(result, "__await__") else result
        except DropItem as exc:
            dropped.append(str(exc))
            continue
        passed.append(item)
    for pipe in reversed(pipes):
        if hasattr(pipe, "close_spider"):
            result = pipe.close_spider()
            if hasattr(result, "__await__"):
                await result
    return passed, dropped


def build(crawler: Crawler, store: Any) -> list[Any]:
    conectar_capturas(crawler)  # the history row's one writer, on the crawl's signals
    return [
        ValidacaoPipeline.from_crawler(crawler),
        RawLogPipeline(crawler, store, 2),
        PersistenciaPipeline.from_crawler(crawler),
    ]


async def test_full_chain_stores_rows_raw_pages_and_history(database_url: str, seeded: dict[str, Any]) -> None:
    """Items reach the database, raw pages the raw log, counts the history row; bad rows become errors."""
    crawler, spider = crawler_for(database_url)
    spider.captura_id = seeded["captura"]
    store = SqlRawLogStore(seeded["factory"])
    first = page(seeded, [row(n) for n in range(1, 6)] + [row(99, numeroProcesso="x")])
    second = page(seeded, [row(n) for n in range(10, 13)], cred="b")
    items = [first.bruta, *first.itens, second.bruta, *second.itens]
    pipes = build(crawler, store)
    passed, dropped = await run_chain(pipes, items)
    close(crawler, spider, "finished")

    assert [type(i) for i in passed] == [Processo] * 8
    assert len(dropped) == 3  # two raw pages (kept in the raw log) and the invalid row
    assert any("numero_processo" in reason for reason in dropped)
    with seeded["factory"]() as session:
        assert session.scalar(select(func.count()).select_from(ProcessoModel)) == 8
        assert session.scalar(select(func.count()).select_from(CapturaLogBruto)) == 2
    raw = store.get(first.bruta.raw_log_id)
    assert raw is not None
    assert raw.payload_bruto["resultado"][0]["nomeParteAutora"] == "AUTOR 1      "
    assert all(item.raw_ref in {first.bruta.raw_log_id, second.bruta.raw_log_id} for item in passed)

    historico = HistoricoService(seeded["factory"]).get(seeded["captura"])
    assert historico.status == "completed"
    by_cred = {e["credencial_id"]: e for e in historico.resultados}
    assert by_cred[seeded["a"]]["resultado"] == {
        "inseridos": 5,
        "atualizados": 0,
        "inalterados": 0,
        "duplicados": 0,
        "erros": 1,
    }
    assert by_cred[seeded["a"]]["erros_itens"][0]["id_externo"] == 1_000_099
    assert by_cred[seeded["b"]]["resultado"]["inseridos"] == 3
    assert (by_cred[seeded["b"]]["tribunal"], by_cred[seeded["b"]]["grau"]) == ("TRT5", "segundo_grau")
    assert crawler.stats.get_value("sinesys/persistencia/inseridos") == 8
    assert crawler.stats.get_value("sinesys/rawlog/paginas") == 2
    marked = store.get(first.bruta.raw_log_id)
    assert marked is not None
    assert marked.resultado_processado == {
        "inseridos": 5,
        "atualizados": 0,
        "inalterados": 0,
        "duplicados": 0,
        "erros": 1,
    }
    assert store.list(FiltroRawLog(processado=False)) == []


async def test_second_run_changes_nothing(database_url: str, seeded: dict[str, Any]) -> None:
    """The same pages captured again write no row: 0 inserted, 0 updated, all unchanged."""
    rows = [row(n) for n in range(1, 8)]
    for _ in range(2):
        crawler, spider = crawler_for(database_url)
        captura_id = HistoricoService(seeded["factory"]).start(tipo_captura="acervo_geral")
        spider.captura_id = captura_id
        current = page(seeded, rows)
        pipes = build(crawler, SqlRawLogStore(seeded["factory"]))
        await run_chain(pipes, [current.bruta, *current.itens])
        close(crawler, spider, "finished")
    totais = HistoricoService(seeded["factory"]).get(captura_id).totais
    assert (totais["inseridos"], totais["atualizados"], totais["inalterados"]) == (0, 0, 7)


async def test_failed_credential_and_silent_credential(database_url: str, seeded: dict[str, Any]) -> None:
    """A credential the spider reported failed keeps its error; one that captured nothing reports zeros."""
    crawler, spider = crawler_for(database_url)
    spider.captura_id = seeded["captura"]
    HistoricoService(seeded["factory"]).record_failure(
        seeded["captura"], credencial_id=seeded["b"], tribunal="TRT5", grau="segundo_grau", error=SenhaInvalida()
    )
    pipes = build(crawler, SqlRawLogStore(seeded["factory"]))
    await run_chain(pipes, [])
    close(crawler, spider, "finished")
    row_ = HistoricoService(seeded["factory"]).get(seeded["captura"])
    by_cred = {e["credencial_id"]: e for e in row_.resultados}
    assert by_cred[seeded["b"]]["erro"]["codigo"] == "SENHA_INVALIDA"
    assert by_cred[seeded["a"]]["resultado"]["inseridos"] == 0
    assert row_.status == "completed"


async def test_interrupted_crawl_fails_the_row(database_url: str, seeded: dict[str, Any]) -> None:
    """A crawl closed for another reason than 'finished' fails its row with the reason, counts kept."""
    crawler, spider = crawler_for(database_url)
    spider.captura_id = seeded["captura"]
    current = page(seeded, [row(1)])
    pipes = build(crawler, SqlRawLogStore(seeded["factory"]))
    await run_chain(pipes, [current.bruta, *current.itens])
    close(crawler, spider, "shutdown")
    row_ = HistoricoService(seeded["factory"]).get(seeded["captura"])
    assert row_.status == "failed"
    assert row_.erro is not None
    assert "CAPTURA_INTERROMPIDA" in row_.erro
    assert row_.totais["inseridos"] == 1


async def test_raw_log_on_mongodb(database_url: str, seeded: dict[str, Any]) -> None:
    """With a MongoDB store the raw pages go there (mongomock), the same way."""
    crawler, _spider = crawler_for(database_url)
    client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
    store = MongoRawLogStore(client["sinesys"][COLLECTION])
    pages = [page(seeded, [row(n)]) for n in range(1, 4)]
    await run_chain([RawLogPipeline(crawler, store, 2)], [p.bruta for p in pages])
    stored = store.list(FiltroRawLog(captura_log_id=seeded["captura"]))
    assert {r.raw_log_id for r in stored} == {p.bruta.raw_log_id for p in pages}


async def test_validation_drops_foreign_and_broken_items(database_url: str, seeded: dict[str, Any]) -> None:
    """A dict, an ItemInvalido or an item made invalid without validation is dropped with its reason."""
    crawler, _spider = crawler_for(database_url)
    pipe = ValidacaoPipeline.from_crawler(crawler)
    good = page(seeded, [row(1)]).validos[0]
    broken = Processo.model_construct(**{**good.model_dump(), "numero_processo": "errado"})
    copied = good.model_copy(update={"id_externo": -5})
    invalido = ItemInvalido(
        tipo_captura="acervo_geral", tribunal="TRT3", grau="primeiro_grau", credencial_id=seeded["a"], motivo="x: y"
    )
    for bad in ({"id": 1}, invalido, broken, copied):
        with pytest.raises(DropItem):
            pipe.process_item(bad)
    assert pipe.process_item(good) is good  # validated when built: passed on as it is
    assert crawler.stats.get_value("sinesys/validacao/invalidos") == 4
    assert pipe.contadores.contagem(seeded["a"])["erros"] == 3
    # Built or copied without validation but valid: checked, and passed on validated.
    for unchecked in (Processo.model_construct(**good.model_dump()), good.model_copy(update={"numero": 3})):
        assert not unchecked.validado
        passed = pipe.process_item(unchecked)
        assert passed.model_dump() == unchecked.model_dump()
        assert passed.validado
    with pytest.raises(ValidationError):  # an assignment is validated on the spot, so the item never goes bad
        good.numero_processo = "errado"
    assert good.validado
    with pytest.warns(DeprecationWarning, match="copy"):  # pydantic v1's copy(update=...) skips validation too
        v1_copy = good.copy(update={"numero_processo": "errado"})
    with pytest.raises(DropItem):
        pipe.process_item(v1_copy)

    class Solto(Processo):  # a plugin's subclass that turned assignment validation off
        model_config = ConfigDict(validate_assignment=False)

    solto = Solto(**good.model_dump())
    solto.numero_processo = "errado"
    assert not solto.validado
    with pytest.raises(DropItem):
        pipe.process_item(solto)


async def test_raw_log_failure_is_counted_not_fatal(database_url: str, seeded: dict[str, Any]) -> None:
    """A raw-log batch the store refuses is logged and counted; the crawl goes on."""
    crawler, _spider = crawler_for(database_url)
    store = SqlRawLogStore(seeded["factory"])
    one = page(seeded, [row(1)]).bruta
    store.append(one)
    await run_chain([RawLogPipeline(crawler, store, 5)], [one])  # the same id again: refused
    assert crawler.stats.get_value("sinesys/rawlog/falhas") == 1


def test_pipelines_can_be_switched_off() -> None:
    """Each pipeline is disabled by its *_ENABLED setting."""
    crawler = get_crawler(
        AcervoGeralSpider,
        {
            "VALIDACAO_ENABLED": False,
            "RAWLOG_ENABLED": False,
            "PERSISTENCIA_ENABLED": False,
            "CAPTURAS_ENABLED": False,
        },
    )
    for cls in (ValidacaoPipeline, RawLogPipeline, PersistenciaPipeline, CapturaExtension):
        with pytest.raises(NotConfigured):
            cls.from_crawler(crawler)


def test_raw_pages_are_not_exported_items() -> None:
    """Raw pages are PaginaBruta items, distinct from the captured records that feeds export."""
    assert not issubclass(PaginaBruta, Processo)


async def test_items_without_a_table_pass_through(database_url: str, seeded: dict[str, Any]) -> None:
    """A capture item type the upsert does not store is passed on untouched, not counted as an error."""
    from sinesys_spiders.core.items import ItemCaptura

    class Outro(ItemCaptura):
        pass

    crawler, _spider = crawler_for(database_url)
    pipe = PersistenciaPipeline.from_crawler(crawler)
    pipe.open_spider()
    outro = Outro(
        id_externo=1,
        tribunal="TRT3",
        grau="primeiro_grau",
        advogado_id=seeded["advogado"],
        credencial_id=seeded["a"],
        numero_processo="0000001-00.2025.5.03.0001",
    )
    assert await pipe.process_item(outro) is outro
    await pipe.close_spider()
    assert pipe.contadores.credenciais() == []


async def test_pages_not_persisted_stay_unprocessed(database_url: str, seeded: dict[str, Any]) -> None:
    """Without the persistence pipeline the raw pages are logged but not marked processed (recoverable)."""
    crawler, spider = crawler_for(database_url)
    store = SqlRawLogStore(seeded["factory"])
    current = page(seeded, [row(1), row(2)])
    pipes = [ValidacaoPipeline.from_crawler(crawler), RawLogPipeline(crawler, store, 2)]
    await run_chain(pipes, [current.bruta, *current.itens])
    close(crawler, spider, "finished")
    assert [r.raw_log_id for r in store.list(FiltroRawLog(processado=False))] == [current.bruta.raw_log_id]


def test_page_tracker_accepts_outcomes_before_the_page() -> None:
    """A page is ready once all its rows have an outcome, whichever arrives first."""
    from pipelines._contexto import PaginasEmAndamento

    tracker = PaginasEmAndamento()
    tracker.concluir("p1", inseridos=2)
    assert tracker.prontas() == []
    tracker.registrar("p1", 3)
    tracker.registrar("p2", 0)
    tracker.concluir("p1", erros=1)
    tracker.concluir(None, erros=1)
    assert tracker.prontas() == [("p2", {}), ("p1", {"inseridos": 2, "erros": 1})]
    assert tracker.pendentes() == 0
