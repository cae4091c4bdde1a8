"""The per-case captures store a group of cases in a few statements, write nothing when nothing changed, and keep
every previous version of a party or address they change (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, event, func, select

from pipelines.processo import ProcessoPipeline
from plugins.pje_trt.partes import ler_partes
from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.timeline import contar, ler_timeline
from sinesys_spiders import sinais
from sinesys_spiders.core.capturas_processo import ProcessoAlvo
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import (
    Advogado,
    Credencial,
    Endereco,
    Parte,
    Processo,
    ProcessoParte,
    RegistroVersao,
    TimelineItem,
)
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.core.errors import SessaoExpirada
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items_processo import OcorrenciaProcesso, PartesProcesso, TimelineProcesso
from sinesys_spiders.core.persistencia_processo import persistir_partes
from sinesys_spiders.core.persistencia_timeline import persistir_timeline
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.testing.capturas import conectar_capturas, fechar_crawl

CASOS = 12


class _Spider(Spider):
    name = "partes"


@pytest.fixture
def mundo(engine: Engine, database_url: str, tmp_path: Any) -> dict[str, Any]:
    """Twelve sandbox cases with parties in ``acervo``, their lawyer, credential and an open capture."""
    world = World.generate(seed=3, scale="small", users=1, tribunais=["TRT3"], today=dt.date(2026, 11, 24))
    user = world.users[0]
    casos = [
        c
        for c in world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1)
        if ler_partes(world.partes("TRT3", "primeiro_grau", c["id"]), cpf_advogado=user.cpf)
    ][:CASOS]
    assert len(casos) == CASOS
    factory = make_session_factory(engine)
    with factory.begin() as session:
        advogado = Advogado(nome_completo="ADVOGADA", cpf=user.cpf)
        session.add(advogado)
        session.flush()
        credencial = Credencial(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        session.add(credencial)
        processos = [
            Processo(
                id_externo=c["id"],
                tribunal="TRT3",
                grau="primeiro_grau",
                numero_processo=c["numeroProcesso"],
                advogado_id=advogado.id,
            )
            for c in casos
        ]
        session.add_all(processos)
        session.flush()
        ids = {"advogado": advogado.id, "credencial": credencial.id}
        acervo = [p.id for p in processos]
    captura = HistoricoService(factory).start(tipo_captura="partes", credencial_ids=[ids["credencial"]])
    return {"world": world, "user": user, "casos": casos, "acervo": acervo, "factory": factory, "engine": engine,
            "ids": ids, "captura": captura, "database_url": database_url,
            "documentos": PastaDocumentStore(tmp_path / "docs")}  # fmt: skip


def _comum(mundo: dict[str, Any], tipo: str, i: int) -> dict[str, Any]:
    caso = mundo["casos"][i]
    return {
        "tipo_captura": tipo, "processo_id": mundo["acervo"][i], "id_processo_externo": caso["id"],
        "numero_processo": caso["numeroProcesso"], "tribunal": "TRT3", "grau": "primeiro_grau",
        "advogado_id": mundo["ids"]["advogado"], "credencial_id": mundo["ids"]["credencial"],
        "captura_id": mundo["captura"],
    }  # fmt: skip


def _partes(mundo: dict[str, Any], n: int | None = None) -> list[PartesProcesso]:
    world, user = mundo["world"], mundo["user"]
    return [
        PartesProcesso(**_comum(mundo, "partes", i),
                       partes=ler_partes(world.partes("TRT3", "primeiro_grau", c["id"]), cpf_advogado=user.cpf))
        for i, c in enumerate(mundo["casos"][:n])
    ]  # fmt: skip


def _timelines(mundo: dict[str, Any]) -> list[TimelineProcesso]:
    out = []
    for i, c in enumerate(mundo["casos"]):
        bruta = mundo["world"].timeline("TRT3", "primeiro_grau", c["id"])
        itens = ler_timeline(bruta)
        documentos, movimentos = contar(itens)
        out.append(TimelineProcesso(**_comum(mundo, "timeline", i), itens=itens, bruta=bruta,
                                    total_documentos=documentos, total_movimentos=movimentos))  # fmt: skip
    return out


class _Escrita:
    """Statements sent to the database, and the ORM objects flushed, while it is active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.orm_objetos = 0

    def _sql(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement.lstrip().split(None, 1)[0].upper())

    def _flush(self, session: Any, context: Any, instances: Any) -> None:
        self.orm_objetos += len(session.new) + len(session.dirty) + len(session.deleted)

    def __enter__(self) -> _Escrita:
        from sqlalchemy.orm import Session

        event.listen(self.engine, "before_cursor_execute", self._sql)
        event.listen(Session, "before_flush", self._flush)
        return self

    def __exit__(self, *exc: Any) -> None:
        from sqlalchemy.orm import Session

        event.remove(self.engine, "before_cursor_execute", self._sql)
        event.remove(Session, "before_flush", self._flush)

    @property
    def escritas(self) -> list[str]:
        return [s for s in self.statements if s in {"INSERT", "UPDATE", "DELETE", "COPY"}]


