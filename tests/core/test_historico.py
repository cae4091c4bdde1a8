"""The capture history: pending -> in_progress -> completed | failed, results per credential, counts."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado, SenhaInvalida, TotalizadorDivergente
from sinesys_spiders.core.historico import HistoricoService, TransicaoInvalida
from sinesys_spiders.core.historico_contadores import ContadoresCaptura


@pytest.fixture
def historico(engine: Engine) -> HistoricoService:
    return HistoricoService(make_session_factory(engine))


def test_life_cycle_with_one_credential_failing(historico: HistoricoService) -> None:
    """One credential failing does not fail the run: completed, with each credential's result or error."""
    captura_id = historico.create("acervo_geral", credencial_ids=[1, 2], parametros={"tribunais": ["TRT3"]})
    assert historico.get(captura_id).status == "pending"
    assert historico.start(captura_id, tipo_captura="acervo_geral") == captura_id
    started = historico.get(captura_id)
    assert started.status == "in_progress"
    assert started.iniciado_em is not None
    historico.record_result(
        captura_id,
        credencial_id=1,
        tribunal="TRT3",
        grau="primeiro_grau",
        contagem={"inseridos": 10, "atualizados": 2, "inalterados": 3, "erros": 1},
    )
    historico.record_failure(captura_id, credencial_id=2, tribunal="TRT5", grau="primeiro_grau", error=SenhaInvalida())
    assert historico.finish(captura_id) is StatusCaptura.COMPLETED
    done = historico.get(captura_id)
    assert done.status == "completed"
    assert done.concluido_em is not None
    assert done.resultado["credenciais_processadas"] == 2
    ok, failed = done.resultados
    assert ok == {
        "credencial_id": 1,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "resultado": {"inseridos": 10, "atualizados": 2, "inalterados": 3, "duplicados": 0, "erros": 1},
    }
    assert failed["erro"] == {"codigo": "SENHA_INVALIDA", "mensagem": "Usuário ou senha inválidos no tribunal."}
    assert done.totais == {"inseridos": 10, "atualizados": 2, "inalterados": 3, "duplicados": 0, "erros": 1}
    assert done.erro is not None
    assert "credencial 2 (TRT5 primeiro_grau): SENHA_INVALIDA" in done.erro
    assert done.parametros == {"tribunais": ["TRT3"]}


def test_every_credential_failing_fails_the_run(historico: HistoricoService) -> None:
    """When no credential succeeded the run is failed, and the totalizador numbers are in the message."""
    captura_id = historico.start(tipo_captura="pendentes", credencial_ids=[3])
    error = TotalizadorDivergente(
        "Quantidade de processos (9) não condiz com totalizador (10)", capturados=9, totalizador=10
    )
    historico.record_failure(captura_id, credencial_id=3, tribunal="TRT1", grau="segundo_grau", error=error)
    assert historico.finish(captura_id) is StatusCaptura.FAILED
    row = historico.get(captura_id)
    assert row.status == "failed"
    assert row.erro is not None
    assert "(9)" in row.erro
    assert "(10)" in row.erro


def test_results_merge_per_credential(historico: HistoricoService) -> None:
    """Results recorded in several flushes add up per credential; an error may sit beside counts."""
    captura_id = historico.start(tipo_captura="pendentes", credencial_ids=[1])
    for _ in range(2):
        historico.record_result(
            captura_id,
            credencial_id=1,
            tribunal="TRT3",
            grau="primeiro_grau",
            contagem={"inseridos": 5},
            erros_itens=[{"id_externo": 9, "motivo": "numero_processo: inválido"}],
        )
    historico.record_failure(
        captura_id, credencial_id=1, tribunal="TRT3", grau="primeiro_grau", error=TotalizadorDivergente("x")
    )
    [entry] = historico.get(captura_id).resultados
    assert entry["resultado"]["inseridos"] == 10
    assert len(entry["erros_itens"]) == 2
    assert entry["erro"]["codigo"] == "TOTALIZADOR_DIVERGENTE"
    assert historico.finish(captura_id) is StatusCaptura.FAILED


def test_no_credential_and_no_failure_completes(historico: HistoricoService) -> None:
    """A run with nothing to report (an empty acervo) completes with zero totals."""
    captura_id = historico.start(tipo_captura="audiencias")
    assert historico.finish(captura_id) is StatusCaptura.COMPLETED
    assert historico.get(captura_id).totais["inseridos"] == 0


def test_finished_runs_cannot_move(historico: HistoricoService) -> None:
    """A completed or failed capture cannot be started, finished or changed again."""
    captura_id = historico.start(tipo_captura="acervo_geral")
    historico.finish(captura_id)
    with pytest.raises(TransicaoInvalida):
        historico.start(captura_id)
    with pytest.raises(TransicaoInvalida):
        historico.finish(captura_id)
    with pytest.raises(TransicaoInvalida):
        historico.record_result(captura_id, credencial_id=1, tribunal="TRT3", grau="primeiro_grau", contagem={})
    with pytest.raises(TransicaoInvalida):
        historico.fail(captura_id, SenhaInvalida())


