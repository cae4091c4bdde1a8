"""Recovery against real captures: gaps found exactly, re-persisted from the raw log, the tribunal never called.

One module-wide scenario per database (SQLite, PostgreSQL): a sandbox user's ``acervo_geral``, ``arquivados``,
``pendentes``, ``audiencias``, ``partes`` and ``timeline`` (with its PDFs) captured by real ``scrapy crawl``
runs. Each test then runs on both raw-log back ends: the SQL table the crawls wrote, and a MongoDB collection
(mongomock) holding the same entries.
Each test deletes rows, checks what recovery reports, re-persists, and leaves the database equal to the sandbox's truth.

Unlike most end-to-end modules this one runs on both databases (issue 15): the analysis compares natural keys read
back from each database (dates, JSON, case-sensitive text), which is where the back ends differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import mongomock
import pytest
from click.testing import CliRunner
from processo_e2e import ProcessoE2E
from recovery_e2e import (
    Cenario,
    Recovery,
    apagar_subconjunto,
    apagar_timelines,
    contar_linhas,
    copiar_para_mongo,
    gaps_das_capturas,
    partes_armazenadas_ok,
    pessoa,
    quebrar_ultima_parte,
    sem_escrita,
    timelines_armazenadas,
    timelines_iguais_a_verdade,
)
from sqlalchemy import delete, select, update

from sinesys_spiders.cli import main
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.db.engine import dispose_engines
from sinesys_spiders.core.db.models import (
    Audiencia,
    CapturaLogBruto,
    Endereco,
    Parte,
    ProcessoParte,
)
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.core.domain import BRASILIA, Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import ChaveInvalida, NaoEncontrado, RespostaInvalida
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import RawLogStore
from sinesys_spiders.core.rawlog.mongo import MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.recovery import FiltroRecovery, PayloadInvalido, RecoveryService, SemRegraRecovery
from sinesys_spiders.core.recovery.timelines import BINARIO_AUSENTE
from sinesys_spiders.testing.registros import db_registros
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(scope="module")
def cenario(pje_sandbox: SandboxClient, create_database: Callable[[], str],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cenario]:  # fmt: skip
    """A user with at least three cases at TRT3 1º grau, its four captures run once for the module."""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
        if len(truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]) >= 3:
            break
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=create_database(), workdir=tmp_path_factory.mktemp("rec"),
                      user=user, tribunal="TRT3")  # fmt: skip
    capturas = {}
    for spider, args in (
        ("acervo_geral", ()),
        ("arquivados", ()),
        ("pendentes", ()),
        ("audiencias", ("data_inicio=2000-01-01", "data_fim=2100-12-31", "situacao=M")),
        ("partes", ()),
        ("timeline", ("baixar_documentos=true",)),
    ):
        _, resumo = e2e.crawl(spider, *args)
        assert resumo is not None, spider
        assert resumo.status == "completed", spider
        capturas[spider] = resumo.id
    cenario = Cenario(
        e2e,
        capturas,
        sem_escrita(db_registros(e2e.factory)),
        e2e.truth("partes")["partes"],
        e2e.truth("timeline")["timeline"],
        PastaDocumentStore(e2e.workdir / "var" / "documentos"),
    )
    assert timelines_iguais_a_verdade(timelines_armazenadas(e2e, cenario.pasta), cenario.truth_timeline)
    assert cenario.registros["expedientes"]
    assert cenario.registros["audiencias"]
    assert partes_armazenadas_ok(cenario)
    yield cenario
    e2e.close()


@pytest.fixture(params=["sql", "mongomock"])
def recovery(request: pytest.FixtureRequest, cenario: Cenario) -> Iterator[Recovery]:
    """The recovery service on the scenario's database, over the SQL raw log or a MongoDB copy of it."""
    e2e = cenario.e2e
    sql = SqlRawLogStore(e2e.factory, cipher=e2e.cipher)
    if request.param == "sql":
        store: RawLogStore = sql

        def trocar(alvo: str, origem: str) -> Callable[[], None]:
            with e2e.factory.begin() as session:
                blobs = dict(session.execute(select(CapturaLogBruto.raw_log_id, CapturaLogBruto.payload_cifrado)
                                             .where(CapturaLogBruto.raw_log_id.in_([alvo, origem]))).all())  # fmt: skip
                session.execute(update(CapturaLogBruto).where(CapturaLogBruto.raw_log_id == alvo)
                                .values(payload_cifrado=blobs[origem]))  # fmt: skip

            def desfazer() -> None:
                with e2e.factory.begin() as session:
                    session.execute(update(CapturaLogBruto).where(CapturaLogBruto.raw_log_id == alvo)
                                    .values(payload_cifrado=blobs[alvo]))  # fmt: skip

            return desfazer

        def remover(ids: list[str]) -> None:
            with e2e.factory.begin() as session:
                session.execute(delete(CapturaLogBruto).where(CapturaLogBruto.raw_log_id.in_(ids)))
    else:
        collection = mongomock.MongoClient(tz_aware=True)["sinesys"]["captura_logs_brutos"]
        store = MongoRawLogStore(collection, cipher=e2e.cipher)
        copiar_para_mongo(sql, store)

        def trocar(alvo: str, origem: str) -> Callable[[], None]:
            blob = collection.find_one({"raw_log_id": origem})["payload_cifrado"]
            antes = collection.find_one({"raw_log_id": alvo})["payload_cifrado"]
            collection.update_one({"raw_log_id": alvo}, {"$set": {"payload_cifrado": blob}})
            return lambda: collection.update_one({"raw_log_id": alvo}, {"$set": {"payload_cifrado": antes}})

        def remover(ids: list[str]) -> None:
            collection.delete_many({"raw_log_id": {"$in": ids}})

    servico = RecoveryService(e2e.factory, store, documentos=cenario.pasta)
    yield Recovery(servico, store, request.param, trocar, remover)
    servico.close()


