"""An answer handled twice by two workers (the first killed after its rows were written and its counts added, before
its acknowledgement) is counted once: the capture's result equals one handling, for a list and a per-case capture."""

from __future__ import annotations

import time
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines._contas_processo import de_dict
from pipelines.processo import ProcessoPipeline
from plugins.pje_trt.timeline import contar, ler_timeline
from sinesys_spiders import sinais
from sinesys_spiders.core.estado_captura.processos_redis import ProcessosRedis
from sinesys_spiders.core.estado_captura.redis import EstadoRedis
from sinesys_spiders.core.historico_contadores import ContadoresRedis
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.items_processo import OcorrenciaProcesso, TimelineProcesso
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.spiders._workers import TrabalhoEmWorkers
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.workers.confirmacao import confirmacoes
from sinesys_spiders.workers.contagem import marcas
from sinesys_spiders.workers.fila import CHAVE_RID, FilaComArrendamento
from tests.pipelines.test_pipelines import build, crawler_for, page, row
from tests.pipelines.test_processo_pipeline import TimelineSpider, _comum, mundo  # noqa: F401 - the fixture

pytestmark = [pytest.mark.requires_redis, on_postgresql]


async def _pipelines(pipes: list[Any], lote: Lote) -> None:
    """The item processor's loop over one answer's items (``pipelines.lotes``)."""
    for item in lote.itens:
        for pipe in pipes:
            try:
                result = pipe.process_item(item)
                item = await result if hasattr(result, "__await__") else result
            except DropItem:  # the raw page once buffered, the invalid row
                break


class WorkerSpider(TrabalhoEmWorkers, Spider):
    """The workers side of a capture spider (its queue and acknowledgements) on the pipeline tests' crawler."""

    name = "acervo_geral"
    terminadas: list[int]

    def _talvez_terminou(self, credencial_id: int) -> None:
        self.terminadas.append(credencial_id)


def _worker(database_url: str, seeded: dict[str, Any], redis_conexao: RedisConexao, nome: str, ttl: float) -> Any:
    """A worker's spider and real pipelines (validation, raw log, upsert) counting in the capture's Redis."""
    crawler, _ = crawler_for(database_url, PERSISTENCIA_BATCH_SIZE=500, RAWLOG_BATCH_SIZE=20)
    spider = crawler.spider = WorkerSpider.from_crawler(crawler)
    spider._iniciar_workers()
    spider.terminadas = []
    sinais._contadores[crawler] = ContadoresRedis(redis_conexao, seeded["captura"])
    pipes = build(crawler, SqlRawLogStore(seeded["factory"]))
    for pipe in pipes:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    chave = redis_conexao.chave("captura", seeded["captura"], "fila")
    spider.fila = FilaComArrendamento(redis_conexao.client, spider, chave, worker=nome, lease_ttl=ttl)
    spider.fila.registrar()
    spider.estado_credenciais = EstadoRedis(redis_conexao, seeded["captura"])
    return crawler, spider, pipes