def test_global_failure_from_pending(historico: HistoricoService) -> None:
    """A run that could not start at all goes pending -> failed with its reason."""
    captura_id = historico.create("arquivados")
    historico.fail(captura_id, EntradaInvalida("tribunal desconhecido: 'TRT99'"))
    row = historico.get(captura_id)
    assert row.status == "failed"
    assert row.erro == "ENTRADA_INVALIDA: tribunal desconhecido: 'TRT99'"
    assert row.resultado["erro"]["codigo"] == "ENTRADA_INVALIDA"


def test_unexpected_exception_text_is_not_stored(historico: HistoricoService) -> None:
    """An unexpected exception is recorded by class name only: its text may hold anything."""
    captura_id = historico.start(tipo_captura="acervo_geral")
    historico.record_failure(
        captura_id, credencial_id=1, tribunal="TRT3", grau="primeiro_grau", error=RuntimeError("senha=hunter2")
    )
    [entry] = historico.get(captura_id).resultados
    assert entry["erro"] == {"codigo": "ERRO_INTERNO", "mensagem": "erro inesperado (RuntimeError)"}


def test_unknown_ids_and_types(historico: HistoricoService) -> None:
    """An unknown capture id is NaoEncontrado; an unknown type or a mismatched one is EntradaInvalida."""
    with pytest.raises(NaoEncontrado):
        historico.get(999)
    with pytest.raises(NaoEncontrado):
        historico.start(999)
    with pytest.raises(EntradaInvalida):
        historico.create("acervo")
    captura_id = historico.create("acervo_geral")
    with pytest.raises(EntradaInvalida):
        historico.start(captura_id, tipo_captura="pendentes")


def test_list_newest_first_with_filters(historico: HistoricoService) -> None:
    """Listing shows the latest captures first and filters by type and status."""
    first = historico.start(tipo_captura="acervo_geral")
    second = historico.create("pendentes")
    historico.finish(first)
    assert [c.id for c in historico.list()] == [second, first]
    assert [c.id for c in historico.list(tipo_captura="acervo_geral")] == [first]
    assert [c.id for c in historico.list(status="pending")] == [second]
    assert [c.id for c in historico.list(limit=1)] == [second]


def test_counters_flush_into_the_history(historico: HistoricoService) -> None:
    """The crawl's accumulator records each credential's counts and item errors in one flush."""
    counters = ContadoresCaptura()
    counters.add(1, "TRT3", "primeiro_grau", inseridos=3, inalterados=2)
    counters.add_item_error(1, "TRT3", "primeiro_grau", id_externo=77, motivo="numero_processo: fora do padrão")
    counters.add(2, "TRT5", "segundo_grau", atualizados=1)
    with pytest.raises(KeyError):
        counters.add(1, "TRT3", "primeiro_grau", perdidos=1)
    captura_id = historico.start(tipo_captura="acervo_geral", credencial_ids=[1, 2])
    counters.flush(historico, captura_id)
    assert counters.credenciais() == []
    row = historico.get(captura_id)
    assert row.totais == {"inseridos": 3, "atualizados": 1, "inalterados": 2, "duplicados": 0, "erros": 1}
    assert row.resultados[0]["erros_itens"] == [{"id_externo": 77, "motivo": "numero_processo: fora do padrão"}]


def test_from_url_uses_the_configured_database(database_env: str) -> None:
    """HistoricoService.from_url() works on SINESYS_DATABASE_URL, as the spiders use it."""
    service = HistoricoService.from_url()
    captura_id = service.create("audiencias")
    assert HistoricoService.from_url(database_env).get(captura_id).status == "pending"


def test_credential_that_failed_before_loading(historico: HistoricoService) -> None:
    """A credential that failed before its tribunal was known is recorded without one, and says so plainly."""
    captura_id = historico.start(tipo_captura="acervo_geral", credencial_ids=[9])
    historico.record_failure(captura_id, credencial_id=9, tribunal=None, grau=None, error=SenhaInvalida())
    [entry] = historico.get(captura_id).resultados
    assert (entry["tribunal"], entry["grau"]) == (None, None)
    historico.record_result(captura_id, credencial_id=9, tribunal="TRT3", grau="primeiro_grau", contagem={})
    [entry] = historico.get(captura_id).resultados
    assert (entry["tribunal"], entry["grau"]) == ("TRT3", "primeiro_grau")
    captura2 = historico.start(tipo_captura="acervo_geral", credencial_ids=[9])
    historico.record_failure(captura2, credencial_id=9, tribunal=None, grau=None, error=SenhaInvalida())
    historico.finish(captura2)
    assert historico.get(captura2).erro == "credencial 9: SENHA_INVALIDA: Usuário ou senha inválidos no tribunal."
