"""Recovery against real captures: gaps found exactly, re-persisted from the raw log, the tribunal never called.

One module-wide scenario per database (SQLite, PostgreSQL): a sandbox user's ``acervo_geral``, ``arquivados``,
``pendentes``, ``audiencias`` and ``partes`` captured by real ``scrapy crawl`` runs. Each test then runs on both
raw-log back ends: the SQL table the crawls wrote, and a MongoDB collection (mongomock) holding the same entries.
Each test deletes rows, checks what recovery reports, re-persists, and leaves the database equal to the sandbox's truth.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import mongomock
import pytest
from click.testing import CliRunner
from processo_e2e import ProcessoE2E, enderecos_esperados, partes_esperadas
from sqlalchemy import delete, select, update

from sinesys_spiders.cli import main
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.db.engine import dispose_engines
from sinesys_spiders.core.db.models import (
    Audiencia,
    CapturaLogBruto,
    Endereco,
    Expediente,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import ChaveInvalida, NaoEncontrado, RespostaInvalida
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import FiltroRawLog, RawLogStore
from sinesys_spiders.core.rawlog.mongo import MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.recovery import FiltroRecovery, PayloadInvalido, RecoveryService, SemRegraRecovery
from sinesys_spiders.testing.registros import db_registros
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

TABELAS = (Processo, Expediente, Audiencia, Parte, Representante, Endereco, ProcessoParte, ProcessoParteRepresentante)
#: Columns that say when and by which run a row was written (a recovered row has new ones).
ESCRITA = {"id", "created_at", "updated_at", "ultima_captura_id", "partes_capturadas_em", "processo_id"}

Gap = tuple[str, str, str | None]


@dataclasses.dataclass
class Cenario:
    e2e: ProcessoE2E
    capturas: dict[str, int]
    registros: dict[str, dict[Any, dict[str, Any]]]
    truth: list[dict[str, Any]]


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
    ):
        _, resumo = e2e.crawl(spider, *args)
        assert resumo is not None, spider
        assert resumo.status == "completed", spider
        capturas[spider] = resumo.id
    cenario = Cenario(e2e, capturas, _sem_escrita(db_registros(e2e.factory)), e2e.truth("partes")["partes"])
    assert cenario.registros["expedientes"]
    assert cenario.registros["audiencias"]
    assert partes_armazenadas_ok(cenario)
    yield cenario
    e2e.close()


def _sem_escrita(registros: dict[str, dict[Any, dict[str, Any]]]) -> dict[str, dict[Any, dict[str, Any]]]:
    return {t: {k: {c: v for c, v in row.items() if c not in ESCRITA} for k, row in rows.items()}
            for t, rows in registros.items()}  # fmt: skip


def _sem_ordem(partes: dict[int, list[dict[str, Any]]]) -> dict[int, list[str]]:
    """Parties per case as a sorted list (rows written again come later in id order: order is not data)."""
    out = {}
    for caso, lista in partes.items():
        linhas = []
        for parte in lista:
            reps = sorted(json.dumps(r, sort_keys=True, default=str) for r in parte["representantes"])
            linhas.append(json.dumps({**parte, "representantes": reps}, sort_keys=True, default=str))
        out[caso] = sorted(linhas)
    return out


def partes_armazenadas_ok(cenario: Cenario) -> bool:
    """The stored parties, lawyers, links and addresses equal the sandbox's truth."""
    e2e = cenario.e2e
    partes = _sem_ordem(e2e.partes_armazenadas()) == _sem_ordem(partes_esperadas(cenario.truth))
    return partes and e2e.enderecos_armazenados() == enderecos_esperados(cenario.truth)


def _copiar_para_mongo(sql: SqlRawLogStore, mongo: MongoRawLogStore) -> None:
    for r in sql.list(FiltroRawLog(), limit=100_000):
        mongo.append(PaginaBruta(
            raw_log_id=r.raw_log_id, captura_id=r.captura_log_id, tipo_captura=TipoCaptura(r.tipo_captura),
            advogado_id=r.advogado_id, credencial_id=r.credencial_id, tribunal=Tribunal(r.tribunal),
            grau=Grau(r.grau), status=r.status, requisicao=r.requisicao or {}, payload_bruto=r.payload_bruto,
            erro=r.erro, criado_em=r.criado_em,
        ))  # fmt: skip
        if r.processado:
            mongo.mark_processed(r.raw_log_id, r.resultado_processado)