async def test_a_list_answer_handled_by_two_workers_is_counted_once(
    database_url: str, seeded: dict[str, Any], redis_conexao: RedisConexao
) -> None:
    """Worker A handles an answer (two new rows and an invalid one): its rows are written and its counts added, then
    it dies before acknowledging. The request goes back; worker B handles the same answer (its upserts find the rows
    unchanged) and acknowledges it. The capture's counts are one handling's: 2 inserted, 0 unchanged, 1 error;
    another answer B handles still counts."""
    chave = redis_conexao.chave("captura", seeded["captura"], "fila")
    crawler_a, spider_a, pipes_a = _worker(database_url, seeded, redis_conexao, "morto", 0.3)
    crawler_b, spider_b, pipes_b = _worker(database_url, seeded, redis_conexao, "vivo", 30)
    morto, vivo = spider_a.fila, spider_b.fila
    pendentes = spider_a.estado_credenciais.chave_pendentes(seeded["a"])
    for n in (1, 2):
        request = Request(f"https://trt.example/{n}", meta={"credencial_id": seeded["a"], CHAVE_RID: f"rid-{n}"})
        assert morto.enfileirar(request, dupefilter=f"{chave}:df", fingerprint=str(n), pendentes=pendentes,
                                request_id=f"rid-{n}")  # fmt: skip

    def resposta(rows: list[dict[str, Any]]) -> Lote:
        pagina = page(seeded, rows)
        return Lote([pagina.bruta, *pagina.itens])

    linhas = [row(1), row(2), row(99, numeroProcesso="x")]
    # Worker A: the answer's rows written and its counts added (the acknowledgement's first step), then killed.
    popped = morto.pop()
    lote = resposta(linhas)
    spider_a._concluir_na_fila(popped, lote)
    await _pipelines(pipes_a, lote)
    await confirmacoes(crawler_a).descarregar()
    assert sinais.contadores(crawler_a).confirmar("rid-1")
    time.sleep(0.5)  # nobody renews its lease
    assert vivo.recuperar() == 1

    # Worker B: the same answer again, then the other one; both acknowledged the ordinary way.
    for rows in (linhas, [row(3)]):
        popped = vivo.pop()
        lote = resposta(rows)
        spider_b._concluir_na_fila(popped, lote)
        await _pipelines(pipes_b, lote)
        spider_b._item_concluido_na_fila(lote)
        await confirmacoes(crawler_b).descarregar()
    assert vivo.em_andamento() == 0
    assert spider_a.estado_credenciais.pendentes(seeded["a"]) == 0
    assert spider_b.terminadas == [seeded["a"]]  # the last acknowledgement saw the credential's end
    contagem = sinais.contadores(crawler_b).contagem(seeded["a"])
    assert {k: contagem[k] for k in ("inseridos", "atualizados", "inalterados", "erros")} == {
        "inseridos": 3,
        "atualizados": 0,
        "inalterados": 0,
        "erros": 1,
    }


async def test_a_per_case_answer_handled_by_two_workers_is_counted_once(
    mundo: dict[str, Any],  # noqa: F811 - the fixture
    redis_conexao: RedisConexao,
) -> None:
    """Worker A stores a case's timeline and adds its part of the credential's result, then dies before
    acknowledging; worker B handles the same answer (every movement already there). The capture's result is one
    handling's: the documents and movements counted once, all new, none unchanged, and its error once."""
    captura = mundo["captura"]
    world, caso = mundo["world"], mundo["caso"]
    bruta = world.timeline("TRT3", "primeiro_grau", caso["id"])
    itens = ler_timeline(bruta)
    documentos, movimentos = contar(itens)
    pipelines = []
    for _ in range(2):
        crawler = get_crawler(
            TimelineSpider, {"PERSISTENCIA_DATABASE_URL": mundo["database_url"], "CAPTURA_WORKERS_ID": captura}
        )
        crawler.spider = TimelineSpider.from_crawler(crawler)
        pipeline = ProcessoPipeline(crawler, mundo["database_url"], mundo["timelines"], mundo["documentos"])
        pipeline._compartilhado = ProcessosRedis(redis_conexao, captura)
        pipelines.append((crawler, pipeline))
    for crawler, pipeline in pipelines:  # each worker handles the same answer
        item = TimelineProcesso(
            **_comum(mundo), itens=itens, bruta=bruta, total_documentos=documentos, total_movimentos=movimentos
        )
        erro = OcorrenciaProcesso(**_comum(mundo), tipo="erro", codigo="RESPOSTA_INVALIDA", mensagem="não é um PDF")
        marcas(crawler).marcar([item, erro], "rid-timeline")
        assert await pipeline.process_item(item) is item
        with pytest.raises(DropItem):
            await pipeline.process_item(erro)
    _, ultimo = pipelines[1]
    [dados] = ultimo.compartilhado.resultados().values()
    conta = de_dict(dados)
    assert conta.extra()["total_documentos"] == documentos
    assert conta.extra()["total_movimentos"] == movimentos
    assert conta.extra()["novos_movimentos"] == movimentos
    assert conta.contagem() == {"inseridos": documentos + movimentos, "atualizados": 0, "inalterados": 0, "erros": 1}
