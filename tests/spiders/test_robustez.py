"""An answer the parsers do not expect never escapes as a traceback: it is a case's error or a credential's failure.

Real ``scrapy crawl`` runs against the sandbox (SQLite and PostgreSQL); a test downloader middleware
(:mod:`resposta_malformada`) spoils one answer on its way to the spider, as a tribunal's odd answer would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import resposta_malformada as rm
from processo_e2e import ProcessoE2E
from sqlalchemy import func, select

from sinesys_spiders import settings as projeto
from sinesys_spiders.core.db.models import Processo, ProcessoParte
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.registros import casos_nomeados
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.slow, pytest.mark.e2e, on_postgresql]

_MIDDLEWARES = {**projeto.DOWNLOADER_MIDDLEWARES, rm.CAMINHO: rm.ORDEM}


@pytest.fixture
def e2e(pje_sandbox: SandboxClient, database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[ProcessoE2E]:  # fmt: skip
    """A user with two or more cases with parties at TRT3 1º grau, a session stored, the test middleware importable."""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
        casos = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]
        if sum(bool(c["partes"]) for c in casos) >= 2:
            break
    monkeypatch.setenv("PYTHONPATH", str(Path(rm.__file__).parent))
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    yield e2e
    e2e.close()


def test_a_malformed_party_field_is_that_cases_error_naming_the_field_not_the_value(
    e2e: ProcessoE2E, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A party's address with a bad dtAlteracao: that case's error names the field; the other cases are stored."""
    acervo = e2e.store_acervo()
    truth = e2e.truth("partes")["partes"]
    estragado = next(c for c in truth if c["partes"])
    monkeypatch.setenv(rm.ENV, f"partes:{estragado['id_processo']}")

    result, resumo = e2e.crawl("partes", settings={"DOWNLOADER_MIDDLEWARES": _MIDDLEWARES})

    assert resumo is not None
    assert resumo.status == "completed"
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert rm.VALOR_INVALIDO not in output
    entry = e2e.resultado(resumo)
    assert "erro" not in entry
    assert entry["resultado"]["erros"] == 1
    [erro] = entry["erros_itens"]
    assert erro["processo_id"] == acervo[estragado["id_processo"]]
    assert erro["motivo"].startswith("RESPOSTA_INVALIDA: partes: ")
    assert "alterado_origem_em" in erro["motivo"]
    assert rm.VALOR_INVALIDO not in erro["motivo"]
    assert entry["resultado"]["processos_capturados"] == len(truth) - 1
    with e2e.factory() as session:
        casos_com_partes = session.scalar(select(func.count(func.distinct(ProcessoParte.processo_id))))
    assert casos_com_partes == sum(bool(c["partes"]) for c in truth) - 1


def test_a_case_whose_answer_is_dropped_on_the_way_is_that_cases_error_never_missing(
    e2e: ProcessoE2E, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One case's answer dropped without a response (IgnoreRequest): counted and listed as that case's error with the
    reason; the other cases are stored. (Before issue 19's fix, such a case vanished from the history.)"""
    acervo = e2e.store_acervo()
    truth = e2e.truth("partes")["partes"]
    perdido = truth[0]
    monkeypatch.setenv(rm.ENV, f"descartar:{perdido['id_processo']}")

    _, resumo = e2e.crawl("partes", settings={"DOWNLOADER_MIDDLEWARES": _MIDDLEWARES})

    assert resumo is not None
    resultado = e2e.resultado(resumo)
    assert resultado["resultado"]["total_processos"] == len(truth)
    assert resultado["resultado"]["processos_capturados"] == len(truth) - 1
    assert resultado["resultado"]["erros"] == 1
    [erro] = resultado["erros_itens"]
    assert erro["processo_id"] == acervo[perdido["id_processo"]]
    assert erro["motivo"].startswith("NETWORK_ERROR: partes: pedido descartado sem resposta")


def test_an_unreadable_list_page_fails_the_credential_naming_the_exception_and_step(
    e2e: ProcessoE2E, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An acervo page the spider cannot read: the credential fails with RESPOSTA_INVALIDA, the step and the class."""
    monkeypatch.setenv(rm.ENV, "pagina")

    result, resumo = e2e.crawl("acervo_geral", settings={"DOWNLOADER_MIDDLEWARES": _MIDDLEWARES}, check=False)

    assert result.returncode != 0  # the capture failed: the crawl says so
    assert resumo is not None
    assert resumo.status == "failed"
    assert "Traceback" not in result.stdout + result.stderr
    erro = e2e.resultado(resumo)["erro"]
    assert erro["codigo"] == "RESPOSTA_INVALIDA"
    assert erro["mensagem"].startswith("pagina: ")
    assert "RecursionError" in erro["mensagem"]


def test_combinada_reports_every_chosen_case_when_its_credential_fails_midway(
    pje_sandbox: SandboxClient, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """combinada: the credential fails at one case's first request (a password changed mid-crawl); every case the
    lists named is still in the history, stored or as PROCESSO_NAO_CONCLUIDO with the failure as its reason. (Before,
    the failing case and those in flight or not yet sent vanished from the history.)"""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        bloco = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf)["tribunais"]["TRT3"]
        if len(nomeados := casos_nomeados(bloco["primeiro_grau"][user.cpf])) >= 2:
            break
    else:
        raise AssertionError("no sandbox user with two cases named by hearings or pending notices")
    monkeypatch.setenv("PYTHONPATH", str(Path(rm.__file__).parent))
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    try:
        acervo = e2e.store_acervo()
        falha = min(nomeados)
        monkeypatch.setenv(rm.ENV, f"credencial:{falha}")

        result, resumo = e2e.crawl("combinada", settings={"DOWNLOADER_MIDDLEWARES": _MIDDLEWARES}, check=False)

        assert resumo is not None, result.stderr[-3000:]
        assert "Traceback" not in result.stdout + result.stderr
        entrada = e2e.resultado(resumo)
        erros = {e["processo_id"]: e["motivo"] for e in entrada.get("erros_itens", [])}
        assert erros[acervo[falha]].startswith("PROCESSO_NAO_CONCLUIDO: a credencial falhou"), erros
        assert "SENHA_INVALIDA" in erros[acervo[falha]]
        with e2e.factory() as session:
            capturados = set(session.scalars(select(Processo.id).where(Processo.timeline_capturada_em.is_not(None))))
        assert {acervo[i] for i in nomeados} <= capturados | set(erros), "a chosen case vanished from the history"
    finally:
        e2e.close()
