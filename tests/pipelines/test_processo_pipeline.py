"""The per-case pipeline on a real crawler object: timelines to MongoDB (mongomock), rows to SQL, results recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import mongomock
import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, func, select

from pipelines.processo import ProcessoPipeline
from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.timeline import contar, ler_timeline
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import Advogado, Credencial, Documento, Processo, TimelineItem
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items_processo import DocumentoBaixado, OcorrenciaProcesso, TimelineProcesso
from sinesys_spiders.core.timelines import COLLECTION, MongoTimelineStore
from sinesys_spiders.testing.capturas import conectar_capturas, fechar_crawl


class TimelineSpider(Spider):
    name = "timeline"


@pytest.fixture
def mundo(engine: Engine, database_url: str, tmp_path: Path) -> dict[str, Any]:
    """A case of a sandbox world in ``acervo``, its credential, an open capture, and the pipeline's stores."""
    world = World.generate(seed=3, scale="tiny", users=1, tribunais=["TRT3"], today=dt.date(2026, 11, 24))
    user = world.users[0]
    caso = world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1)[0]
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
    captura = HistoricoService(factory).start(tipo_captura="timeline", credencial_ids=[ids["credencial"]])
    client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
    return {
        "world": world,
        "caso": caso,
        "factory": factory,
        "ids": ids,
        "captura": captura,
        "collection": client["sinesys"][COLLECTION],
        "timelines": MongoTimelineStore(client["sinesys"][COLLECTION]),
        "documentos": PastaDocumentStore(tmp_path / "docs"),
        "database_url": database_url,
    }


def _comum(mundo: dict[str, Any]) -> dict[str, Any]:
    return {
        "tipo_captura": "timeline",
        "processo_id": mundo["ids"]["processo"],
        "id_processo_externo": mundo["caso"]["id"],
        "numero_processo": mundo["caso"]["numeroProcesso"],
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "advogado_id": mundo["ids"]["advogado"],
        "credencial_id": mundo["ids"]["credencial"],
        "captura_id": mundo["captura"],
    }


async def test_timeline_goes_to_mongodb_rows_to_sql_and_the_result_to_the_history(mundo: dict[str, Any]) -> None:
    """A timeline, one PDF and one failed document: stored where they belong, counts recorded.

    What was stored goes on to the feeds (the timeline, the PDF's metadata); the failed document is dropped.
    """
    crawler = get_crawler(TimelineSpider, {"PERSISTENCIA_DATABASE_URL": mundo["database_url"]})
    crawler.spider = TimelineSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    conectar_capturas(crawler, mundo["database_url"])
    pipeline = ProcessoPipeline(crawler, mundo["database_url"], mundo["timelines"], mundo["documentos"])
    world, caso = mundo["world"], mundo["caso"]
    bruta = world.timeline("TRT3", "primeiro_grau", caso["id"])
    itens = ler_timeline(bruta)
    documentos, movimentos = contar(itens)
    doc = next(i for i in itens if i.tipo == "documento")
    pdf = world.documento_conteudo("TRT3", "primeiro_grau", caso["id"], doc.id_externo)
    assert pdf is not None
    produzidos = [
        TimelineProcesso(
            **_comum(mundo), itens=itens, bruta=bruta, total_documentos=documentos, total_movimentos=movimentos
        ),
        DocumentoBaixado(**_comum(mundo), id_documento_externo=doc.id_externo, url="https://x/conteudo", conteudo=pdf),
        OcorrenciaProcesso(
            **_comum(mundo), tipo="erro", codigo="RESPOSTA_INVALIDA", mensagem="não é um PDF", id_documento_externo=123
        ),
    ]
    for item in produzidos[:2]:
        assert await pipeline.process_item(item) is item
    with pytest.raises(DropItem):
        await pipeline.process_item(produzidos[2])
    assert await pipeline.process_item({"outro": 1}) == {"outro": 1}
    await pipeline.close_spider()
    fechar_crawl(crawler)

    stored = mundo["collection"].find_one({"processoId": caso["id"], "trtCodigo": "TRT3", "grau": "primeiro_grau"})
    assert stored is not None
    assert [i["id"] for i in stored["timeline"]] == [i.id_externo for i in itens]
    assert stored["metadata"]["totalDocumentos"] == documentos
    assert stored["metadata"]["totalMovimentos"] == movimentos
    assert stored["metadata"]["totalDocumentosBaixados"] == 1
    assert stored["metadata"]["schemaVersion"] == 1
    with mundo["factory"]() as session:
        assert session.scalar(select(func.count()).select_from(TimelineItem)) == len(itens)
        [row] = session.scalars(select(Documento))
        assert row.tamanho == len(pdf)
        assert row.credencial_id == mundo["ids"]["credencial"]
        assert mundo["documentos"].get(row.caminho) == pdf
    [entry] = HistoricoService(mundo["factory"]).get(mundo["captura"]).resultados
    assert entry["resultado"]["total_documentos"] == documentos
    assert entry["resultado"]["novos_movimentos"] == movimentos
    assert entry["resultado"]["documentos_baixados"] == 1
    assert entry["resultado"]["erros"] == 1
    assert entry["erros_itens"][0]["motivo"] == "RESPOSTA_INVALIDA: não é um PDF"
