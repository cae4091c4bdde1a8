"""`scrapy crawl partes` against the sandbox: every party, lawyer, address and link as the ground truth says.

Each test has its own PostgreSQL database (an end-to-end crawl runs once, on PostgreSQL) holding a sandbox
user's lawyer, credential, acervo (from the ground truth) and a stored session; the crawls are real Scrapy processes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processo_e2e import ProcessoE2E, enderecos_esperados, partes_esperadas
from sqlalchemy import func, select

from sinesys_spiders.core.db.models import (
    CapturaLogBruto,
    Endereco,
    Lock,
    Parte,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.db.repositories.locks import LocksRepository
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.slow, pytest.mark.e2e, on_postgresql]

TABELAS = (Parte, Representante, Endereco, ProcessoParte, ProcessoParteRepresentante)


@pytest.fixture
def e2e(pje_sandbox: SandboxClient, database_url: str, tmp_path: Path) -> Iterator[ProcessoE2E]:
    """A user with at least three cases at TRT3 1º grau, its acervo stored and a session ready."""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
        if len(truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]) >= 3:
            break
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    yield e2e
    e2e.close()


def _contagem_esperada(truth: list[dict]) -> dict[str, int]:
    partes = [p for caso in truth for p in caso["partes"]]
    return {
        "total_processos": len(truth),
        "processos_capturados": len(truth),
        "total_partes": len(partes),
        "clientes": sum(p["classificacao"] == "cliente" for p in partes),
        "partes_contrarias": sum(p["classificacao"] == "parte_contraria" for p in partes),
        "terceiros": sum(p["classificacao"] == "terceiro" for p in partes),
        "representantes": sum(len(p["representantes"]) for p in partes),
        "vinculos": len(partes),
        "bloqueados": 0,
        "erros": 0,
    }


def test_partes_equal_the_ground_truth_and_a_second_run_changes_nothing(e2e: ProcessoE2E) -> None:
    """Parties, classification, lawyers with OABs, addresses and links exact; the counts recorded; rerun idempotent."""
    acervo = e2e.store_acervo()
    truth = e2e.truth("partes")["partes"]
    assert {c["id_processo"] for c in truth} == set(acervo)

    _, resumo = e2e.crawl("partes")
    assert resumo is not None
    assert resumo.status == "completed"
    assert e2e.partes_armazenadas() == partes_esperadas(truth)
    assert e2e.enderecos_armazenados() == enderecos_esperados(truth)
    resultado = e2e.resultado(resumo)["resultado"]
    esperado = _contagem_esperada(truth)
    assert {k: resultado[k] for k in esperado} == esperado
    assert resultado["clientes"] > 0
    assert resultado["partes_contrarias"] > 0
    assert resultado["duracao_ms"] > 0
    with e2e.factory() as session:
        brutos = session.scalar(
            select(func.count()).select_from(CapturaLogBruto).where(CapturaLogBruto.tipo_captura == "partes")
        )
    assert brutos == len(truth)
    antes = e2e.contagens(*TABELAS)

    _, segunda = e2e.crawl("partes", "horas_para_recaptura=0")
    assert segunda is not None
    assert e2e.partes_armazenadas() == partes_esperadas(truth)
    assert e2e.contagens(*TABELAS) == antes
    resultado = e2e.resultado(segunda)["resultado"]
    assert {k: resultado[k] for k in esperado} == esperado
    assert resultado["inseridos"] == 0
    assert resultado["atualizados"] == 0

    _, terceira = e2e.crawl("partes")  # everything captured less than 24 h ago
    assert terceira is not None
    assert all(e.get("resultado", {}).get("total_processos", 0) == 0 for e in terceira.resultados)


def test_a_case_held_by_another_run_is_skipped_and_an_expired_lock_taken_over(e2e: ProcessoE2E) -> None:
    """A live lock on a case: skipped and listed; an expired one: the case captured and the lock freed."""
    acervo = e2e.store_acervo()
    ocupado, expirado, *_ = sorted(acervo.values())
    locks = SqlLockBackend(e2e.factory)
    lease = locks.try_acquire(f"captura:processo:{ocupado}", ttl=600)
    assert lease is not None
    with e2e.factory.begin() as session:
        passado = utcnow() - dt.timedelta(hours=1)
        assert LocksRepository(session).acquire(key=f"captura:processo:{expirado}", owner="outro", ttl=60, now=passado)

    _, resumo = e2e.crawl("partes", f"processos={ocupado},{expirado}")
    assert resumo is not None
    resultado = e2e.resultado(resumo)["resultado"]
    assert resultado["bloqueados"] == 1
    assert resultado["processos_bloqueados"] == [ocupado]
    assert resultado["processos_capturados"] == 1
    assert resultado["total_processos"] == 2
    with e2e.factory() as session:
        capturados = set(session.scalars(select(ProcessoParte.processo_id)))
        chaves = set(session.scalars(select(Lock.key)))
    id_externo = {v: k for k, v in acervo.items()}
    truth = {c["id_processo"]: c for c in e2e.truth("partes")["partes"]}
    assert ocupado not in capturados
    assert (expirado in capturados) == bool(truth[id_externo[expirado]]["partes"])
    assert chaves == {f"captura:processo:{ocupado}"}  # ours, untouched; the taken-over one released
    assert locks.release(lease)


def test_partes_are_exact_despite_5xx_and_429_answers(e2e: ProcessoE2E) -> None:
    """The tribunal fails now and then (5xx, 429 with Retry-After): retried with backoff, nothing lost or doubled."""
    e2e.store_acervo()
    truth = e2e.truth("partes")["partes"]
    profile = {"name": "partes-flaky", "seed": 3, "error_rates": {"500": 0.15, "503": 0.1}, "rate_limit": 0.1,
               "retry_after": 1}  # fmt: skip
    with e2e.sandbox.faults_applied(profile) as described:
        result, resumo = e2e.crawl("partes", settings={"SINESYS_RETRY_BASE_DELAY": 0.05})
        injected = e2e.sandbox.faults()["injected"]
    assert described["profile"]["name"] == "partes-flaky"
    assert sum(injected.values()) > 0
    assert "retry" in result.stderr.lower()
    assert resumo is not None
    assert resumo.status == "completed"
    assert e2e.partes_armazenadas() == partes_esperadas(truth)
    resultado = e2e.resultado(resumo)["resultado"]
    assert resultado["erros"] == 0
    assert resultado["processos_capturados"] == len(truth)


def test_the_lock_is_extended_while_a_slow_case_runs(e2e: ProcessoE2E) -> None:
    """A case slower than the lock's TTL keeps its lock alive (extended meanwhile) and releases it at the end."""
    acervo = e2e.store_acervo()
    processo_id = sorted(acervo.values())[0]
    key = f"captura:processo:{processo_id}"
    seen: list[dt.datetime] = []
    lapsed: list[dt.datetime] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            with e2e.factory() as session:
                row = LocksRepository(session).get(key=key)
                now = utcnow()
                if row is not None:
                    seen.append(now)
                    if row.expires_at < now - dt.timedelta(milliseconds=100):
                        lapsed.append(now)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    slow = {"name": "lento", "latency": {"distribution": "fixed", "ms": 4000}}
    with e2e.sandbox.faults_applied(slow):
        watcher.start()
        try:
            result, resumo = e2e.crawl(
                "partes", f"processos={processo_id}", settings={"SINESYS_PROCESSO_LOCK_TTL": 1.5}
            )
        finally:
            done.set()
            watcher.join()
    assert resumo is not None
    assert e2e.resultado(resumo)["resultado"]["processos_capturados"] == 1
    assert seen, "the case's lock was held during the crawl"
    assert max(seen) - min(seen) > dt.timedelta(seconds=3)
    assert lapsed == []
    assert "expirou antes do fim" not in result.stderr
    with e2e.factory() as session:
        assert session.scalar(select(func.count()).select_from(Lock)) == 0