@dataclasses.dataclass
class Recovery:
    servico: RecoveryService
    store: RawLogStore
    backend: str
    #: Replace one entry's sealed payload by another entry's (it no longer decrypts); returns the undo.
    trocar_blob: Callable[[str, str], Callable[[], None]]
    #: Remove entries a test appended.
    remover: Callable[[list[str]], None]


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
        _copiar_para_mongo(sql, store)

        def trocar(alvo: str, origem: str) -> Callable[[], None]:
            blob = collection.find_one({"raw_log_id": origem})["payload_cifrado"]
            antes = collection.find_one({"raw_log_id": alvo})["payload_cifrado"]
            collection.update_one({"raw_log_id": alvo}, {"$set": {"payload_cifrado": blob}})
            return lambda: collection.update_one({"raw_log_id": alvo}, {"$set": {"payload_cifrado": antes}})

        def remover(ids: list[str]) -> None:
            collection.delete_many({"raw_log_id": {"$in": ids}})

    servico = RecoveryService(e2e.factory, store)
    yield Recovery(servico, store, request.param, trocar, remover)
    servico.close()


def _pessoa(id_pessoa_pje: int | None) -> str:
    return f"pessoa_pje:{id_pessoa_pje}"


def _apagar(cenario: Cenario) -> set[Gap]:
    """Delete a known subset of stored rows; the gaps recovery must report, as (tipo, identificador, processo).

    What each deletion leaves missing is read from the sandbox's truth (every appearance of a person in every case).
    """
    e2e, truth = cenario.e2e, cenario.truth
    esperado: set[Gap] = set()

    def aparicoes() -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
        for caso in truth:
            for parte in caso["partes"]:
                yield caso["numero_processo"], parte, None
                for rep in parte["representantes"]:
                    yield caso["numero_processo"], parte, rep

    def vinculos_do_caso(numero: str) -> None:
        for caso, parte, rep in aparicoes():
            if caso == numero and rep is None:
                esperado.add(("vinculo", _pessoa(parte["id_pessoa"]), caso))
            elif caso == numero:
                esperado.add(("vinculo_representante", f"{_pessoa(parte['id_pessoa'])}>{_pessoa(rep['id_pessoa'])}",
                              caso))  # fmt: skip

    with e2e.factory.begin() as session:
        numero = dict(session.execute(select(Processo.id, Processo.numero_processo)).all())
        pps = session.scalars(select(ProcessoParte).order_by(ProcessoParte.id)).all()
        links = session.execute(select(ProcessoParteRepresentante.processo_parte_id,
                                       ProcessoParteRepresentante.representante_id)).all()  # fmt: skip
        partes = {p.id: p for p in session.scalars(select(Parte))}
        reps = {r.id: r for r in session.scalars(select(Representante))}
        com_lista = set(session.scalars(select(Expediente.processo_id))) | set(
            session.scalars(select(Audiencia.processo_id))
        )
        # 1. a case without expedientes or hearings: the case, and (by cascade) its party and lawyer links
        caso = next(pid for pid in sorted(numero) if pid not in com_lista and any(pp.processo_id == pid for pp in pps))
        esperado.add(("processo", f"id_pje:{session.get(Processo, caso).id_pje}", None))
        vinculos_do_caso(numero[caso])
        # 2. a party with an address, in another case: wherever it appears, the party, its address, its links
        pa = next(pp for pp in pps if pp.processo_id != caso and partes[pp.parte_id].id_pessoa_pje
                  and session.scalar(select(Endereco.id).where(Endereco.entidade_tipo == "parte",
                                                               Endereco.entidade_id == pp.parte_id)))  # fmt: skip
        parte_a = partes[pa.parte_id]
        for caso_n, parte, rep in aparicoes():
            if parte["id_pessoa"] != parte_a.id_pessoa_pje:
                continue
            if rep is None:
                esperado.add(("parte", _pessoa(parte["id_pessoa"]), caso_n))
                esperado.add(("vinculo", _pessoa(parte["id_pessoa"]), caso_n))
                if parte["endereco"]:
                    esperado.add(("endereco", f"endereco_pje:{parte['endereco']['id_pje']}", caso_n))
            else:
                esperado.add(("vinculo_representante", f"{_pessoa(parte['id_pessoa'])}>{_pessoa(rep['id_pessoa'])}",
                              caso_n))  # fmt: skip
        # 3. the lawyer with the fewest links (not only of that party): the lawyer, its addresses, its links
        por_rep: dict[int, list[int]] = {}
        for pp_id, rep_id in links:
            por_rep.setdefault(rep_id, []).append(pp_id)
        rep_id = min((r for r in por_rep if reps[r].id_pessoa_pje and set(por_rep[r]) - {pa.id}),
                     key=lambda r: (len(por_rep[r]), r))  # fmt: skip
        id_rep = reps[rep_id].id_pessoa_pje
        for caso_n, parte, rep in aparicoes():
            if rep is not None and rep["id_pessoa"] == id_rep:
                esperado.add(("representante", _pessoa(id_rep), caso_n))
                esperado.add(("vinculo_representante", f"{_pessoa(parte['id_pessoa'])}>{_pessoa(id_rep)}", caso_n))
                if rep["endereco"]:
                    esperado.add(("endereco", f"endereco_pje:{rep['endereco']['id_pje']}", caso_n))
        # 4. a link of another party (its lawyer links go with it), and 5. one lawyer link elsewhere
        pb = next(pp for pp in pps if pp.processo_id != caso and pp.parte_id != parte_a.id
                  and any(pp_id == pp.id and r != rep_id for pp_id, r in links))  # fmt: skip
        ident_b = _pessoa(partes[pb.parte_id].id_pessoa_pje)
        esperado.add(("vinculo", ident_b, numero[pb.processo_id]))
        for pp_id, r in links:
            if pp_id == pb.id:
                esperado.add(("vinculo_representante", f"{ident_b}>{_pessoa(reps[r].id_pessoa_pje)}",
                              numero[pb.processo_id]))  # fmt: skip
        by_id = {pp.id: pp for pp in pps}
        pk_id, rk_id = next((pp_id, r) for pp_id, r in links if r != rep_id and pp_id != pb.id
                            and by_id[pp_id].processo_id != caso and by_id[pp_id].parte_id != parte_a.id)  # fmt: skip
        pk = by_id[pk_id]
        esperado.add(("vinculo_representante", f"{_pessoa(partes[pk.parte_id].id_pessoa_pje)}>"
                      f"{_pessoa(reps[rk_id].id_pessoa_pje)}", numero[pk.processo_id]))  # fmt: skip
        # 6. an expediente and 7. a hearing
        exp = session.scalars(select(Expediente).order_by(Expediente.id)).first()
        esperado.add(("expediente", f"id_pje:{exp.id_pje}/id_documento:{exp.id_documento}", None))
        aud = session.scalars(select(Audiencia).order_by(Audiencia.id)).first()
        esperado.add(("audiencia", f"id_pje:{aud.id_pje}", None))

        session.execute(delete(Processo).where(Processo.id == caso))
        session.execute(delete(Endereco).where(Endereco.entidade_tipo == "parte", Endereco.entidade_id == parte_a.id))
        session.execute(delete(Parte).where(Parte.id == parte_a.id))
        session.execute(delete(Endereco).where(Endereco.entidade_tipo == "representante",
                                               Endereco.entidade_id == rep_id))  # fmt: skip
        session.execute(delete(Representante).where(Representante.id == rep_id))
        session.execute(delete(ProcessoParte).where(ProcessoParte.id == pb.id))
        session.execute(delete(ProcessoParteRepresentante).where(
            ProcessoParteRepresentante.processo_parte_id == pk_id, ProcessoParteRepresentante.representante_id == rk_id
        ))  # fmt: skip
        session.delete(exp)
        session.delete(aud)
    return esperado