def test_list_filters_and_statistics(recovery: Recovery, cenario: Cenario) -> None:
    """The raw log listed by capture, type, tribunal and day, with counts per status, tribunal and type, no gaps."""
    servico, capturas = recovery.servico, cenario.capturas
    itens, total = servico.listar(FiltroRecovery(captura_log_id=capturas["partes"]), limite=1000)
    assert total == len(cenario.truth) == len(itens)
    assert {i.numero_processo for i in itens} == {c["numero_processo"] for c in cenario.truth}
    assert all(i.tipo_captura == "partes" and i.processado and i.payload_disponivel for i in itens)
    timelines, n = servico.listar(FiltroRecovery(captura_log_id=capturas["timeline"]), limite=1000)
    assert n == len(cenario.truth_timeline)  # one page per case, no PDF among them
    assert {i.numero_processo for i in timelines} == {c["numero_processo"] for c in cenario.truth_timeline}
    assert all(i.tipo_captura == "timeline" and i.processado and i.payload_disponivel for i in timelines)
    pagina, total_todas = servico.listar(pagina=2, limite=2)
    assert len(pagina) == 2
    assert total_todas > total
    assert servico.listar(FiltroRecovery(trt="TRT5"))[1] == 0
    hoje = itens[0].criado_em.astimezone(BRASILIA).date()  # the filters' days are Brasília's, as the API's
    assert servico.listar(FiltroRecovery(data_inicio=hoje, data_fim=hoje))[1] == total_todas
    assert servico.listar(FiltroRecovery(data_fim=hoje.replace(year=hoje.year - 1)))[1] == 0
    stats = servico.estatisticas()
    assert stats.total == total_todas
    assert stats.por_trt == {"TRT3": total_todas}
    assert stats.por_tipo["partes"] == total
    assert stats.por_status == {"success": total_todas}
    assert stats.gaps == {}
    assert stats.com_gaps == 0
    assert stats.sem_regra == 0