@pytest.fixture
def escrita(mundo: dict[str, Any]) -> Iterator[_Escrita]:
    with _Escrita(mundo["engine"]) as out:
        yield out


def test_a_group_of_cases_is_stored_in_a_few_statements_without_row_by_row_orm_flushes(
    mundo: dict[str, Any], escrita: _Escrita
) -> None:
    """Parties of one case or of twelve: the same number of statements, none per entity, no ORM object flushed."""
    factory = mundo["factory"]
    with factory.begin() as session:
        um = persistir_partes(session, _partes(mundo, 1))
    statements_um = len(escrita.statements)
    with factory.begin() as session:
        session.execute(ProcessoParte.__table__.delete())
    escrita.statements.clear()

    itens = _partes(mundo)
    with factory.begin() as session:
        resultados = persistir_partes(session, itens)
    assert len(resultados) == len(itens)
    assert sum(r.vinculos for r in resultados) == sum(len(i.partes) for i in itens) > 2 * len(itens)
    assert um[0].inseridos > 0
    assert len(escrita.statements) <= statements_um + 2  # a few more reads, not one per case or per party
    assert escrita.orm_objetos == 0
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ProcessoParte)) == sum(r.vinculos for r in resultados)
        capturados = session.scalars(select(Processo.partes_capturadas_em).where(Processo.id.in_(mundo["acervo"])))
        assert all(stamp is not None for stamp in capturados)


def test_a_second_run_writes_nothing(mundo: dict[str, Any], escrita: _Escrita) -> None:
    """The same parties and timelines again: every row unchanged, no INSERT, UPDATE or DELETE but the case stamps."""
    factory = mundo["factory"]
    with factory.begin() as session:
        persistir_partes(session, _partes(mundo))
        persistir_timeline(session, _timelines(mundo))
    escrita.statements.clear()

    with factory.begin() as session:
        partes = persistir_partes(session, _partes(mundo))
        timelines = persistir_timeline(session, _timelines(mundo))
    assert sum(r.inseridos + r.atualizados for r in partes) == 0
    assert sum(r.inalterados for r in partes) > 0
    assert sum(t.novos_documentos + t.novos_movimentos + t.itens_atualizados for t in timelines) == 0
    assert escrita.escritas == ["UPDATE", "UPDATE"]  # partes_capturadas_em, timeline_capturada_em: one each
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(RegistroVersao)) == 0


def test_a_changed_party_and_address_are_updated_and_their_previous_versions_kept(mundo: dict[str, Any]) -> None:
    """A party renamed and an address moved: the rows updated, each old version kept with the fields that changed."""
    factory = mundo["factory"]
    with factory.begin() as session:
        persistir_partes(session, _partes(mundo))
    itens = _partes(mundo)
    item = next(i for i in itens if any(p.endereco is not None for p in i.partes))
    parte = next(p for p in item.partes if p.endereco is not None)
    assert parte.endereco is not None
    nome_antigo, rua_antiga = parte.nome, parte.endereco.logradouro
    parte.nome = f"{nome_antigo} JUNIOR"
    parte.endereco.logradouro = "RUA NOVA DO TESTE"

    with factory.begin() as session:
        resultados = persistir_partes(session, itens)
    assert sum(r.atualizados for r in resultados) >= 2
    assert sum(r.inseridos for r in resultados) == 0
    with factory() as session:
        versoes = {v.tabela: v for v in session.scalars(select(RegistroVersao))}
        assert set(versoes) == {"partes", "enderecos"}
        row_parte = session.get(Parte, versoes["partes"].registro_id)
        row_endereco = session.get(Endereco, versoes["enderecos"].registro_id)
    assert row_parte is not None
    assert row_endereco is not None
    assert row_parte.nome == f"{nome_antigo} JUNIOR"
    assert versoes["partes"].versao["nome"] == nome_antigo
    assert versoes["partes"].campos_alterados == ["nome"]
    assert versoes["partes"].captura_log_id == mundo["captura"]
    assert row_endereco.logradouro == "RUA NOVA DO TESTE"
    assert versoes["enderecos"].versao["logradouro"] == rua_antiga
    assert versoes["enderecos"].campos_alterados == ["logradouro"]


