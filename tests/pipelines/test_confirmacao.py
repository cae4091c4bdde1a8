"""Workers acknowledge a request only once its rows are written: the pipelines keep their batches, the queue keeps the
request until the batch holding its rows is flushed (a worker killed before that loses nothing)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem
from sqlalchemy import func, select

from sinesys_spiders.core.db.models import Processo as ProcessoModel
from sinesys_spiders.core.estado_captura.redis import EstadoRedis
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.workers.confirmacao import confirmacoes
from sinesys_spiders.workers.fila import CHAVE_TOKEN, FilaComArrendamento
from tests.pipelines.test_pipelines import build, crawler_for, page, row

pytestmark = [pytest.mark.requires_redis, on_postgresql]  # the acknowledgement is the same on any database


def _processos(seeded: dict[str, Any]) -> int:
    with seeded["factory"]() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessoModel)) or 0)


async def test_a_request_is_acknowledged_after_its_batch_is_flushed_and_goes_back_if_its_worker_dies_first(
    database_url: str, seeded: dict[str, Any], redis_conexao: RedisConexao
) -> None:
    """Two answers' rows pass the real pipelines (raw log and upsert, batches of 20 pages and 500 rows): they sit in
    the buffers and both requests stay in the worker's processing hash, counted pending. A flush writes the first
    answer's rows and acknowledges it (it leaves the hash and the pending set). Then the worker dies before the
    second answer's batch is flushed: its lease lapses and the request goes back to the queue for another worker,
    still pending, so its rows are fetched and written again rather than lost."""
    crawler, spider = crawler_for(database_url, PERSISTENCIA_BATCH_SIZE=500, RAWLOG_BATCH_SIZE=20)
    pipes = build(crawler, SqlRawLogStore(seeded["factory"]))
    for pipe in pipes:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    chave = redis_conexao.chave("captura", 9, "fila")
    morto = FilaComArrendamento(redis_conexao.client, spider, chave, worker="morto", lease_ttl=0.3)
    vivo = FilaComArrendamento(redis_conexao.client, spider, chave, worker="vivo")
    morto.registrar()
    vivo.registrar()
    estado = EstadoRedis(redis_conexao, 9)
    pendentes = estado.chave_pendentes(seeded["a"])
    for n in (1, 2):
        request = Request(f"https://trt.example/{n}", meta={"credencial_id": seeded["a"]})
        assert morto.enfileirar(request, dupefilter=f"{chave}:df", fingerprint=str(n), pendentes=pendentes,
                                request_id=f"rid-{n}")  # fmt: skip
    confirmar = confirmacoes(crawler)
    # (answer, its rows, (cases in the database, requests in the worker's hash, pending) once they passed the pipelines)
    for n, linhas, esperado in ((1, [row(1), row(2)], (0, 1, 2)), (2, [row(3)], (2, 1, 1))):
        popped = morto.pop()
        token = popped.meta[CHAVE_TOKEN]
        pagina = page(seeded, linhas)
        for item in [pagina.bruta, *pagina.itens]:
            for pipe in pipes:
                try:
                    result = pipe.process_item(item)
                    item = await result if hasattr(result, "__await__") else result
                except DropItem:  # the raw log drops its page once buffered
                    break
        confirmar.apos_pipelines(
            lambda token=token, n=n: morto.concluir(token, pendentes=pendentes, request_id=f"rid-{n}")
        )
        assert (_processos(seeded), morto.em_andamento(), estado.pendentes(seeded["a"])) == esperado
        if n == 1:
            await confirmar.descarregar()
            assert (_processos(seeded), morto.em_andamento(), estado.pendentes(seeded["a"])) == (2, 0, 1)

    time.sleep(0.5)  # the worker was killed: nobody renews its lease, its buffered row is gone with it
    assert vivo.recuperar() == 1
    de_volta = vivo.pop()
    assert de_volta.url == "https://trt.example/2"
    assert estado.pendentes(seeded["a"]) == 1
    assert _processos(seeded) == 2