def test_deleted_rows_are_reported_exactly_and_restored_from_the_raw_log(
    recovery: Recovery, cenario: Cenario, pje_sandbox: SandboxClient
) -> None:
    """Deleted rows of every kind reported exactly; reprocessing restores the truth, asks no tribunal, idempotent."""
    servico, capturas, e2e = recovery.servico, cenario.capturas, cenario.e2e
    contagens = contar_linhas(cenario)
    pedidos = pje_sandbox.counters()["requests"]
    esperado = apagar_subconjunto(cenario)
    assert gaps_das_capturas(servico, capturas) == esperado
    stats = servico.estatisticas()
    assert set(stats.gaps) == {tipo for tipo, _, _ in esperado}
    assert stats.com_gaps > 0

    inseridos = 0
    for spider in ("acervo_geral", "arquivados", "pendentes", "audiencias", "partes"):
        resultado = servico.reprocessar(captura_log_id=capturas[spider])
        assert resultado.sucesso, [d.erro for d in resultado.documentos if d.erro]
        [captura_id] = resultado.captura_ids
        resumo = HistoricoService(e2e.factory).get(captura_id)
        assert resumo.status == "completed"
        assert resumo.tipo_captura == spider
        assert resumo.parametros["origem"] == "recovery"
        assert ServicoCapturas(e2e.factory).obter(captura_id).origem == "recovery"
        assert resumo.parametros["captura_log_id"] == capturas[spider]
        assert resumo.totais["inseridos"] == resultado.inseridos
        inseridos += resultado.inseridos
    assert inseridos >= len({g for g in esperado if g[0] in ("processo", "expediente", "audiencia", "parte")})

    assert gaps_das_capturas(servico, capturas) == set()
    assert contar_linhas(cenario) == contagens
    assert partes_armazenadas_ok(cenario)
    assert sem_escrita(db_registros(e2e.factory)) == cenario.registros
    assert pje_sandbox.counters()["requests"] == pedidos

    for captura_id in capturas.values():
        segunda = servico.reprocessar(captura_log_id=captura_id)
        assert segunda.sucesso
        assert segunda.inseridos == segunda.atualizados == segunda.total_elementos == 0
    assert contar_linhas(cenario) == contagens


