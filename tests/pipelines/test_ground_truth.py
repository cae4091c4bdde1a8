"""Parsed sandbox pages through the real pipelines: the database equals the world's ground truth.

Covers acervo, arquivados, pendentes (N and I) and audiências on SQLite and PostgreSQL: every record
stored once, a second capture writing nothing, and after the world advances exactly the changed
records inserted or updated, with their previous versions kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.persistencia import PersistenciaPipeline
from pipelines.rawlog import RawLogPipeline
from pipelines.validacao import ValidacaoPipeline
from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
from plugins.pje_trt.requests import FiltroPrazo, SituacaoAudiencia, acervo_geral_url
from plugins.pje_trt.sandbox.world import World
from sinesys_spiders.core.db.models import (
    RegistroVersao,
)
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.rawlog import FiltroRawLog
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.capturas import conectar_capturas
from sinesys_spiders.testing.registros import db_registros as _db_records

API = "https://sandbox.invalid/pje-comum-api/api"
SITUACOES = {"designada": SituacaoAudiencia.DESIGNADA, "cancelada": SituacaoAudiencia.CANCELADA,
             "realizada": SituacaoAudiencia.REALIZADA}  # fmt: skip
PAGE = 100


class CapturaSpider(Spider):
    name = "acervo_geral"


def _pages(world: World, seeded: dict[str, Any], cred: str, tribunal: str, grau: str, captura_id: int) -> list:
    """Every page the four list captures would fetch for one credential, parsed into raw pages and items."""
    user = world.users[0]
    adv = user.ids_advogado[tribunal]
    sources: list[tuple[TipoCaptura, FiltroPrazo | None, list[dict[str, Any]]]] = [
        (TipoCaptura.ACERVO_GERAL, None, world.painel(tribunal, grau, adv, 1)),
        (TipoCaptura.ARQUIVADOS, None, world.painel(tribunal, grau, adv, 5)),
        *((TipoCaptura.PENDENTES, f, world.painel(tribunal, grau, adv, 2, f.agrupador)) for f in FiltroPrazo),
        *(
            (
                TipoCaptura.AUDIENCIAS,
                None,
                world.pauta(tribunal, grau, adv, dt.date(2000, 1, 1), dt.date(2100, 1, 1), s),
            )
            for s in SITUACOES.values()
        ),
    ]
    out: list[Any] = []
    for tipo, filtro, rows in sources:
        contexto = ContextoPagina(
            tipo_captura=tipo,
            tribunal=Tribunal(tribunal),
            grau=Grau(grau),
            advogado_id=seeded["advogado"],
            credencial_id=seeded[cred],
            captura_id=captura_id,
            filtro=filtro,
        )
        pages = max(1, -(-len(rows) // PAGE))
        for n in range(pages):
            chunk = rows[n * PAGE : (n + 1) * PAGE]
            payload = {"pagina": n + 1, "tamanhoPagina": PAGE, "qtdPaginas": pages, "totalRegistros": len(rows),
                       "resultado": chunk}  # fmt: skip
            parsed = parse_pagina(payload, contexto, url=acervo_geral_url(API, adv, n + 1))
            out.extend([parsed.bruta, *parsed.itens])
    return out


async def _capture(world: World, seeded: dict[str, Any], database_url: str) -> dict[str, int]:
    """One capture of both credentials through the four pipelines; return the history totals."""
    factory: sessionmaker[Session] = seeded["factory"]
    captura_id = HistoricoService(factory).start(tipo_captura="acervo_geral", credencial_ids=[seeded["a"], seeded["b"]])
    settings = {"PERSISTENCIA_DATABASE_URL": database_url, "CAPTURAS_DATABASE_URL": database_url}
    crawler = get_crawler(CapturaSpider, {**settings, "PERSISTENCIA_BATCH_SIZE": 50})
    spider = CapturaSpider.from_crawler(crawler)
    spider.captura_id = captura_id
    crawler.spider = spider
    crawler.stats.open_spider()
    crawler.signals.send_catch_log(signal=signals.spider_opened, spider=spider)
    conectar_capturas(crawler)
    pipes = [
        ValidacaoPipeline.from_crawler(crawler),
        RawLogPipeline(crawler, SqlRawLogStore(factory), 10),
        PersistenciaPipeline.from_crawler(crawler),
    ]
    for pipe in pipes:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    items = _pages(world, seeded, "a", "TRT3", "primeiro_grau", captura_id)
    items += _pages(world, seeded, "b", "TRT5", "segundo_grau", captura_id)
    for item in items:
        try:
            for pipe in pipes:
                result = pipe.process_item(item)
                item = await result if hasattr(result, "__await__") else result
        except DropItem:  # raw pages, once in the raw log
            pass
    for pipe in reversed(pipes):
        if hasattr(pipe, "close_spider"):
            result = pipe.close_spider()
            if hasattr(result, "__await__"):
                await result
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="finished")
    resumo = HistoricoService(factory).get(captura_id)
    assert resumo.status == "completed", resumo.erro
    assert SqlRawLogStore(factory).list(FiltroRawLog(processado=False)) == []
    return resumo.totais


def _truth_records(world: World) -> dict[str, dict[tuple, dict[str, Any]]]:
    """The ground truth of both credentials as {table: {natural key: expected columns}}."""
    truth = world.truth()
    out: dict[str, dict[tuple, dict[str, Any]]] = {"acervo": {}, "expedientes": {}, "audiencias": {}}
    cpf = world.users[0].cpf
    for tribunal, grau in (("TRT3", "primeiro_grau"), ("TRT5", "segundo_grau")):
        bloco = truth["tribunais"][tribunal][grau][cpf]
        for lista, origem in (("acervo_geral", "acervo_geral"), ("arquivados", "arquivado")):
            for p in bloco[lista]:
                out["acervo"][(tribunal, grau, p["id_externo"])] = {**p, "origem": origem}
        for filtro, agrupador in (("no_prazo", "N"), ("sem_prazo", "I")):
            for e in bloco["pendentes"][filtro]:
                out["expedientes"][(tribunal, grau, e["id_externo"], e["id_documento"])] = {**e, "agrupador": agrupador}
        for situacao in SITUACOES:
            for a in bloco["audiencias"][situacao]:
                out["audiencias"][(tribunal, grau, a["id_externo"])] = a
    return out


def _assert_contains(db: dict, truth: dict) -> None:
    for table, expected_rows in truth.items():
        for key, expected in expected_rows.items():
            assert key in db[table], (table, key)
            stored = db[table][key]
            diffs = {f: (stored.get(f), v) for f, v in expected.items() if stored.get(f) != v}
            assert not diffs, (table, key, diffs)


@pytest.fixture
def world() -> World:
    return World.generate(seed=11, scale="small", users=1, tribunais=["TRT3", "TRT5"])


async def test_database_equals_ground_truth_then_changes_exactly(
    database_url: str, seeded: dict[str, Any], world: World
) -> None:
    """First capture = the truth; second = nothing written; after the world advances, exactly its changes."""
    factory = seeded["factory"]
    before = _truth_records(world)
    first = await _capture(world, seeded, database_url)
    db = _db_records(factory)
    _assert_contains(db, before)
    assert {t: len(rows) for t, rows in db.items()} == {t: len(rows) for t, rows in before.items()}
    assert first["inseridos"] == sum(len(rows) for rows in before.values())
    assert (first["atualizados"], first["duplicados"], first["erros"]) == (0, 0, 0)

    second = await _capture(world, seeded, database_url)
    assert (second["inseridos"], second["atualizados"], second["erros"]) == (0, 0, 0)

    world.advance(steps=5)
    after = _truth_records(world)
    novos = sum(len(set(after[t]) - set(before[t])) for t in after)
    mudados = sum(1 for t in after for k in set(after[t]) & set(before[t]) if after[t][k] != before[t][k])
    assert novos + mudados > 0, "the world did not change"
    third = await _capture(world, seeded, database_url)
    assert (third["inseridos"], third["atualizados"], third["erros"]) == (novos, mudados, 0)
    _assert_contains(_db_records(factory), after)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(RegistroVersao)) == mudados