def _gaps(servico: RecoveryService, capturas: dict[str, int]) -> set[Gap]:
    out: set[Gap] = set()
    for captura_id in capturas.values():
        analise = servico.analisar_captura(captura_id)
        assert analise.documentos_com_erro == 0, [a.erro for a in analise.documentos if a.erro]
        for doc in analise.documentos:
            for tipo, elementos in doc.gaps.items():
                for e in elementos:
                    out.add((tipo, e.identificador, e.contexto.get("numero_processo") if tipo not in (
                        "processo", "expediente", "audiencia") else None))  # fmt: skip
    return out


def _contagens(cenario: Cenario) -> dict[str, int]:
    return cenario.e2e.contagens(*TABELAS)


def test_list_filters_and_statistics(recovery: Recovery, cenario: Cenario) -> None:
    """The raw log listed by capture, type, tribunal and day, with counts per status, tribunal and type, no gaps."""
    servico, capturas = recovery.servico, cenario.capturas
    itens, total = servico.listar(FiltroRecovery(captura_log_id=capturas["partes"]), limite=1000)
    assert total == len(cenario.truth) == len(itens)
    assert {i.numero_processo for i in itens} == {c["numero_processo"] for c in cenario.truth}
    assert all(i.tipo_captura == "partes" and i.processado and i.payload_disponivel for i in itens)
    pagina, total_todas = servico.listar(pagina=2, limite=2)
    assert len(pagina) == 2
    assert total_todas > total
    assert servico.listar(FiltroRecovery(trt="TRT5"))[1] == 0
    hoje = itens[0].criado_em.date()
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
    contagens = _contagens(cenario)
    pedidos = pje_sandbox.counters()["requests"]
    esperado = _apagar(cenario)
    assert _gaps(servico, capturas) == esperado
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

    assert _gaps(servico, capturas) == set()
    assert _contagens(cenario) == contagens
    assert partes_armazenadas_ok(cenario)
    assert _sem_escrita(db_registros(e2e.factory)) == cenario.registros
    assert pje_sandbox.counters()["requests"] == pedidos

    for captura_id in capturas.values():
        segunda = servico.reprocessar(captura_log_id=captura_id)
        assert segunda.sucesso
        assert segunda.inseridos == segunda.atualizados == segunda.total_elementos == 0
    assert _contagens(cenario) == contagens