def test_bad_pages_are_reported_and_the_others_recovered(recovery: Recovery, cenario: Cenario) -> None:
    """Unknown id, undecryptable page, corrupt payload, failing write, type without rule: each its reason, rest done."""
    servico, e2e, store = recovery.servico, cenario.e2e, recovery.store
    itens, _ = servico.listar(FiltroRecovery(captura_log_id=cenario.capturas["partes"]), limite=100)
    com_partes = [i for i in itens if len(store.get(i.id).payload_bruto or {}) > 0]
    boa, trocada = com_partes[0], com_partes[1]
    registro = store.get(boa.id)
    parte_a = next(e for e in servico.elementos(boa.id) if e.tipo == "endereco" and e.contexto["entidade"] == "parte")
    with e2e.factory.begin() as session:
        id_endereco = int(parte_a.identificador.split(":")[1])
        endereco = session.scalars(select(Endereco).where(Endereco.id_externo == id_endereco,
                                                          Endereco.entidade_tipo == "parte")).first()  # fmt: skip
        session.delete(endereco)
    contagens = contar_linhas(cenario)

    def pagina(tipo: TipoCaptura, payload: Any) -> str:
        return store.append(PaginaBruta(tipo_captura=tipo, advogado_id=registro.advogado_id,
                                        credencial_id=registro.credencial_id, tribunal=Tribunal("TRT3"),
                                        grau=Grau.PRIMEIRO_GRAU, requisicao=registro.requisicao or {},
                                        payload_bruto=payload))  # fmt: skip

    corrompida = pagina(TipoCaptura.PARTES, {"ATIVO": "não é uma lista"})
    meia = pagina(TipoCaptura.PARTES, quebrar_ultima_parte(registro.payload_bruto))
    sem_regra = pagina(TipoCaptura.COMBINADA, [])
    desfazer = recovery.trocar_blob(trocada.id, boa.id)
    try:
        with pytest.raises(ChaveInvalida):
            servico.analisar(trocada.id)
        conjunto = servico.analisar_captura(cenario.capturas["partes"])
        assert [a.id for a in conjunto.documentos if a.erro] == [trocada.id]
        assert conjunto.gaps == {"endereco": 1}

        primeira = servico.reprocessar(raw_log_ids=["nao-existe", trocada.id, corrompida, meia, sem_regra])
        assert not primeira.sucesso
        erros = {d.id: d.erro for d in primeira.documentos}
        assert erros["nao-existe"].startswith(NaoEncontrado.code)
        assert erros[trocada.id].startswith(ChaveInvalida.code)
        assert erros[corrompida].startswith(PayloadInvalido.code)
        assert erros[meia].startswith(RespostaInvalida.code)
        assert erros[sem_regra].startswith(SemRegraRecovery.code)
        assert contar_linhas(cenario) == contagens  # the failing write left nothing behind
        assert servico.analisar_captura(cenario.capturas["partes"]).gaps == {"endereco": 1}

        segunda = servico.reprocessar(raw_log_ids=[trocada.id, boa.id])
        assert {d.id: d.sucesso for d in segunda.documentos} == {trocada.id: False, boa.id: True}
        assert segunda.inseridos == 1
        assert partes_armazenadas_ok(cenario)
        [captura_id] = segunda.captura_ids
        resumo = HistoricoService(e2e.factory).get(captura_id)
        assert resumo.totais["inseridos"] == 1
        assert segunda.total_erros == 1
    finally:
        desfazer()
        recovery.remover([corrompida, meia, sem_regra])