async def test_the_pipeline_stores_cases_arriving_together_as_one_group_and_passes_them_on(
    mundo: dict[str, Any],
) -> None:
    """Twelve timelines at once: one group written, every item passed on (for the feeds), every row stored."""
    crawler = get_crawler(_Spider, {"PERSISTENCIA_DATABASE_URL": mundo["database_url"]})
    crawler.spider = _Spider.from_crawler(crawler)
    crawler.stats.open_spider()
    pipeline = ProcessoPipeline(crawler, mundo["database_url"], None, mundo["documentos"])
    itens = _timelines(mundo)

    passados = await asyncio.gather(*(pipeline.process_item(item) for item in itens))
    await pipeline.close_spider()

    assert passados == itens
    assert crawler.stats.get_value("sinesys/processo/grupos") == 1
    with mundo["factory"]() as session:
        assert session.scalar(select(func.count()).select_from(TimelineItem)) == sum(len(i.itens) for i in itens)


@pytest.mark.parametrize("falha", [None, SessaoExpirada("sessão recusada de novo")], ids=["sem_motivo", "credencial"])
async def test_a_chosen_case_that_never_reaches_the_pipeline_is_an_error_with_its_reason(
    mundo: dict[str, Any], falha: SessaoExpirada | None
) -> None:
    """Three cases chosen: one stored, one skipped (its lock held), one that never came back (a request lost on the
    way, or its credential failed first). The third is in the history as an error with the reason, never missing."""
    crawler = get_crawler(_Spider, {"PERSISTENCIA_DATABASE_URL": mundo["database_url"]})
    crawler.spider = _Spider.from_crawler(crawler)
    crawler.stats.open_spider()
    conectar_capturas(crawler, mundo["database_url"])
    pipeline = ProcessoPipeline(crawler, mundo["database_url"], None, mundo["documentos"])
    alvos = [
        ProcessoAlvo(processo_id=mundo["acervo"][i], id_externo=c["id"], numero_processo=c["numeroProcesso"])
        for i, c in enumerate(mundo["casos"][:3])
    ]
    credencial = mundo["ids"]["credencial"]
    crawler.signals.send_catch_log(
        signal=sinais.processos_selecionados, credencial_id=credencial, tipo_captura="partes", tribunal="TRT3",
        grau="primeiro_grau", captura_id=mundo["captura"], iniciada_em=utcnow(), alvos=alvos,
    )  # fmt: skip
    [guardado] = _partes(mundo, 1)
    assert await pipeline.process_item(guardado) is guardado
    bloqueado = OcorrenciaProcesso(**_comum(mundo, "partes", 1), tipo="bloqueado", codigo="LOCK_OCUPADO",
                                   mensagem="processo em captura por outra execução")  # fmt: skip
    with pytest.raises(DropItem):
        await pipeline.process_item(bloqueado)
    if falha is not None:
        crawler.signals.send_catch_log(
            signal=sinais.credencial_falhou, credencial_id=credencial, tribunal="TRT3", grau="primeiro_grau",
            error=falha,
        )  # fmt: skip
    await pipeline.close_spider()
    fechar_crawl(crawler)

    [entry] = HistoricoService(mundo["factory"]).get(mundo["captura"]).resultados
    resultado = entry["resultado"]
    assert (resultado["total_processos"], resultado["processos_capturados"]) == (3, 1)
    assert (resultado["bloqueados"], resultado["erros"]) == (1, 1)
    [erro] = entry["erros_itens"]
    assert (erro["processo_id"], erro["id_externo"]) == (mundo["acervo"][2], mundo["casos"][2]["id"])
    assert erro["motivo"].startswith("PROCESSO_NAO_CONCLUIDO: ")
    if falha is not None:
        assert "SESSAO_EXPIRADA" in erro["motivo"]