def test_a_tribunal_answering_a_plain_array_gives_the_same_exact_parties(
    pje_sandbox: SandboxClient, database_url: str, tmp_path: Path
) -> None:
    """TRT2 answers ``/partes`` as one array: parties, links and classification still equal the ground truth."""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        truth = pje_sandbox.truth(tribunal="TRT2", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
        casos = truth["tribunais"]["TRT2"]["primeiro_grau"][user.cpf]["partes"]
        if sum(1 for c in casos if c["partes"]) >= 2:
            break
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT2")
    try:
        e2e.store_acervo()
        result, resumo = e2e.crawl("partes", "processos=999999")
        assert resumo is not None
        assert "999999" in result.stderr  # asked for, but in no acervo of the credential: said so
        _, resumo = e2e.crawl("partes")
        assert resumo is not None
        assert e2e.partes_armazenadas() == partes_esperadas(casos)
        assert e2e.resultado(resumo)["resultado"]["total_processos"] == len(casos)
    finally:
        e2e.close()


@pytest.mark.e2e
def test_the_partes_feed_equals_what_was_stored(e2e: ProcessoE2E) -> None:
    """Every case once in the feed, with exactly the parties, polos and types stored for it."""
    acervo = e2e.store_acervo()
    registros = e2e.crawl_feed("partes")

    armazenadas = e2e.partes_armazenadas()
    assert registros
    assert sorted(r["processo_id"] for r in registros) == sorted(acervo.values())
    for registro in registros:
        no_feed = sorted((p["id_externo"], p["nome"], p["polo"], p["tipo_parte"]) for p in registro["partes"])
        guardado = sorted((p["id_externo"], p["nome"], p["polo"], p["tipo"])
                          for p in armazenadas.get(registro["id_processo_externo"], []))  # fmt: skip
        assert no_feed == guardado
        reps_feed = sorted(r["nome"] for p in registro["partes"] for r in p["representantes"])
        reps_guardados = sorted(r["nome"] for p in armazenadas.get(registro["id_processo_externo"], [])
                                for r in p["representantes"])  # fmt: skip
        assert reps_feed == reps_guardados