@pytest.fixture
def cli_env(cenario: Cenario, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process settings pointed at the scenario's database, key and files (reset before and after)."""
    monkeypatch.setenv("SINESYS_DATABASE_URL", cenario.e2e.database_url)
    monkeypatch.setenv("SINESYS_VAR_DIR", str(cenario.e2e.workdir / "var"))  # where the crawls kept the PDFs
    monkeypatch.setenv("SINESYS_SECRET_KEY", cenario.e2e.secret_key)
    reset_settings()
    dispose_engines()
    yield
    reset_settings()
    dispose_engines()


@pytest.mark.usefixtures("cli_env")
def test_cli_lists_analyses_and_reprocesses(cenario: Cenario) -> None:
    """`sinesys recovery list|analisar|reprocessar`: JSON out, a gap found and restored, bad input one line, exit 2."""
    e2e = cenario.e2e
    runner = CliRunner()

    def sinesys(*args: str) -> Any:
        return runner.invoke(main, ["recovery", *args], catch_exceptions=False)

    lista = sinesys("list", "--captura", str(cenario.capturas["audiencias"]), "--estatisticas", "--json")
    assert lista.exit_code == 0, lista.output
    data = json.loads(lista.output)
    assert data["total"] == len(data["itens"]) >= 1
    assert data["estatisticas"]["porTrt"] == {"TRT3": data["total"]}
    with e2e.factory.begin() as session:
        aud = session.scalars(select(Audiencia).order_by(Audiencia.id.desc())).first()
        session.delete(aud)
    analise = sinesys("analisar", "--captura", str(cenario.capturas["audiencias"]), "--json")
    assert analise.exit_code == 0, analise.output
    assert json.loads(analise.output)["gaps"] == {"audiencia": 1}
    texto = sinesys("reprocessar", "--captura", str(cenario.capturas["audiencias"]), "--tipos", "audiencia")
    assert texto.exit_code == 0, texto.output
    assert "inseridos=1" in texto.output
    assert sem_escrita(db_registros(e2e.factory)) == cenario.registros

    ruim = sinesys("reprocessar", "--captura", "1", "--tipos", "parte,nada")
    assert ruim.exit_code == 2
    assert "nada" in ruim.output
    ambos = sinesys("analisar", "--captura", "1", "--raw-log", "x")
    assert ambos.exit_code == 2
    desconhecida = sinesys("analisar", "--captura", "999999")
    assert desconhecida.exit_code == 2
    assert NaoEncontrado.code in desconhecida.output

    timeline = sinesys("analisar", "--captura", str(cenario.capturas["timeline"]), "--json")
    assert timeline.exit_code == 0, timeline.output
    dados = json.loads(timeline.output)
    assert dados["gaps"] == {}
    assert dados["totalDocumentos"] == len(cenario.truth_timeline)
    itens = sum(len(c["itens"]) for c in cenario.truth_timeline)
    assert dados["totais"]["timeline_item"] == {"esperados": itens, "persistidos": itens}
    assert dados["totais"]["documento"]["esperados"] == sum(len(c["documentos_baixaveis"]) for c in
                                                            cenario.truth_timeline)  # fmt: skip
    so_docs = sinesys("reprocessar", "--captura", str(cenario.capturas["timeline"]), "--tipos", "documento,timeline")
    assert so_docs.exit_code == 0, so_docs.output
    assert "inseridos=0 atualizados=0" in so_docs.output


def test_the_capture_rule_classifies_and_a_wrong_classification_is_a_gap(recovery: Recovery, cenario: Cenario) -> None:
    """Clients, opposing parties and third parties as the capture's rule says; a link stored otherwise is a gap."""
    servico, e2e = recovery.servico, cenario.e2e
    analise = servico.analisar_captura(cenario.capturas["partes"])
    classificacao: dict[str, int] = {}
    for doc in analise.documentos:
        for chave, n in doc.classificacao.items():
            classificacao[chave] = classificacao.get(chave, 0) + n
    esperado: dict[str, int] = {}
    for caso in cenario.truth:
        for parte in caso["partes"]:
            esperado[parte["classificacao"]] = esperado.get(parte["classificacao"], 0) + 1
    assert classificacao == esperado
    assert esperado.get("cliente")
    assert esperado.get("parte_contraria")

    with e2e.factory.begin() as session:
        alvo = session.scalars(
            select(ProcessoParte).order_by(ProcessoParte.classificacao.desc(), ProcessoParte.id)
        ).first()
        certa = alvo.classificacao
        alvo.classificacao = "cliente" if certa != "cliente" else "terceiro"
        id_pessoa = session.get(Parte, alvo.parte_id).id_pessoa_externo
    [gap] = [
        e for d in servico.analisar_captura(cenario.capturas["partes"]).documentos for e in d.gaps.get("vinculo", [])
    ]
    assert gap.identificador == pessoa(id_pessoa)
    assert gap.erro is not None
    assert certa in gap.erro

    resultado = servico.reprocessar(captura_log_id=cenario.capturas["partes"], tipos=["vinculo"])
    assert resultado.sucesso
    assert resultado.atualizados >= 1
    assert partes_armazenadas_ok(cenario)


def test_timeline_gaps_are_reported_exactly_and_restored_without_the_tribunal(
    recovery: Recovery, cenario: Cenario, pje_sandbox: SandboxClient
) -> None:
    """Deleted timeline items, document rows and a whole timeline reported exactly and restored from the raw log and
    the PDFs kept; a PDF gone from storage is reported (only the tribunal has it); a corrupt page is reported and the
    rest restored; the tribunal is never called; a second run writes nothing."""
    servico, e2e, store = recovery.servico, cenario.e2e, recovery.store
    captura = cenario.capturas["timeline"]
    antes = timelines_armazenadas(e2e, cenario.pasta)
    pedidos = pje_sandbox.counters()["requests"]
    esperado, caminho = apagar_timelines(e2e, cenario.truth_timeline)
    pdf = cenario.pasta.root / caminho
    conteudo = pdf.read_bytes()
    pdf.unlink()  # this document's row and PDF are both gone: the tribunal alone has it now
    [sem_pdf] = [g for g in esperado if g[0] == "documento" and g[1].endswith(f":{caminho.split('/')[-1][:-4]}")]
    try:
        assert gaps_das_capturas(servico, {"timeline": captura}) == esperado
        analise = servico.analisar_captura(captura)
        documentos = [e for d in analise.documentos for e in d.gaps.get("documento", [])]
        [binario] = [e for e in documentos if e.identificador == sem_pdf[1]]
        assert binario.erro is not None
        assert binario.erro.startswith(BINARIO_AUSENTE)
        assert all(e.erro is None for e in documentos if e != binario)
        totais = analise.totais
        assert totais["timeline_item"].esperados == sum(len(c["itens"]) for c in cenario.truth_timeline)
        assert totais["timeline_item"].faltantes == 3
        assert totais["documento"].esperados == sum(len(c["documentos_baixaveis"]) for c in cenario.truth_timeline)
        assert totais["documento"].faltantes == 2
        assert totais["timeline"].faltantes == 1

        paginas = [i.id for i in servico.listar(FiltroRecovery(captura_log_id=captura), limite=1000)[0]]
        modelo = store.get(paginas[0])
        corrompida = store.append(PaginaBruta(
            tipo_captura=TipoCaptura.TIMELINE, advogado_id=modelo.advogado_id, credencial_id=modelo.credencial_id,
            tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, requisicao=modelo.requisicao or {},
            payload_bruto={"timeline": "não é uma lista"},
        ))  # fmt: skip
        so_itens = servico.reprocessar(raw_log_ids=[corrompida, *paginas], tipos=["timeline_item"])
        assert {d.id for d in so_itens.documentos if not d.sucesso} == {corrompida}
        assert so_itens.inseridos == 3
        assert gaps_das_capturas(servico, {"timeline": captura}) == {g for g in esperado if g[0] != "timeline_item"}

        tudo = servico.reprocessar(raw_log_ids=[corrompida, *paginas])
        erros = {d.id: d.erro for d in tudo.documentos if not d.sucesso}
        assert erros.pop(corrompida).startswith(PayloadInvalido.code)
        [motivo] = erros.values()
        assert BINARIO_AUSENTE in motivo
        assert tudo.inseridos == 2  # the document whose PDF is kept, and the whole timeline
        assert gaps_das_capturas(servico, {"timeline": captura}) == {sem_pdf}
        [captura_id] = tudo.captura_ids
        resumo = HistoricoService(e2e.factory).get(captura_id)
        assert (resumo.tipo_captura, resumo.parametros["origem"]) == ("timeline", "recovery")
        assert resumo.totais["inseridos"] == 2
    finally:
        pdf.write_bytes(conteudo)  # as a new timeline capture would download it again
        if "corrompida" in locals():
            recovery.remover([corrompida])

    ultimo = servico.reprocessar(captura_log_id=captura)
    assert ultimo.sucesso, [d.erro for d in ultimo.documentos if d.erro]
    assert ultimo.inseridos == 1
    assert gaps_das_capturas(servico, {"timeline": captura}) == set()
    depois = timelines_armazenadas(e2e, cenario.pasta)
    assert timelines_iguais_a_verdade(depois, cenario.truth_timeline)
    assert depois == antes
    assert pje_sandbox.counters()["requests"] == pedidos

    segunda = servico.reprocessar(captura_log_id=captura)
    assert segunda.sucesso
    assert segunda.inseridos == segunda.atualizados == segunda.total_elementos == 0
    forcado = servico.reprocessar(captura_log_id=captura, forcar=True)
    assert forcado.sucesso
    assert forcado.inseridos == 0
    assert timelines_armazenadas(e2e, cenario.pasta) == antes
