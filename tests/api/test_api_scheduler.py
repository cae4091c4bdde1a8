"""Routes served by the scheduler: agendamentos (its service: validation, next-run rule, runs) and combinada."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scheduler.agendamentos.regras import primeira_execucao
from scheduler.agendamentos.servico import regra_de
from sinesys_spiders.core.db.models import AgendamentoExecucao, CapturaLog

pytestmark = pytest.mark.requires_postgres


def _corpo(dados: dict[str, Any], **mais: Any) -> dict[str, Any]:
    return {
        "tipo_captura": "arquivados",
        "advogado_id": dados["advogado"],
        "credencial_ids": dados["credenciais"],
        "periodicidade": "a_cada_N_horas",
        "dias_intervalo": 2,
        "horario": "08:00",
        "parametros_extras": {"janela_execucao": "08:00-18:00"},
        **mais,
    }


async def test_proxima_execucao_is_the_scheduler_rule_and_its_errors_are_400_per_field(client, como, dados):
    """A schedule's next run is the one the scheduler's rule computes; a window on a daily schedule, an unknown
    dataRelativa or a window the wrong way are refused by the scheduler's validation, naming the field."""
    antes = dt.datetime.now(dt.UTC)
    created = await client.post("/api/captura/agendamentos", json=_corpo(dados), headers=como("captura"))
    assert created.status_code == 201, created.text
    ag = created.json()["data"]
    regra = regra_de("a_cada_N_horas", "08:00", 2, {"janela_execucao": "08:00-18:00"})
    proxima = dt.datetime.fromisoformat(ag["proxima_execucao"])
    assert primeira_execucao(regra, antes) <= proxima <= primeira_execucao(regra, dt.datetime.now(dt.UTC))

    casos = {
        "parametros_extras.janela_execucao": _corpo(dados, periodicidade="diario", dias_intervalo=None),
        "parametros_extras.dataRelativa": _corpo(
            dados, tipo_captura="audiencias", parametros_extras={"dataRelativa": "amanha"}
        ),
        "dias_intervalo": _corpo(dados, periodicidade="a_cada_N_dias", dias_intervalo=None, parametros_extras={}),
    }
    for campo, corpo in casos.items():
        response = await client.post("/api/captura/agendamentos", json=corpo, headers=como("captura"))
        assert response.status_code == 400, (campo, response.text)
        [detalhe] = response.json()["detalhes"]
        assert detalhe["campo"] == campo, response.text
    trocado = await client.put(
        f"/api/captura/agendamentos/{ag['id']}", json={"advogado_id": dados["advogado2"]}, headers=como("captura")
    )
    assert trocado.status_code == 400
    assert trocado.json()["detalhes"][0]["campo"] == "advogado_id"
    url = f"/api/captura/agendamentos/{ag['id']}"
    desligado = await client.put(url, json={"ativo": False}, headers=como("captura"))
    assert desligado.json()["data"]["proxima_execucao"] is None
    religado = await client.put(url, json={"ativo": True}, headers=como("captura"))
    assert religado.json()["data"]["proxima_execucao"]


@pytest.mark.e2e
async def test_executar_is_a_manual_run_of_the_scheduler_with_its_capture(client, como, dados, factory):
    """executar answers with the capture id at once; the scheduler records a manual run pointing to that capture,
    which carries the schedule, origem agendamento and the caller; the crawl is then cancelled."""
    created = await client.post("/api/captura/agendamentos", json=_corpo(dados, ativo=False), headers=como("captura"))
    ag_id = created.json()["data"]["id"]
    response = await client.post(f"/api/captura/agendamentos/{ag_id}/executar", headers=como("captura"))
    assert response.status_code == 200, response.text
    captura_id = response.json()["capture_id"]
    try:
        with factory() as session:
            run = session.query(AgendamentoExecucao).filter_by(agendamento_id=ag_id).one()
            assert (run.manual, run.captura_id, run.status) == (True, captura_id, "despachada")
            captura = session.get(CapturaLog, captura_id)
            assert (captura.origem, captura.agendamento_id) == ("agendamento", ag_id)
            assert captura.solicitante == "chave:teste-captura"
        one = await client.get(f"/api/captura/agendamentos/{ag_id}", headers=como("leitura"))
        assert one.json()["data"]["ultima_execucao"]
    finally:
        await client.post(f"/api/captura/historico/{captura_id}/cancelar", headers=como("captura"))
    missing = await client.post("/api/captura/agendamentos/999999/executar", headers=como("captura"))
    assert missing.status_code == 404


@pytest.mark.e2e
async def test_combinada_starts_through_the_capture_facade_with_its_options(client, como, dados, factory):
    """POST combinada answers at once with the capture id; the history row is a combinada of the API with
    horas_para_recaptura as the spider reads it; another lawyer's credential is 400 and a bad option 400."""
    corpo = {"advogado_id": dados["advogado"], "credencial_ids": dados["credenciais"], "horasParaRecaptura": 6}
    response = await client.post("/api/captura/trt/combinada", json=corpo, headers=como("captura"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["credenciais_processadas"] == 2
    captura_id = body["capture_id"]
    try:
        with factory() as session:
            captura = session.get(CapturaLog, captura_id)
            assert (captura.tipo_captura, captura.origem) == ("combinada", "api")
            assert captura.parametros == {"horas_para_recaptura": "6"}  # text, as Scrapyd passes it
    finally:
        await client.post(f"/api/captura/historico/{captura_id}/cancelar", headers=como("captura"))
    alheia = await client.post(
        "/api/captura/trt/combinada",
        json={**corpo, "credencial_ids": [dados["credencial_alheia"]]},
        headers=como("captura"),
    )
    assert alheia.status_code == 400
    negativa = await client.post(
        "/api/captura/trt/combinada", json={**corpo, "horasParaRecaptura": -1}, headers=como("captura")
    )
    assert negativa.json()["detalhes"][0]["campo"] == "horasParaRecaptura"
    leitura = await client.post("/api/captura/trt/combinada", json=corpo, headers=como("leitura"))
    assert leitura.status_code == 403