def _quebrar_ultima_parte(payload: Any) -> Any:
    """The same answer with its last party stripped of CPF, CNPJ and PJE person id (the upsert refuses it)."""
    copia = json.loads(json.dumps(payload))
    lista = (
        copia if isinstance(copia, list) else next(copia[p] for p in ("TERCEIROS", "PASSIVO", "ATIVO") if copia.get(p))
    )
    for key in ("documento", "cpf", "pessoaFisica", "pessoaJuridica", "idPessoa", "tipoDocumento"):
        lista[-1].pop(key, None)
    lista[-1]["tipoPessoa"] = "F"
    return copia


def test_bad_pages_are_reported_and_the_others_recovered(recovery: Recovery, cenario: Cenario) -> None:
    """Unknown id, undecryptable page, corrupt payload, failing write, type without rule: each its reason, rest done."""
    servico, e2e, store = recovery.servico, cenario.e2e, recovery.store
    itens, _ = servico.listar(FiltroRecovery(captura_log_id=cenario.capturas["partes"]), limite=100)
    com_partes = [i for i in itens if len(store.get(i.id).payload_bruto or {}) > 0]
    boa, trocada = com_partes[0], com_partes[1]
    registro = store.get(boa.id)
    parte_a = next(e for e in servico.elementos(boa.id) if e.tipo == "endereco" and e.contexto["entidade"] == "parte")
    with e2e.factory.begin() as session:
        endereco = session.scalars(select(Endereco).where(Endereco.id_pje == int(parte_a.identificador.split(":")[1]),
                                                          Endereco.entidade_tipo == "parte")).first()  # fmt: skip
        session.delete(endereco)
    contagens = _contagens(cenario)

    def pagina(tipo: TipoCaptura, payload: Any) -> str:
        return store.append(PaginaBruta(tipo_captura=tipo, advogado_id=registro.advogado_id,
                                        credencial_id=registro.credencial_id, tribunal=Tribunal.TRT3,
                                        grau=Grau.PRIMEIRO_GRAU, requisicao=registro.requisicao or {},
                                        payload_bruto=payload))  # fmt: skip

    corrompida = pagina(TipoCaptura.PARTES, {"ATIVO": "não é uma lista"})
    meia = pagina(TipoCaptura.PARTES, _quebrar_ultima_parte(registro.payload_bruto))
    sem_regra = pagina(TipoCaptura.TIMELINE, [])
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
        assert _contagens(cenario) == contagens  # the failing write left nothing behind
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
    """The process settings pointed at the scenario's database and key (reset before and after)."""
    monkeypatch.setenv("SINESYS_DATABASE_URL", cenario.e2e.database_url)
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
    assert _sem_escrita(db_registros(e2e.factory)) == cenario.registros

    ruim = sinesys("reprocessar", "--captura", "1", "--tipos", "parte,nada")
    assert ruim.exit_code == 2
    assert "nada" in ruim.output
    ambos = sinesys("analisar", "--captura", "1", "--raw-log", "x")
    assert ambos.exit_code == 2
    desconhecida = sinesys("analisar", "--captura", "999999")
    assert desconhecida.exit_code == 2
    assert NaoEncontrado.code in desconhecida.output


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
        pessoa = session.get(Parte, alvo.parte_id).id_pessoa_pje
    [gap] = [
        e for d in servico.analisar_captura(cenario.capturas["partes"]).documentos for e in d.gaps.get("vinculo", [])
    ]
    assert gap.identificador == _pessoa(pessoa)
    assert gap.erro is not None
    assert certa in gap.erro

    resultado = servico.reprocessar(captura_log_id=cenario.capturas["partes"], tipos=["vinculo"])
    assert resultado.sucesso
    assert resultado.atualizados >= 1
    assert partes_armazenadas_ok(cenario)
